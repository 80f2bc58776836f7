// The *-max-listpack-* / set-max-intset-entries limits changed by CONFIG SET at runtime (also by
// their old *-ziplist-* names) decide the next write's encoding at once, as in Redis: the
// commands read them through live config holders rather than looking them up per write.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server';

const { client: c } = useServer();

test('hash: a lowered entry or value limit converts on the next HSET, a raised one keeps listpack', async () => {
  await c.call('HSET', 'h1', 'a', '1', 'b', '2');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'h1'), 'listpack');
  assert.equal(await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '2'), 'OK');
  await c.call('HSET', 'h1', 'b', '3');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'h1'), 'listpack');
  await c.call('HSET', 'h1', 'c', '3');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'h1'), 'hashtable');

  assert.equal(await c.call('CONFIG', 'SET', 'hash-max-ziplist-value', '4'), 'OK');
  await c.call('HSET', 'h2', 'f', '1234');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'h2'), 'listpack');
  await c.call('HSET', 'h2', 'f', '12345');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'h2'), 'hashtable');

  assert.equal(await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '128', 'hash-max-listpack-value', '64'), 'OK');
  await c.call('HSET', 'h3', 'a', '1', 'b', '2', 'c', '12345');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'h3'), 'listpack');
});

test('sorted set: the limits at creation and at each insert follow CONFIG SET', async () => {
  assert.equal(await c.call('CONFIG', 'SET', 'zset-max-listpack-entries', '0'), 'OK');
  await c.call('ZADD', 'z1', '1', 'a');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'z1'), 'skiplist');
  assert.equal(await c.call('CONFIG', 'SET', 'zset-max-ziplist-entries', '2'), 'OK');
  await c.call('ZADD', 'z2', '1', 'a', '2', 'b');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'z2'), 'listpack');
  await c.call('ZADD', 'z2', '3', 'c');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'z2'), 'skiplist');

  assert.equal(await c.call('CONFIG', 'SET', 'zset-max-listpack-entries', '128', 'zset-max-listpack-value', '3'), 'OK');
  await c.call('ZADD', 'z3', '1', 'abc');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'z3'), 'listpack');
  await c.call('ZADD', 'z3', '1', 'abcd');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'z3'), 'skiplist');
  await c.call('ZADD', 'z4', '1', 'abcd');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'z4'), 'skiplist');
  assert.equal(await c.call('CONFIG', 'SET', 'zset-max-listpack-value', '64'), 'OK');
});

test('set: a lowered set-max-intset-entries converts on the next SADD', async () => {
  await c.call('SADD', 's1', '1', '2', '3');
  assert.equal(await c.call('OBJECT', 'ENCODING', 's1'), 'intset');
  assert.equal(await c.call('CONFIG', 'SET', 'set-max-intset-entries', '3'), 'OK');
  await c.call('SADD', 's1', '3');
  assert.equal(await c.call('OBJECT', 'ENCODING', 's1'), 'intset');
  await c.call('SADD', 's1', '4');
  assert.equal(await c.call('OBJECT', 'ENCODING', 's1'), 'hashtable');
});
