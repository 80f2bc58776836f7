// What transactions, served blocking commands and PUBLISH send to replicas, compared with a real
// redis-server 7.0: a bare-socket replica attaches with SYNC to each server, the same commands
// run on both, and the replication streams (without keepalive PINGs) must be the same commands.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { RespClient, RespValue, parseReply, encode } from '../helpers/resp-client';
import { ServerProcess } from '../helpers/server';
import { useTandemAndRedis } from '../helpers/use-server';
import { waitFor } from '../helpers/wait';

/** A replica reduced to its socket: SYNC, skip the RDB payload, collect the command stream. */
class StreamTap {
  private buf = Buffer.alloc(0);
  private payloadSkipped = false;
  readonly commands: string[][] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.parse();
    });
    socket.on('error', () => undefined);
  }

  static async attach(port: number): Promise<StreamTap> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
      s.once('error', reject);
    });
    const tap = new StreamTap(socket);
    socket.write(encode(['SYNC']));
    await waitFor('the RDB payload', () => tap.payloadSkipped);
    return tap;
  }

  private parse(): void {
    if (!this.payloadSkipped) {
      // Keepalive newlines may precede "$<len>\r\n<rdb bytes>" (no CRLF after the payload).
      let start = 0;
      while (start < this.buf.length && this.buf[start] === 0x0a) start++;
      const eol = this.buf.indexOf('\r\n', start);
      if (eol < 0) return;
      const len = Number(this.buf.toString('latin1', start + 1, eol));
      if (this.buf.length < eol + 2 + len) return;
      this.buf = this.buf.subarray(eol + 2 + len);
      this.payloadSkipped = true;
    }
    for (let r = parseReply(this.buf, 0); r !== null; r = parseReply(this.buf, 0)) {
      this.buf = this.buf.subarray(r[1]);
      const argv = r[0] as string[];
      if (argv[0] !== 'PING' && !(argv[0] === 'REPLCONF' && argv[1] === 'GETACK')) this.commands.push(argv);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

const { tandem: { server: tandem }, redis: { server: redis } } = useTandemAndRedis(['--save', '', '--repl-diskless-sync', 'no']);

/** Runs `script` against a server with a tap attached; returns the stream up to a marker. */
async function streamOf(srv: ServerProcess, script: (a: RespClient, b: RespClient) => Promise<void>): Promise<string[][]> {
  const tap = await StreamTap.attach(srv.port);
  const [a, b] = await Promise.all([srv.client(), srv.client()]);
  try {
    await script(a, b);
    await a.call('SET', 'end-marker', '1');
    await waitFor('the end marker in the stream', () => tap.commands.some((argv) => argv[1] === 'end-marker'));
    return tap.commands;
  } finally {
    a.close();
    b.close();
    tap.close();
  }
}

async function sameStream(script: (a: RespClient, b: RespClient) => Promise<void>): Promise<string[][]> {
  const [mine, theirs] = await Promise.all([streamOf(tandem, script), streamOf(redis, script)]);
  assert.deepEqual(mine, theirs);
  return mine;
}

/** Waits until `c`'s server has `n` blocked clients. */
async function blocked(c: RespClient, n: number): Promise<void> {
  await waitFor(`${n} blocked`, async () => ((await c.call('INFO', 'clients')) as string).includes(`blocked_clients:${n}\r\n`));
}

test('EXEC propagates MULTI ... EXEC around several writes, a lone write bare, reads nothing', async () => {
  const stream = await sameStream(async (a) => {
    await a.call('MULTI');
    await a.call('SET', 'x', '1');
    await a.call('INCR', 'x');
    await a.call('SELECT', '2');
    await a.call('RPUSH', 'l', 'a');
    await a.call('EXEC');
    await a.call('MULTI');
    await a.call('GET', 'x');
    await a.call('SET', 'y', '1');
    await a.call('EXEC');
    await a.call('MULTI');
    await a.call('GET', 'x');
    await a.call('EXEC');
  });
  assert.ok(stream.some((argv) => argv[0] === 'MULTI'));
});

test('served blocking commands propagate as LPOP/RPOP/LMOVE/RPOPLPUSH/ZPOPMIN after the push', async () => {
  await sameStream(async (a, b) => {
    const send = (argv: string[]): void => b.writeRaw(encode(argv));
    const served = async (argv: string[], push: string[]): Promise<RespValue> => {
      send(argv);
      await blocked(a, 1);
      await a.call(...push);
      const r = await b.read();
      await blocked(a, 0);
      return r;
    };
    await a.call('RPUSH', 'now', '1', '2');
    await b.call('BLPOP', 'now', '0');
    await b.call('BLMOVE', 'now', 'dst', 'RIGHT', 'left', '0');
    await served(['BRPOP', 'q', '0'], ['LPUSH', 'q', 'v1', 'v2']);
    await served(['BLMOVE', 'q2', 'd2', 'LEFT', 'RIGHT', '0'], ['RPUSH', 'q2', 'm']);
    await served(['BRPOPLPUSH', 'q3', 'd3', '0'], ['RPUSH', 'q3', 'm']);
    await served(['BZPOPMIN', 'z', '0'], ['ZADD', 'z', '1', 'a', '2', 'b']);
    await served(['BLMPOP', '0', '1', 'q4', 'LEFT', 'COUNT', '2'], ['RPUSH', 'q4', '1', '2', '3']);
  });
});

test('PUBLISH reaches replicas, inside a transaction too', async () => {
  await sameStream(async (a) => {
    await a.call('PUBLISH', 'ch', 'hello');
    await a.call('MULTI');
    await a.call('PUBLISH', 'ch', 'm');
    await a.call('SET', 'k', 'v');
    await a.call('EXEC');
  });
});

test('SPOP with a count propagates an SREM per member in MULTI/EXEC, DEL when it empties the set', async () => {
  // The popped members are random: compare the streams with SREM's member masked.
  const masked = (stream: string[][]): string[][] => stream.map((argv) => (argv[0] === 'SREM' ? [...argv.slice(0, 2), '*'] : argv));
  const script = async (a: RespClient): Promise<void> => {
    await a.call('SADD', 's', 'a', 'b', 'c', 'd', 'e', 'f');
    await a.call('SPOP', 's', '3');
    await a.call('SPOP', 's', '1');
    await a.call('SPOP', 's', '10');
    await a.call('SADD', 't', '1', '2', '3');
    await a.call('MULTI');
    await a.call('SPOP', 't', '2');
    await a.call('SET', 'x', '1');
    await a.call('EXEC');
  };
  const [mine, theirs] = await Promise.all([streamOf(tandem, script), streamOf(redis, script)]);
  assert.deepEqual(masked(mine), masked(theirs));
  assert.equal(mine.filter((argv) => argv[0] === 'SREM').length, 6);
});
