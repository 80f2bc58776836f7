// Reply decoding for the places where Tandem is itself a client (tandem-cli, Sentinel's links to
// the servers it watches): RESP2 and RESP3. Replies keep the type the server sent (status vs bulk
// string vs verbatim, array vs set vs map vs push) because redis-cli prints each differently;
// plainReply() flattens them for programs that only want the values. Strings are latin1 (one
// char per byte), so binary values survive.
//
// The reader is streaming: bytes arrive in arbitrary chunks and `next()` returns a reply only
// once it is complete, leaving the rest buffered.

export type Reply =
  | { kind: 'status' | 'error' | 'string' | 'verbatim' | 'double' | 'bignum' | 'integer'; text: string }
  | { kind: 'nil' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'array' | 'set' | 'push'; items: Reply[] }
  /** `items` alternate key, value (as hiredis keeps them). */
  | { kind: 'map'; items: Reply[] };

const AGGREGATE_KINDS: Record<string, 'array' | 'set' | 'push' | 'map' | 'attribute'> = {
  '*': 'array',
  '~': 'set',
  '>': 'push',
  '%': 'map',
  '|': 'attribute',
};

const NIL: Reply = { kind: 'nil' };

export interface ReplyReaderOptions {
  /** Keep a verbatim string's "txt:" prefix in its text (the tests' client compares raw replies). */
  keepVerbatimFormat?: boolean;
}

export class ReplyReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly options: ReplyReaderOptions = {}) {}

  /** How many bytes are buffered and not yet returned as replies. */
  get bufferedBytes(): number {
    return this.buf.length;
  }

  feed(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
  }

  /** The next complete reply, or null when more bytes are needed. */
  next(): Reply | null {
    const r = this.parse(0);
    if (r === null) return null;
    this.buf = this.buf.subarray(r[1]);
    return r[0];
  }

  private parse(pos: number): [Reply, number] | null {
    const buf = this.buf;
    if (pos >= buf.length) return null;
    const eol = buf.indexOf('\r\n', pos);
    if (eol < 0) return null;
    const type = String.fromCharCode(buf[pos]);
    const line = buf.toString('latin1', pos + 1, eol);
    const next = eol + 2;
    switch (type) {
      case '+':
        return [{ kind: 'status', text: line }, next];
      case '-':
        return [{ kind: 'error', text: line }, next];
      case ':':
        return [{ kind: 'integer', text: BigInt(line).toString() }, next];
      case ',':
        return [{ kind: 'double', text: line }, next];
      case '(':
        return [{ kind: 'bignum', text: line }, next];
      case '_':
        return [NIL, next];
      case '#':
        return [{ kind: 'bool', value: line === 't' }, next];
      case '$':
      case '=':
      case '!': {
        const len = Number(line);
        if (len < 0) return [NIL, next];
        if (buf.length < next + len + 2) return null;
        const s = buf.toString('latin1', next, next + len);
        const end = next + len + 2;
        if (type === '!') return [{ kind: 'error', text: s }, end];
        // A verbatim string starts with its 3-letter format and ':' ("txt:"), not shown to users.
        if (type === '=') return [{ kind: 'verbatim', text: this.options.keepVerbatimFormat ? s : s.slice(4) }, end];
        return [{ kind: 'string', text: s }, end];
      }
      default: {
        const kind = AGGREGATE_KINDS[type];
        if (kind === undefined) throw new Error(`Protocol error, got ${JSON.stringify(type)} as reply type byte`);
        const n = Number(line);
        if (n < 0) return [NIL, next];
        const count = kind === 'map' || kind === 'attribute' ? n * 2 : n;
        const items: Reply[] = [];
        let p = next;
        for (let i = 0; i < count; i++) {
          const r = this.parse(p);
          if (r === null) return null;
          items.push(r[0]);
          p = r[1];
        }
        // Attributes annotate the reply that follows them; like redis-cli, show only that reply.
        if (kind === 'attribute') return this.parse(p);
        return [{ kind, items }, p];
      }
    }
  }
}

/** An error reply, as plainReply() gives it. */
export class ReplyError {
  constructor(readonly message: string) {}
}

export type PlainReply = string | number | boolean | null | ReplyError | PlainReply[];

/**
 * A reply as plain values: status, bulk and verbatim strings (and doubles, big numbers) are
 * strings; integers numbers; errors ReplyError; arrays, sets, pushes and maps (flattened) arrays.
 */
export function plainReply(r: Reply): PlainReply {
  switch (r.kind) {
    case 'nil':
      return null;
    case 'bool':
      return r.value;
    case 'error':
      return new ReplyError(r.text);
    case 'integer':
      return Number(r.text);
    case 'array':
    case 'set':
    case 'push':
    case 'map':
      return r.items.map(plainReply);
    default:
      return r.text;
  }
}
