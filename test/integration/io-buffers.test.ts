// The buffers the server reuses across reads and writes. Plain connections are read into one
// read buffer shared by every connection (direct-io.ts, adoptForDirectIo): these tests interleave
// connections so that other reads overwrite that buffer while a command is still incomplete, and
// check that nothing kept from it is corrupted, over TCP and over the unix socket, and that
// adopted sockets leave the listener's connection count right (a leak would stop accepting after
// maxclients + 32 connections). Replies go out as views of a client's reply scratch when the
// socket can take them (reply-buffer.ts, take()): a client that stops reading makes the socket
// keep them, and every reply must still arrive intact.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { startServer, ServerProcess } from '../helpers/server';
import { RespClient, RespError, encode } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';
import { tempDir } from '../helpers/temp-dir';

const unixDir = tempDir('tandem-direct-');
const unixPath = path.join(unixDir, 'tandem.sock');
let srv: ServerProcess;
before(async () => {
  srv = await startServer({ args: ['--maxclients', '10', '--unixsocket', unixPath] });
});
after(async () => {
  await srv.stop();
  fs.rmSync(unixDir, { recursive: true, force: true });
});

/** Bytes that differ from one position to the next, so a copy from the wrong place shows. */
function pattern(length: number, seed: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode((i * 7 + seed) % 251);
  return s;
}

/** A RespClient over the unix socket (the helper connects over TCP only; its constructor takes any socket). */
function connectUnix(): Promise<RespClient> {
  const RespClientOnSocket = RespClient as unknown as new (socket: net.Socket) => RespClient;
  return new Promise((resolve, reject) => {
    const s = net.connect({ path: unixPath }, () => resolve(new RespClientOnSocket(s)));
    s.once('error', reject);
  });
}

/** Waits until the server holds `bytes` of `name`'s input (CLIENT LIST qbuf): that read happened. */
async function waitForQueryBuffer(observer: RespClient, name: string, bytes: number): Promise<void> {
  await waitFor(`${name} to have ${bytes} bytes buffered`, async () => {
    const list = String(await observer.call('CLIENT', 'LIST'));
    const line = list.split('\n').find((l) => l.includes(` name=${name} `));
    return line !== undefined && Number(/ qbuf=(\d+) /.exec(line)![1]) >= bytes;
  });
}

/**
 * Sends a SET to `writer` in pieces; between pieces `other` sends a large different value, whose
 * read lands in the shared buffer over the bytes of the piece before.
 */
async function interleavedSet(writer: RespClient, other: RespClient, key: string, value: string, cuts: number[]): Promise<void> {
  assert.equal(await writer.call('CLIENT', 'SETNAME', `w-${key}`), 'OK');
  const frame = encode(['SET', key, value]);
  let sent = 0;
  for (const cut of cuts) {
    writer.writeRaw(frame.subarray(sent, cut));
    sent = cut;
    await waitForQueryBuffer(other, `w-${key}`, cut);
    assert.equal(await other.call('SET', `noise-${key}`, pattern(70_000, cut)), 'OK');
  }
  writer.writeRaw(frame.subarray(sent));
  assert.equal(await writer.read(), 'OK');
  assert.equal(await other.call('GET', key), value);
}

test('a small command split across reads survives other connections reusing the read buffer', async () => {
  const writer = await srv.client();
  const other = await srv.client();
  // Cuts inside the header, inside the key and inside the value.
  await interleavedSet(writer, other, 'small', pattern(40, 3), [2, 14, 30]);
  writer.close();
  other.close();
});

test('a large bulk gathered over several reads survives other connections reusing the read buffer', async () => {
  const writer = await srv.client();
  const other = await srv.client();
  const value = pattern(200_000, 11);
  await interleavedSet(writer, other, 'large', value, [50_000, 120_000, 190_000]);
  writer.close();
  other.close();
});

test('the unix socket is read the same way', async () => {
  const writer = await connectUnix();
  const other = await srv.client();
  await interleavedSet(writer, other, 'unix', pattern(100_000, 5), [10, 40_000]);
  writer.close();
  other.close();
});

test('replies to a client that stops reading arrive intact once it reads again', async () => {
  // Several MB of distinct replies: the kernel buffers fill, so the socket has to keep what the
  // server flushes (views of the scratch among them) while new replies are encoded.
  const count = 6000;
  const payload = (i: number) => `${i}:`.padEnd(1000, String.fromCharCode(97 + (i % 26)));
  const socket = net.connect({ port: srv.port, host: '127.0.0.1' });
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.pause();
  for (let i = 0; i < count; i += 100) {
    const batch: Buffer[] = [];
    for (let j = i; j < i + 100; j++) batch.push(encode(['ECHO', payload(j)]));
    socket.write(Buffer.concat(batch));
  }
  const observer = await srv.client();
  await waitFor('the server to hold replies for the paused client', async () => {
    const line = String(await observer.call('CLIENT', 'LIST')).split('\n').find((l) => / omem=[1-9]/.test(l));
    return line !== undefined;
  });
  observer.close();
  let received = Buffer.alloc(0);
  const expected = Buffer.concat(Array.from({ length: count }, (_, i) => Buffer.from(`$1000\r\n${payload(i)}\r\n`, 'latin1')));
  socket.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
  socket.resume();
  await waitFor('every reply', () => received.length >= expected.length, 30000);
  assert.equal(received.length, expected.length);
  assert.ok(received.equals(expected), 'replies differ from what was sent');
  socket.destroy();
});

test('many connections come and go and the server keeps accepting them up to maxclients', async () => {
  // The listeners drop connections beyond maxclients + 32 by their own count, which an adopted
  // socket must keep exact: 100 connections in turn is well past 42.
  for (let i = 0; i < 100; i++) {
    const c = await srv.client();
    assert.equal(await c.call('PING'), 'PONG');
    c.close();
    await c.waitClosed();
  }
  const observer = await srv.client();
  await waitFor('closed connections to be gone', async () => String(await observer.call('CLIENT', 'LIST')).trim().split('\n').length === 1);
  const open: RespClient[] = [observer];
  for (let i = 1; i < 10; i++) open.push(await srv.client());
  for (const c of open) assert.equal(await c.call('PING'), 'PONG');
  const refused = await srv.client();
  const reply = await refused.read();
  assert.ok(reply instanceof RespError && reply.message === 'ERR max number of clients reached', String(reply));
  for (const c of [...open, refused]) c.close();
});
