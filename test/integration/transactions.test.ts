// MULTI/EXEC/DISCARD/WATCH against a spawned server: queuing, Redis's exact errors, EXECABORT
// after a refused command, and WATCH invalidation by writes, expiry, FLUSHDB and SWAPDB.

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startServer, ServerProcess } from '../helpers/server';
import { RespClient, RespError } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';

let srv: ServerProcess;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv.stop();
});

const EXECABORT = new RespError('EXECABORT Transaction discarded because of previous errors.');

/** WATCH keys on `c`, let `meanwhile` run, then try MULTI SET/EXEC and return EXEC's reply. */
async function watchedExec(c: RespClient, key: string, meanwhile: () => Promise<unknown>): Promise<unknown> {
  assert.equal(await c.call('WATCH', key), 'OK');
  await meanwhile();
  assert.equal(await c.call('MULTI'), 'OK');
  assert.equal(await c.call('SET', key, 'mine'), 'QUEUED');
  return c.call('EXEC');
}

test('queued commands run at EXEC with their own replies, errors included', async () => {
  const c = await srv.client();
  assert.equal(await c.call('MULTI'), 'OK');
  assert.equal(await c.call('SET', 'tx:a', '1'), 'QUEUED');
  assert.equal(await c.call('LPUSH', 'tx:a', 'x'), 'QUEUED');
  assert.equal(await c.call('GET', 'tx:a'), 'QUEUED');
  assert.deepEqual(await c.call('EXEC'), ['OK', new RespError('WRONGTYPE Operation against a key holding the wrong kind of value'), '1']);
  c.close();
});

test('misuse errors: nested MULTI, EXEC/DISCARD without MULTI, WATCH inside MULTI', async () => {
  const c = await srv.client();
  assert.deepEqual(await c.call('EXEC'), new RespError('ERR EXEC without MULTI'));
  assert.deepEqual(await c.call('DISCARD'), new RespError('ERR DISCARD without MULTI'));
  assert.equal(await c.call('MULTI'), 'OK');
  assert.deepEqual(await c.call('MULTI'), new RespError('ERR MULTI calls can not be nested'));
  assert.deepEqual(await c.call('WATCH', 'k'), new RespError('ERR WATCH inside MULTI is not allowed'));
  assert.equal(await c.call('SET', 'tx:b', '1'), 'QUEUED');
  // Neither error dooms the transaction: they are the commands' own errors, not refusals.
  assert.deepEqual(await c.call('EXEC'), ['OK']);
  c.close();
});

test('a command refused while queuing makes EXEC answer EXECABORT and discards the queue', async () => {
  const c = await srv.client();
  for (const bad of [['NOSUCHCMD', 'x'], ['GET'], ['SHUTDOWN']]) {
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('SET', 'tx:never', '1'), 'QUEUED');
    const refusal = await c.call(...bad);
    assert.ok(refusal instanceof RespError, `${bad[0]} refused`);
    if (bad[0] === 'SHUTDOWN') assert.deepEqual(refusal, new RespError('ERR Command not allowed inside a transaction'));
    assert.equal(await c.call('PING'), 'QUEUED');
    assert.deepEqual(await c.call('EXEC'), EXECABORT);
  }
  assert.equal(await c.call('GET', 'tx:never'), null);
  // The client is out of MULTI again.
  assert.equal(await c.call('PING'), 'PONG');
  c.close();
});

test('DISCARD and RESET drop the queue', async () => {
  const c = await srv.client();
  await c.call('MULTI');
  await c.call('SET', 'tx:d', '1');
  assert.equal(await c.call('DISCARD'), 'OK');
  await c.call('MULTI');
  await c.call('SET', 'tx:d', '2');
  assert.equal(await c.call('RESET'), 'RESET');
  assert.deepEqual(await c.call('EXEC'), new RespError('ERR EXEC without MULTI'));
  assert.equal(await c.call('GET', 'tx:d'), null);
  c.close();
});

test('WATCH: a write by another client makes EXEC return a null array; untouched keys commit', async () => {
  const c = await srv.client();
  const other = await srv.client();
  await c.call('SET', 'w:1', 'v');
  assert.equal(await watchedExec(c, 'w:1', () => other.call('SET', 'w:1', 'theirs')), null);
  assert.equal(await c.call('GET', 'w:1'), 'theirs');
  assert.deepEqual(await watchedExec(c, 'w:1', () => other.call('GET', 'w:1')), ['OK']);
  // The transaction's own writes do not abort it, and UNWATCH forgets the keys.
  await c.call('WATCH', 'w:1');
  await other.call('SET', 'w:1', 'x');
  assert.equal(await c.call('UNWATCH'), 'OK');
  await c.call('MULTI');
  await c.call('SET', 'w:1', 'after-unwatch');
  assert.deepEqual(await c.call('EXEC'), ['OK']);
  c.close();
  other.close();
});

test('WATCH: a key that expires before EXEC aborts it', async () => {
  const c = await srv.client();
  // Long enough that WATCH surely lands before the key expires, even on a loaded machine.
  await c.call('SET', 'w:exp', 'v', 'PX', '400');
  const expiresAt = Date.now() + 400;
  const reply = await watchedExec(c, 'w:exp', () => waitFor('the key to expire', () => Date.now() > expiresAt + 5));
  assert.equal(reply, null);
  c.close();
});

test('WATCH: DEL, FLUSHDB and SWAPDB invalidate watched keys that existed', async () => {
  const c = await srv.client();
  const other = await srv.client();
  await c.call('SET', 'w:del', 'v');
  assert.equal(await watchedExec(c, 'w:del', () => other.call('DEL', 'w:del')), null);
  await c.call('SET', 'w:flush', 'v');
  assert.equal(await watchedExec(c, 'w:flush', () => other.call('FLUSHDB')), null);
  await c.call('SET', 'w:swap', 'v');
  assert.equal(await watchedExec(c, 'w:swap', () => other.call('SWAPDB', '0', '9')), null);
  await other.call('SWAPDB', '0', '9');
  // A watched key that did not exist and still does not is untouched by a flush.
  assert.deepEqual(await watchedExec(c, 'w:absent', () => other.call('FLUSHALL')), ['OK']);
  c.close();
  other.close();
});

test('CLIENT LIST shows the MULTI queue and the x flag', async () => {
  const c = await srv.client();
  const other = await srv.client();
  const id = String(await c.call('CLIENT', 'ID'));
  await c.call('MULTI');
  await c.call('SET', 'tx:l', '1');
  await c.call('PING');
  const line = (await other.call('CLIENT', 'LIST', 'ID', id)) as string;
  assert.match(line, / flags=x /);
  assert.match(line, / multi=2 /);
  await c.call('DISCARD');
  assert.match((await other.call('CLIENT', 'LIST', 'ID', id)) as string, / flags=N .* multi=-1 /);
  c.close();
  other.close();
});
