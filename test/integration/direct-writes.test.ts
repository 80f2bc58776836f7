// Replies written while a client does not read, on both write paths: plain connections write
// straight to the socket's handle (src/server/direct-io.ts, DirectWriter), TLS ones through
// socket.write(). When the kernel's buffers are full the write is queued (by libuv on the direct
// path, by the Writable stream on the other); either way the queued bytes must count as the
// client's output memory (CLIENT LIST omem and tot-mem, INFO mem_clients_normal), count against
// client-output-buffer-limit, and arrive in order, before a protocol error's reply and the close
// that follows it.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as fs from 'node:fs';
import { startServer, ServerProcess } from '../helpers/server';
import { makeCerts, TestCerts } from '../helpers/certs';
import { freePort } from '../helpers/ports';
import { RespClient, encode } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';

/** A megabyte value whose bytes differ from one position to the next, so a misplaced chunk shows. */
const BIG = Array.from({ length: 1024 * 1024 }, (_, i) => String.fromCharCode(32 + ((i * 7) % 95))).join('');
const BIG_REPLY = Buffer.from(`$${BIG.length}\r\n${BIG}\r\n`, 'latin1');

let certs: TestCerts;
let srv: ServerProcess;
let tlsPort: number;
let observer: RespClient;

before(async () => {
  certs = makeCerts();
  tlsPort = await freePort();
  srv = await startServer({
    args: [
      ...['--tls-port', String(tlsPort), '--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca],
      ...['--client-output-buffer-limit', 'pubsub 2mb 0 0'],
    ],
  });
  observer = await srv.client();
  assert.equal(await observer.call('SET', 'big', BIG), 'OK');
});
after(async () => {
  observer.close();
  await srv.stop();
});

/** A raw connection whose input is gathered in `received`; pause() stops reading from the kernel. */
interface RawConnection {
  socket: net.Socket;
  received: () => Buffer;
  closed: () => boolean;
}

async function connect(kind: 'plain' | 'tls'): Promise<RawConnection> {
  const socket =
    kind === 'plain'
      ? net.connect({ port: srv.port, host: '127.0.0.1' })
      : tls.connect({
          port: tlsPort,
          host: '127.0.0.1',
          ca: fs.readFileSync(certs.ca),
          cert: fs.readFileSync(certs.clientCert),
          key: fs.readFileSync(certs.clientKey),
          checkServerIdentity: () => undefined,
        });
  await new Promise((resolve, reject) => {
    socket.once(kind === 'plain' ? 'connect' : 'secureConnect', resolve);
    socket.once('error', reject);
  });
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  return { socket, received: () => Buffer.concat(chunks), closed: () => closed };
}

/** Names the connection (and waits for the OK), so CLIENT LIST can find it. */
async function nameConnection(conn: RawConnection, name: string): Promise<void> {
  conn.socket.write(encode(['CLIENT', 'SETNAME', name]));
  await waitFor('CLIENT SETNAME to be answered', () => conn.received().toString('latin1') === '+OK\r\n');
}

async function clientListLine(name: string): Promise<string | undefined> {
  return String(await observer.call('CLIENT', 'LIST')).split('\n').find((l) => l.includes(` name=${name} `));
}

function field(line: string, name: string): number {
  return Number(new RegExp(`(?:^| )${name}=(\\d+)`).exec(line)![1]);
}

for (const kind of ['plain', 'tls'] as const) {
  test(`${kind}: replies held for a client that stops reading count as its output memory, then arrive in order`, async () => {
    const conn = await connect(kind);
    await nameConnection(conn, `held-${kind}`);
    conn.socket.pause();
    const gets = 12;
    conn.socket.write(Buffer.concat(Array.from({ length: gets }, () => encode(['GET', 'big']))));
    // 12 MB is more than the loopback's socket buffers take: the server has to hold the rest.
    const line = await waitFor('the server to hold replies for the paused client', async () => {
      const l = await clientListLine(`held-${kind}`);
      return l !== undefined && field(l, 'omem') > 0 ? l : undefined;
    });
    assert.ok(field(line, 'tot-mem') > field(line, 'omem'), line);
    const info = String(await observer.call('INFO', 'memory'));
    assert.ok(Number(/mem_clients_normal:(\d+)/.exec(info)![1]) >= field(line, 'omem'), 'INFO mem_clients_normal counts the held replies');

    conn.socket.resume();
    const expected = Buffer.concat([Buffer.from('+OK\r\n'), ...Array.from({ length: gets }, () => BIG_REPLY)]);
    await waitFor('every reply', () => conn.received().length >= expected.length, 30000);
    assert.ok(conn.received().equals(expected), 'replies differ from what was sent');
    await waitFor('the output memory to be released', async () => field((await clientListLine(`held-${kind}`))!, 'omem') === 0);

    conn.socket.write(encode(['QUIT']));
    await waitFor('QUIT to close the connection', () => conn.closed());
    assert.ok(conn.received().subarray(expected.length).equals(Buffer.from('+OK\r\n')), 'QUIT is answered before the close');
  });

  test(`${kind}: a protocol error is answered after the replies held before it, then the connection closes`, async () => {
    const conn = await connect(kind);
    await nameConnection(conn, `proto-${kind}`);
    conn.socket.pause();
    const gets = 8;
    conn.socket.write(Buffer.concat([...Array.from({ length: gets }, () => encode(['GET', 'big'])), Buffer.from('*1\r\n$x\r\n')]));
    // The server drops the client from its table once the error is queued behind the replies.
    await waitFor('the protocol error to be processed', async () => (await clientListLine(`proto-${kind}`)) === undefined);
    conn.socket.resume();
    await waitFor('the connection to close', () => conn.closed(), 30000);
    const expected = Buffer.concat([
      Buffer.from('+OK\r\n'),
      ...Array.from({ length: gets }, () => BIG_REPLY),
      Buffer.from('-ERR Protocol error: invalid bulk length\r\n'),
    ]);
    assert.equal(conn.received().length, expected.length);
    assert.ok(conn.received().equals(expected), 'replies differ from what was sent');
  });

  test(`${kind}: a subscriber that does not read is dropped at the pubsub output buffer limit`, async () => {
    const conn = await connect(kind);
    await nameConnection(conn, `sub-${kind}`);
    conn.socket.write(encode(['SUBSCRIBE', `ch-${kind}`]));
    await waitFor('the subscription', async () => (await clientListLine(`sub-${kind}`))?.includes(' sub=1 '));
    conn.socket.pause();
    const id = field((await clientListLine(`sub-${kind}`))!, 'id');
    const publisher = await srv.client();
    // Each message is 1 MB: the 2 MB hard limit is passed once the kernel's buffers are full.
    for (let i = 0; i < 40 && (await clientListLine(`sub-${kind}`)) !== undefined; i++) {
      assert.equal(await publisher.call('PUBLISH', `ch-${kind}`, BIG), 1);
    }
    publisher.close();
    await waitFor('the subscriber to be dropped', async () => (await clientListLine(`sub-${kind}`)) === undefined);
    assert.match(srv.log(), new RegExp(`Client id=${id} addr=\\S+ name=sub-${kind} scheduled to be closed ASAP for overcoming of output buffer limits\\.`));
    conn.socket.destroy();
  });
}
