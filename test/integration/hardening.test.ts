// Bad input and abusive clients: the server must stay up, bounded in memory, and responsive to a
// well-behaved client. Latency figures are printed (test output) as well as asserted loosely.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { startServer, ServerProcess } from '../helpers/server';
import { RespError } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';

let srv: ServerProcess;
before(async () => {
  srv = await startServer({
    args: ['--maxclients', '600', '--client-query-buffer-limit', '4mb', '--client-output-buffer-limit', 'normal 8mb 4mb 1'],
  });
});
after(async () => {
  await srv.stop();
});

/** Worst PING round trip seen by a well-behaved client while `during` runs. */
async function worstPingWhile(during: Promise<unknown>): Promise<number> {
  const c = await srv.client();
  let done = false;
  void during.finally(() => (done = true));
  let worst = 0;
  while (!done) {
    const t0 = performance.now();
    assert.equal(await c.call('PING'), 'PONG');
    worst = Math.max(worst, performance.now() - t0);
  }
  await during;
  c.close();
  return worst;
}

function rssKb(pid: number): number {
  const status = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8') as string;
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

test('oversized and malformed frames get the protocol error and only that connection closes', async () => {
  const cases: Array<[string, string]> = [
    ['*1\r\n$600000000\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*99999999999\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*2\r\n$3\r\nGET\r\n:1\r\n', "ERR Protocol error: expected '$', got ':'"],
    ['SET "a\r\n', 'ERR Protocol error: unbalanced quotes in request'],
  ];
  for (const [input, msg] of cases) {
    const c = await srv.client();
    c.writeRaw(input);
    assert.deepEqual(await c.read(), new RespError(msg), JSON.stringify(input));
    await c.waitClosed();
  }
});

/** Writes `chunk` repeatedly, respecting backpressure, until the peer closes or `max` bytes are sent. */
async function writeUntilClosed(first: string, chunk: Buffer, max: number): Promise<{ sent: number; closed: boolean }> {
  const s = net.connect(srv.port, '127.0.0.1');
  let closed = false;
  s.on('close', () => (closed = true));
  s.on('error', () => undefined);
  s.write(first);
  let sent = 0;
  while (!closed && sent < max) {
    if (!s.write(chunk)) await new Promise((r) => s.once('drain', r).once('close', r));
    sent += chunk.length;
  }
  s.destroy();
  return { sent, closed };
}

test('a never-ending multibulk is cut at client-query-buffer-limit', async () => {
  const { sent, closed } = await writeUntilClosed('*1000000000\r\n', Buffer.from('$1\r\na\r\n'.repeat(100000)), 256 * 1024 * 1024);
  assert.ok(closed && sent < 256 * 1024 * 1024, `closed after ${sent} bytes`);
  assert.match(srv.log(), /Closing client that reached max query buffer length/);
});

test('a client sending garbage is closed quickly; others keep being served', async () => {
  const garbage = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) % 256 || 1;
  const flood = writeUntilClosed('', garbage, 1024 * 1024 * 1024).then((r) => r.sent);
  const worst = await worstPingWhile(flood);
  const sent = await flood;
  console.log(`# garbage: connection closed after ${(sent / 1048576).toFixed(0)} MiB; worst PING ${worst.toFixed(1)} ms`);
  assert.ok(sent < 1024 * 1024 * 1024, 'the server closed the garbage connection before 1 GiB');
  assert.ok(worst < 1000, `worst PING ${worst} ms`);
});

test('a connection flood: maxclients is enforced and a good client keeps its latency', async () => {
  const sockets: net.Socket[] = [];
  const replies: string[] = [];
  const flood = (async () => {
    for (let i = 0; i < 800; i++) {
      const s = net.connect(srv.port, '127.0.0.1');
      s.on('error', () => undefined);
      s.on('data', (d) => replies.push(d.toString()));
      sockets.push(s);
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await waitFor('refusals', () => replies.some((r) => r.includes('max number of clients reached')));
  })();
  const worst = await worstPingWhile(flood);
  console.log(`# flood of 800 connections: worst PING ${worst.toFixed(1)} ms`);
  assert.ok(replies.some((r) => r === '-ERR max number of clients reached\r\n'));
  assert.ok(worst < 1000, `worst PING ${worst} ms`);
  for (const s of sockets) s.destroy();
  await waitFor('clients to be released', async () => {
    const c = await srv.client();
    try {
      return (await c.call('PING')) === 'PONG';
    } finally {
      c.close();
    }
  });
});

test('a client that never reads is dropped at its output buffer limit; memory stays bounded', async () => {
  const setup = await srv.client();
  assert.equal(await setup.call('SET', 'big', 'x'.repeat(1024 * 1024)), 'OK');
  setup.close();
  const before = rssKb(srv.proc.pid!);
  const s = net.connect(srv.port, '127.0.0.1');
  s.on('error', () => undefined);
  s.pause();
  let closed = false;
  s.on('close', () => (closed = true));
  const get = Buffer.from('*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n'.repeat(50));
  for (let i = 0; i < 40 && !closed; i++) {
    s.write(get);
    await new Promise((r) => setTimeout(r, 5));
  }
  await waitFor('the slow reader to be closed', () => closed || srv.log().includes('overcoming of output buffer limits'));
  const after = rssKb(srv.proc.pid!);
  console.log(`# slow reader: RSS ${before} kB -> ${after} kB`);
  assert.match(srv.log(), /scheduled to be closed ASAP for overcoming of output buffer limits/);
  assert.ok(after - before < 512 * 1024, `RSS grew by ${after - before} kB`);
  s.destroy();
});
