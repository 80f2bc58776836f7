// Streaming parser for replies, for the places where Tandem is itself a client (Sentinel's links
// to the servers it watches, tandem-cli): RESP2 and RESP3 types, frames split at any byte.
// Strings are latin1 (binary safe); errors are ReplyError values, not exceptions.

export class ReplyError {
  constructor(readonly message: string) {}
  toString(): string {
    return this.message;
  }
}

/** A RESP3 double, kept as the text the server sent ("1.5", "inf"). */
export class ReplyDouble {
  constructor(readonly text: string) {}
}

/** A RESP3 out-of-band push message. */
export class ReplyPush {
  constructor(readonly items: Reply[]) {}
}

export type Reply = string | number | bigint | boolean | null | ReplyError | ReplyDouble | ReplyPush | Reply[] | Map<Reply, Reply>;

/** Thrown on bytes that are not a reply: the caller closes the connection. */
export class ReplyProtocolError extends Error {}

const EMPTY = Buffer.alloc(0);

export class ReplyParser {
  private buf: Buffer = EMPTY;
  private pos = 0;

  feed(chunk: Buffer): void {
    this.buf = this.pos >= this.buf.length ? chunk : Buffer.concat([this.buf.subarray(this.pos), chunk]);
    this.pos = 0;
  }

  /** The next complete reply, or undefined when more bytes are needed. */
  next(): Reply | undefined {
    const r = this.parse(this.pos);
    if (r === undefined) return undefined;
    this.pos = r.end;
    return r.value;
  }

  private parse(pos: number): { value: Reply; end: number } | undefined {
    const buf = this.buf;
    if (pos >= buf.length) return undefined;
    const eol = buf.indexOf('\r\n', pos, 'latin1');
    if (eol < 0) return undefined;
    const type = buf[pos];
    const line = buf.latin1Slice(pos + 1, eol);
    const next = eol + 2;
    switch (type) {
      case 0x2b: // +
        return { value: line, end: next };
      case 0x2d: // -
        return { value: new ReplyError(line), end: next };
      case 0x3a: // :
        return { value: safeInteger(line), end: next };
      case 0x28: // ( big number
        return { value: BigInt(line), end: next };
      case 0x2c: // , double
        return { value: new ReplyDouble(line), end: next };
      case 0x23: // # boolean
        return { value: line === 't', end: next };
      case 0x5f: // _ null
        return { value: null, end: next };
      case 0x24: // $ bulk
      case 0x21: // ! bulk error
      case 0x3d: {
        // = verbatim
        const len = Number(line);
        if (!Number.isInteger(len)) throw new ReplyProtocolError(`bad bulk length '${line}'`);
        if (len < 0) return { value: null, end: next };
        if (buf.length < next + len + 2) return undefined;
        let s = buf.latin1Slice(next, next + len);
        if (type === 0x3d) s = s.slice(4);
        return { value: type === 0x21 ? new ReplyError(s) : s, end: next + len + 2 };
      }
      case 0x2a: // * array
      case 0x7e: // ~ set
      case 0x3e: // > push
      case 0x25: {
        // % map
        const n = Number(line);
        if (!Number.isInteger(n)) throw new ReplyProtocolError(`bad aggregate length '${line}'`);
        if (n < 0) return { value: null, end: next };
        const count = type === 0x25 ? n * 2 : n;
        const items: Reply[] = [];
        let p = next;
        for (let i = 0; i < count; i++) {
          const r = this.parse(p);
          if (r === undefined) return undefined;
          items.push(r.value);
          p = r.end;
        }
        if (type === 0x25) {
          const m = new Map<Reply, Reply>();
          for (let i = 0; i < items.length; i += 2) m.set(items[i], items[i + 1]);
          return { value: m, end: p };
        }
        return { value: type === 0x3e ? new ReplyPush(items) : items, end: p };
      }
      default:
        throw new ReplyProtocolError(`unexpected reply type byte ${type}`);
    }
  }
}

function safeInteger(s: string): number | bigint {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : BigInt(s);
}
