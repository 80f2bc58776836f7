// A minimal RESP client for tests that must see replies exactly as sent: it writes raw bytes or
// commands and reads replies back as parsed values (errors as RespError, RESP3 types kept apart).

import * as net from 'node:net';
import { plainReply, Reply, ReplyError, ReplyReader } from '../../src/protocol/reply-reader';

/** An error reply (the class the src reply reader decodes errors to). */
export { ReplyError as RespError };

export type RespValue = string | number | bigint | null | boolean | ReplyError | RespValue[] | Map<RespValue, RespValue> | { double: string } | { push: RespValue[] };

/** A decoded reply as tests compare it: RESP3 types kept apart, verbatim strings with their format. */
function respValue(r: Reply): RespValue {
  switch (r.kind) {
    case 'bignum':
      return BigInt(r.text);
    case 'double':
      return { double: r.text };
    case 'push':
      return { push: r.items.map(respValue) };
    case 'map': {
      const m = new Map<RespValue, RespValue>();
      for (let i = 0; i < r.items.length; i += 2) m.set(respValue(r.items[i]), respValue(r.items[i + 1]));
      return m;
    }
    case 'array':
    case 'set':
      return r.items.map(respValue);
    default:
      // nil, booleans, errors, integers and strings: as plain values.
      return plainReply(r);
  }
}

/**
 * Parses one reply at `pos`; returns [value, nextPos] or null when incomplete. The decoding is
 * src/protocol/reply-reader.ts's (the one tandem-cli and Sentinel use), mapped to RespValue.
 */
export function parseReply(buf: Buffer, pos: number): [RespValue, number] | null {
  const reader = new ReplyReader({ keepVerbatimFormat: true });
  reader.feed(buf.subarray(pos));
  const r = reader.next();
  return r === null ? null : [respValue(r), buf.length - reader.bufferedBytes];
}

export function encode(argv: string[]): Buffer {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return Buffer.from(s, 'latin1');
}

export class RespClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RespClient(s)));
      s.once('error', reject);
    });
  }

  /** Sends raw bytes as they are. */
  writeRaw(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Reads the next reply, waiting up to timeoutMs (generous: a loaded machine may be slow). */
  async read(timeoutMs = 30000): Promise<RespValue> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = parseReply(this.buf, 0);
      if (r !== null) {
        this.buf = this.buf.subarray(r[1]);
        return r[0];
      }
      if (this.closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a reply');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Bytes received and not yet parsed (for tests on exact wire output). */
  takeRawBuffered(): Buffer {
    const b = this.buf;
    this.buf = Buffer.alloc(0);
    return b;
  }

  async call(...argv: string[]): Promise<RespValue> {
    this.writeRaw(encode(argv));
    return this.read();
  }

  /** Waits until the server closes the connection. */
  async waitClosed(timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('connection not closed');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
