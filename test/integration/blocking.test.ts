// Blocking commands against a spawned server: serving order, timeouts, the paused pipeline of a
// blocked client, CLIENT UNBLOCK, non-blocking behaviour inside MULTI, wrong types while
// blocked, SWAPDB, disconnects and INFO's blocked_clients.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startServer } from '../helpers/server';
import { useServer } from '../helpers/use-server';
import { RespClient, RespError, encode } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';
import { freePort } from '../helpers/ports';

const { server: srv, client: admin } = useServer();

/** Waits until the server reports `n` blocked clients. */
async function blockedClients(n: number): Promise<void> {
  await waitFor(`${n} blocked clients`, async () => ((await admin.call('INFO', 'clients')) as string).includes(`blocked_clients:${n}\r\n`));
}

/** Sends a command without waiting for its reply. */
function send(c: RespClient, ...argv: string[]): void {
  c.writeRaw(encode(argv));
}

test('clients blocked on a key are served first-come first-served, one element each', async () => {
  const [a, b, c] = await Promise.all([srv.client(), srv.client(), srv.client()]);
  send(a, 'BLPOP', 'f:none', 'f:list', '0');
  await blockedClients(1);
  send(b, 'BLPOP', 'f:list', '0');
  await blockedClients(2);
  send(c, 'BRPOP', 'f:list', '0');
  await blockedClients(3);
  assert.equal(await admin.call('RPUSH', 'f:list', 'one', 'two'), 2);
  assert.deepEqual(await a.read(), ['f:list', 'one']);
  assert.deepEqual(await b.read(), ['f:list', 'two']);
  await blockedClients(1);
  assert.equal(await admin.call('LPUSH', 'f:list', 'three'), 1);
  assert.deepEqual(await c.read(), ['f:list', 'three']);
  assert.equal(await admin.call('EXISTS', 'f:list'), 0);
  for (const x of [a, b, c]) x.close();
});

test('a timeout answers a null array after about the time asked, with ms precision', async () => {
  const c = await srv.client();
  for (const [argv, expected] of [
    [['BLPOP', 't:l', '0.15'], null],
    [['BLMOVE', 't:l', 't:d', 'LEFT', 'LEFT', '0.15'], null],
    [['BZPOPMIN', 't:z', '0.15'], null],
    [['BLMPOP', '0.15', '1', 't:l', 'LEFT'], null],
  ] as const) {
    const start = Date.now();
    assert.equal(await c.call(...argv), expected);
    const took = Date.now() - start;
    assert.ok(took >= 145 && took < 1000, `${argv[0]} took ${took} ms`);
  }
  c.close();
});

test('timeout argument errors', async () => {
  const c = await srv.client();
  assert.deepEqual(await c.call('BLPOP', 'k', 'x'), new RespError('ERR timeout is not a float or out of range'));
  assert.deepEqual(await c.call('BLPOP', 'k', '-1'), new RespError('ERR timeout is negative'));
  assert.deepEqual(await c.call('BLPOP', 'k', '1e20'), new RespError('ERR timeout is negative'));
  assert.deepEqual(await c.call('BZPOPMAX', 'k', 'nan'), new RespError('ERR timeout is not a float or out of range'));
  c.close();
});

test('a blocked client runs nothing else from its pipeline until it is served', async () => {
  const c = await srv.client();
  c.writeRaw(Buffer.concat([encode(['BLPOP', 'p:l', '0']), encode(['SET', 'p:after', '1']), encode(['GET', 'p:after'])]));
  await blockedClients(1);
  assert.equal(await admin.call('GET', 'p:after'), null);
  await admin.call('RPUSH', 'p:l', 'x');
  assert.deepEqual(await c.read(), ['p:l', 'x']);
  assert.equal(await c.read(), 'OK');
  assert.equal(await c.read(), '1');
  c.close();
});

test('CLIENT UNBLOCK releases with the timeout reply or the UNBLOCKED error', async () => {
  const c = await srv.client();
  const id = String(await c.call('CLIENT', 'ID'));
  assert.equal(await admin.call('CLIENT', 'UNBLOCK', id), 0);
  send(c, 'BLPOP', 'u:l', '0');
  await blockedClients(1);
  assert.equal(await admin.call('CLIENT', 'UNBLOCK', id), 1);
  assert.equal(await c.read(), null);
  send(c, 'BRPOPLPUSH', 'u:l', 'u:d', '0');
  await blockedClients(1);
  assert.equal(await admin.call('CLIENT', 'UNBLOCK', id, 'ERROR'), 1);
  assert.deepEqual(await c.read(), new RespError('UNBLOCKED client unblocked via CLIENT UNBLOCK'));
  assert.equal(await c.call('PING'), 'PONG');
  c.close();
});

test('inside MULTI blocking commands answer at once as if timed out', async () => {
  const c = await srv.client();
  await c.call('MULTI');
  for (const argv of [['BLPOP', 'm:l', '0'], ['BLMOVE', 'm:l', 'm:d', 'LEFT', 'RIGHT', '0'], ['BZPOPMIN', 'm:z', '0'], ['BLMPOP', '0', '1', 'm:l', 'LEFT']]) {
    assert.equal(await c.call(...argv), 'QUEUED');
  }
  assert.deepEqual(await c.call('EXEC'), [null, null, null, null]);
  c.close();
});

test('a key of another type does not serve a blocked client; the client keeps waiting', async () => {
  const c = await srv.client();
  send(c, 'BLPOP', 'w:k', '0');
  await blockedClients(1);
  await admin.call('SET', 'w:k', 'string');
  await admin.call('DEL', 'w:k');
  await admin.call('RPUSH', 'w:k', 'v');
  assert.deepEqual(await c.read(), ['w:k', 'v']);
  await admin.call('SET', 'w:str', 'x');
  assert.deepEqual(await c.call('BLPOP', 'w:none', 'w:str', '0'), new RespError('WRONGTYPE Operation against a key holding the wrong kind of value'));
  c.close();
});

test('BLMOVE chains: the moved element wakes a client waiting on the destination', async () => {
  const a = await srv.client();
  const b = await srv.client();
  send(a, 'BLMOVE', 'ch:src', 'ch:mid', 'RIGHT', 'LEFT', '0');
  send(b, 'BZPOPMIN', 'ch:never', '0');
  await blockedClients(2);
  await admin.call('RPUSH', 'ch:src', 'e1');
  assert.equal(await a.read(), 'e1');
  assert.deepEqual(await admin.call('LRANGE', 'ch:mid', '0', '-1'), ['e1']);
  await admin.call('ZADD', 'ch:never', '2.5', 'm');
  assert.deepEqual(await b.read(), ['ch:never', 'm', '2.5']);
  a.close();
  b.close();
});

test('SWAPDB wakes clients blocked on keys the swapped-in database holds', async () => {
  const c = await srv.client();
  await admin.call('SELECT', '5');
  await admin.call('RPUSH', 'sw:l', 'from5');
  await admin.call('SELECT', '0');
  send(c, 'BLPOP', 'sw:l', '0');
  await blockedClients(1);
  assert.equal(await admin.call('SWAPDB', '0', '5'), 'OK');
  assert.deepEqual(await c.read(), ['sw:l', 'from5']);
  await admin.call('SWAPDB', '0', '5');
  c.close();
});

test('a blocked client that disconnects is forgotten', async () => {
  const c = await srv.client();
  send(c, 'BLPOP', 'gone:l', '0');
  await blockedClients(1);
  c.close();
  await blockedClients(0);
  assert.equal(await admin.call('RPUSH', 'gone:l', 'kept'), 1);
  assert.equal(await admin.call('LLEN', 'gone:l'), 1);
});

test('turning into a replica drops clients blocked on keys with UNBLOCKED and closes them', async () => {
  const c = await srv.client();
  send(c, 'BLPOP', 'role:l', '0');
  await blockedClients(1);
  const unusedPort = String(await freePort());
  assert.equal(await admin.call('REPLICAOF', '127.0.0.1', unusedPort), 'OK');
  try {
    assert.deepEqual(await c.read(), new RespError('UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)'));
    await c.waitClosed();
    await blockedClients(0);
  } finally {
    assert.equal(await admin.call('REPLICAOF', 'NO', 'ONE'), 'OK');
  }
});

test('a push applied from the master stream serves a client blocked on a writable replica', async () => {
  const replica = await startServer({ args: ['--replicaof', '127.0.0.1', String(srv.port), '--replica-read-only', 'no'] });
  const c = await replica.client();
  const watcher = await replica.client();
  try {
    await waitFor('the replica link', async () => ((await watcher.call('INFO', 'replication')) as string).includes('master_link_status:up'));
    send(c, 'BLPOP', 'repl:l', '0');
    await waitFor('BLPOP to block on the replica', async () => ((await watcher.call('INFO', 'clients')) as string).includes('blocked_clients:1\r\n'));
    await admin.call('RPUSH', 'repl:l', 'from-master');
    assert.deepEqual(await c.read(), ['repl:l', 'from-master']);
  } finally {
    c.close();
    watcher.close();
    await replica.stop();
  }
});
