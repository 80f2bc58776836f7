// Pub/sub against a spawned server: confirmations and their counts, message and pmessage
// delivery, RESP2 subscriber mode restrictions, RESP3 pushes, shard channels and PUBSUB
// introspection, all with Redis 7.0's exact replies.

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

/** Sends a command whose replies are several pushes and reads `count` of them. */
async function callMany(c: RespClient, count: number, ...argv: string[]): Promise<unknown[]> {
  const first = await c.call(...argv);
  const out = [first];
  for (let i = 1; i < count; i++) out.push(await c.read());
  return out;
}

test('SUBSCRIBE/PSUBSCRIBE confirm with running counts and receive message/pmessage', async () => {
  const sub = await srv.client();
  const pub = await srv.client();
  assert.deepEqual(await callMany(sub, 2, 'SUBSCRIBE', 'news', 'news'), [['subscribe', 'news', 1], ['subscribe', 'news', 1]]);
  assert.deepEqual(await sub.call('PSUBSCRIBE', 'n?ws*'), ['psubscribe', 'n?ws*', 2]);
  assert.equal(await pub.call('PUBLISH', 'news', 'hello\0world'), 2);
  assert.deepEqual(await sub.read(), ['message', 'news', 'hello\0world']);
  assert.deepEqual(await sub.read(), ['pmessage', 'n?ws*', 'news', 'hello\0world']);
  assert.equal(await pub.call('PUBLISH', 'newsroom', 'x'), 1);
  assert.deepEqual(await sub.read(), ['pmessage', 'n?ws*', 'newsroom', 'x']);
  assert.equal(await pub.call('PUBLISH', 'nobody', 'x'), 0);
  sub.close();
  pub.close();
});

test('RESP2 subscriber mode allows only (P|S)(UN)SUBSCRIBE, PING, QUIT, RESET', async () => {
  const sub = await srv.client();
  await sub.call('SUBSCRIBE', 'c1');
  assert.deepEqual(
    await sub.call('GET', 'k'),
    new RespError("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"),
  );
  assert.deepEqual(
    await sub.call('CLIENT', 'ID'),
    new RespError("ERR Can't execute 'client|id': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"),
  );
  assert.deepEqual(await sub.call('PING'), ['pong', '']);
  assert.deepEqual(await sub.call('PING', 'hi'), ['pong', 'hi']);
  assert.deepEqual(await sub.call('UNSUBSCRIBE'), ['unsubscribe', 'c1', 0]);
  assert.deepEqual(await sub.call('UNSUBSCRIBE'), ['unsubscribe', null, 0]);
  assert.deepEqual(await sub.call('PUNSUBSCRIBE'), ['punsubscribe', null, 0]);
  // Out of subscriber mode: ordinary commands again.
  assert.equal(await sub.call('PING'), 'PONG');
  sub.close();
});

test('unsubscribing everything reports counts of channels plus patterns; shard counts apart', async () => {
  const sub = await srv.client();
  await callMany(sub, 2, 'PSUBSCRIBE', 'p*', 'q');
  assert.deepEqual(await callMany(sub, 2, 'SSUBSCRIBE', 's1', 's2'), [['ssubscribe', 's1', 1], ['ssubscribe', 's2', 2]]);
  assert.deepEqual(await sub.call('UNSUBSCRIBE'), ['unsubscribe', null, 2]);
  assert.deepEqual(await callMany(sub, 2, 'PUNSUBSCRIBE'), [['punsubscribe', 'p*', 1], ['punsubscribe', 'q', 0]]);
  // Still a subscriber through the shard channels.
  assert.ok((await sub.call('GET', 'k')) instanceof RespError);
  assert.deepEqual(await callMany(sub, 2, 'SUNSUBSCRIBE'), [['sunsubscribe', 's1', 1], ['sunsubscribe', 's2', 0]]);
  assert.equal(await sub.call('GET', 'k'), null);
  sub.close();
});

test('RESP3: confirmations and messages are pushes, and any command may run', async () => {
  const sub = await srv.client();
  const pub = await srv.client();
  await sub.call('HELLO', '3');
  assert.deepEqual(await sub.call('SUBSCRIBE', 'r3'), { push: ['subscribe', 'r3', 1] });
  assert.equal(await sub.call('SET', 'r3:key', 'v'), 'OK');
  assert.equal(await sub.call('PING'), 'PONG');
  assert.equal(await pub.call('PUBLISH', 'r3', 'm'), 1);
  assert.deepEqual(await sub.read(), { push: ['message', 'r3', 'm'] });
  // Publishing to itself: the push comes before PUBLISH's own reply.
  assert.deepEqual(await sub.call('PUBLISH', 'r3', 'self'), { push: ['message', 'r3', 'self'] });
  assert.equal(await sub.read(), 1);
  assert.deepEqual(await sub.call('UNSUBSCRIBE'), { push: ['unsubscribe', 'r3', 0] });
  assert.deepEqual(await sub.call('UNSUBSCRIBE'), { push: ['unsubscribe', null, 0] });
  sub.close();
  pub.close();
});

test('SPUBLISH reaches shard subscribers only; PUBSUB introspection', async () => {
  const a = await srv.client();
  const b = await srv.client();
  const q = await srv.client();
  await a.call('SUBSCRIBE', 'intro:x');
  await b.call('SUBSCRIBE', 'intro:x');
  await b.call('PSUBSCRIBE', 'intro:*');
  await a.call('SSUBSCRIBE', 'shard:1');
  assert.equal(await q.call('SPUBLISH', 'shard:1', 'm'), 1);
  assert.deepEqual(await a.read(), ['smessage', 'shard:1', 'm']);
  assert.equal(await q.call('PUBLISH', 'shard:1', 'm'), 0);
  assert.deepEqual(await q.call('PUBSUB', 'CHANNELS', 'intro:*'), ['intro:x']);
  assert.deepEqual(await q.call('PUBSUB', 'NUMSUB', 'intro:x', 'none'), ['intro:x', 2, 'none', 0]);
  assert.equal(await q.call('PUBSUB', 'NUMPAT'), 1);
  assert.deepEqual(await q.call('PUBSUB', 'SHARDCHANNELS'), ['shard:1']);
  assert.deepEqual(await q.call('PUBSUB', 'SHARDNUMSUB', 'shard:1'), ['shard:1', 1]);
  assert.deepEqual(
    await q.call('PUBSUB', 'CHANNELS', 'a', 'b'),
    new RespError("ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP."),
  );
  assert.equal(((await q.call('PUBSUB', 'HELP')) as string[]).length, 14);
  // A disconnected subscriber is forgotten.
  a.close();
  b.close();
  await waitFor('subscribers to be dropped', async () => (await q.call('PUBSUB', 'NUMSUB', 'intro:x'))?.toString() === 'intro:x,0');
  assert.equal(await q.call('PUBSUB', 'NUMPAT'), 0);
  q.close();
});

test('RESET leaves subscriber mode; CLIENT LIST shows the P flag and counts', async () => {
  const sub = await srv.client();
  const other = await srv.client();
  const id = String(await sub.call('CLIENT', 'ID'));
  await callMany(sub, 2, 'SUBSCRIBE', 'l1', 'l2');
  await sub.call('PSUBSCRIBE', 'l*');
  const line = (await other.call('CLIENT', 'LIST', 'ID', id)) as string;
  assert.match(line, / flags=P .* sub=2 psub=1 ssub=0 /);
  assert.equal(await sub.call('RESET'), 'RESET');
  assert.equal(await sub.call('GET', 'k'), null);
  assert.equal(await other.call('PUBLISH', 'l1', 'x'), 0);
  sub.close();
  other.close();
});

test("a message published on the master reaches a replica's subscribers", async () => {
  const replica = await startServer({ args: ['--replicaof', '127.0.0.1', String(srv.port)] });
  const sub = await replica.client();
  const watcher = await replica.client();
  const pub = await srv.client();
  try {
    await waitFor('the replica link', async () => ((await watcher.call('INFO', 'replication')) as string).includes('master_link_status:up'));
    assert.deepEqual(await sub.call('SUBSCRIBE', 'relayed'), ['subscribe', 'relayed', 1]);
    // Only the replica's subscriber listens: the master counts no receiver.
    assert.equal(await pub.call('PUBLISH', 'relayed', 'via-stream'), 0);
    assert.deepEqual(await sub.read(), ['message', 'relayed', 'via-stream']);
  } finally {
    sub.close();
    watcher.close();
    pub.close();
    await replica.stop();
  }
});
