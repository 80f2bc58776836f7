// A fake replica for tests: performs the replica handshake against a master (Tandem or Redis),
// sends PSYNC, takes the RDB payload apart from the stream (`$<len>` or `$EOF:<mark>`), and then
// keeps every byte of the replication stream exactly as received, so tests can assert on the
// propagated commands and on offsets.

import * as net from 'node:net';
import { encode, parseReply, RespValue } from './resp-client';
import { waitFor } from './wait';

export interface FakeReplicaOptions {
  /** PSYNC arguments; default a full resync (? -1). */
  replid?: string;
  offset?: number;
  /** Announced listening port (REPLCONF listening-port). */
  listeningPort?: number;
  /** Whether to announce `capa eof` (diskless transfers). */
  capaEof?: boolean;
  auth?: string[];
}

export class FakeReplica {
  /** The reply line to PSYNC: "+FULLRESYNC <replid> <offset>" or "+CONTINUE [<replid>]". */
  psyncReply = '';
  replid = '';
  /** The offset the stream starts after (FULLRESYNC offset, or PSYNC offset - 1). */
  startOffset = 0;
  rdb: Buffer | null = null;
  /** Every stream byte after the payload (or after +CONTINUE). */
  get stream(): Buffer {
    // Chunks are joined when read, not as they arrive: a test streaming tens of MB would
    // otherwise copy the whole stream once per chunk.
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }
  private set stream(b: Buffer) {
    this.chunks = [b];
  }
  private chunks: Buffer[] = [];
  closed = false;
  private buf = Buffer.alloc(0);
  private phase: 'handshake' | 'psync' | 'payload' | 'stream' = 'handshake';
  private eofMark = '';
  private payloadLen = -1;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => this.onData(d));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  /** Connects, handshakes and waits until the stream starts. */
  static async attach(port: number, opts: FakeReplicaOptions = {}): Promise<FakeReplica> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
      s.once('error', reject);
    });
    const r = new FakeReplica(socket);
    const replies: RespValue[] = [];
    const handshake = [
      ...(opts.auth ? [['AUTH', ...opts.auth]] : []),
      ['REPLCONF', 'listening-port', String(opts.listeningPort ?? 1)],
      ['REPLCONF', 'capa', ...(opts.capaEof === false ? [] : ['eof', 'capa']), 'psync2'],
    ];
    for (const cmd of handshake) socket.write(encode(cmd));
    await waitFor('handshake replies', () => {
      for (;;) {
        const p = parseReply(r.buf, 0);
        if (p === null) break;
        replies.push(p[0]);
        r.buf = r.buf.subarray(p[1]);
      }
      return replies.length === handshake.length;
    });
    for (const v of replies) if (typeof v !== 'string') throw new Error(`handshake refused: ${JSON.stringify(v)}`);
    r.phase = 'psync';
    r.startOffset = (opts.offset ?? 0) - 1;
    socket.write(encode(['PSYNC', opts.replid ?? '?', String(opts.offset ?? -1)]));
    await waitFor('the replication stream to start', () => r.phase === 'stream' || r.closed);
    if (r.closed) throw new Error('master closed the link');
    return r;
  }

  private onData(d: Buffer): void {
    if (this.phase === 'stream') {
      this.chunks.push(d);
      return;
    }
    this.buf = Buffer.concat([this.buf, d]);
    this.advance();
  }

  private advance(): void {
    if (this.phase === 'psync') {
      // Skip keepalive newlines, then the reply line.
      while (this.buf.length > 0 && this.buf[0] === 10) this.buf = this.buf.subarray(1);
      const eol = this.buf.indexOf('\r\n');
      if (eol < 0) return;
      this.psyncReply = this.buf.toString('latin1', 0, eol);
      this.buf = this.buf.subarray(eol + 2);
      const words = this.psyncReply.split(' ');
      if (words[0] === '+FULLRESYNC') {
        this.replid = words[1];
        this.startOffset = Number(words[2]);
        this.phase = 'payload';
      } else if (words[0] === '+CONTINUE') {
        this.replid = words[1] ?? '';
        this.phase = 'stream';
        this.stream = this.buf;
        this.buf = Buffer.alloc(0);
        return;
      } else {
        throw new Error(`unexpected PSYNC reply ${this.psyncReply}`);
      }
    }
    if (this.phase === 'payload') {
      if (this.payloadLen < 0 && this.eofMark === '') {
        while (this.buf.length > 0 && this.buf[0] === 10) this.buf = this.buf.subarray(1);
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) return;
        const line = this.buf.toString('latin1', 0, eol);
        this.buf = this.buf.subarray(eol + 2);
        if (line.startsWith('$EOF:')) this.eofMark = line.slice(5);
        else this.payloadLen = Number(line.slice(1));
      }
      if (this.payloadLen >= 0) {
        if (this.buf.length < this.payloadLen) return;
        this.rdb = this.buf.subarray(0, this.payloadLen);
        this.stream = this.buf.subarray(this.payloadLen);
      } else {
        const at = this.buf.indexOf(this.eofMark);
        if (at < 0) return;
        this.rdb = this.buf.subarray(0, at);
        this.stream = this.buf.subarray(at + this.eofMark.length);
        // A diskless master starts the stream on our first ACK.
        this.ack(this.startOffset);
      }
      this.buf = Buffer.alloc(0);
      this.phase = 'stream';
    }
  }

  /** The stream as latin1 text (commands are ASCII in tests). */
  text(): string {
    return this.stream.toString('latin1');
  }

  /** The offset we have processed if we applied everything received. */
  get offset(): number {
    return this.startOffset + this.stream.length;
  }

  ack(offset = this.offset): void {
    this.socket.write(encode(['REPLCONF', 'ACK', String(offset)]));
  }

  async waitFor(what: string, pred: (text: string) => boolean, timeoutMs = 30000): Promise<string> {
    return waitFor(what, () => (pred(this.text()) ? this.text() : false), timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}
