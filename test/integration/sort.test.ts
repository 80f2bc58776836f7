// SORT and SORT_RO against a spawned Tandem: numeric and ALPHA order, BY weights (and "nosort"),
// GET patterns with # and hash fields, LIMIT, DESC, STORE, and the errors Redis 7.0 gives.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server';
import { RespError } from '../helpers/resp-client';

const { client: c } = useServer({}, async (client) => {
  await client.call('RPUSH', 'l', '3', '1', '2', '10');
  await client.call('RPUSH', 'names', 'bob', 'al', 'cy');
  await client.call('MSET', 'w_bob', '2', 'w_al', '3', 'w_cy', '1');
  await client.call('HSET', 'h_bob', 'age', '40');
  await client.call('HSET', 'h_al', 'age', '30');
});

test('numeric and ALPHA sorting with LIMIT and DESC', async () => {
  assert.deepEqual(await c.call('SORT', 'l'), ['1', '2', '3', '10']);
  assert.deepEqual(await c.call('SORT', 'l', 'ALPHA'), ['1', '10', '2', '3']);
  assert.deepEqual(await c.call('SORT', 'l', 'DESC', 'LIMIT', '1', '2'), ['3', '2']);
  assert.deepEqual(await c.call('SORT', 'l', 'LIMIT', '10', '2'), []);
  assert.deepEqual(await c.call('SORT', 'names'), new RespError("ERR One or more scores can't be converted into double"));
  assert.deepEqual(await c.call('SORT', 'missing'), []);
});

test('BY weights, BY nosort and GET patterns', async () => {
  assert.deepEqual(await c.call('SORT', 'names', 'BY', 'w_*'), ['cy', 'bob', 'al']);
  assert.deepEqual(await c.call('SORT', 'names', 'BY', 'nosort', 'DESC'), ['cy', 'al', 'bob']);
  assert.deepEqual(await c.call('SORT', 'names', 'BY', 'w_*', 'GET', '#', 'GET', 'h_*->age'), ['cy', null, 'bob', '40', 'al', '30']);
  assert.deepEqual(await c.call('SORT', 'names', 'BY', 'h_*->age', 'GET', 'w_*'), ['1', '3', '2']);
  assert.deepEqual(await c.call('SORT_RO', 'names', 'ALPHA', 'GET', 'nostar'), [null, null, null]);
});

test('STORE writes a list, or deletes the destination for an empty result', async () => {
  assert.equal(await c.call('SORT', 'l', 'DESC', 'STORE', 'out'), 4);
  assert.deepEqual(await c.call('LRANGE', 'out', '0', '-1'), ['10', '3', '2', '1']);
  assert.equal(await c.call('SORT', 'names', 'BY', 'w_*', 'GET', 'h_*->age', 'STORE', 'out'), 3);
  assert.deepEqual(await c.call('LRANGE', 'out', '0', '-1'), ['', '40', '30']);
  assert.equal(await c.call('SORT', 'missing', 'STORE', 'out'), 0);
  assert.equal(await c.call('EXISTS', 'out'), 0);
  assert.deepEqual(await c.call('SORT_RO', 'l', 'STORE', 'out'), new RespError('ERR syntax error'));
});

test('sets and sorted sets sort too; other types are WRONGTYPE', async () => {
  await c.call('SADD', 's', '5', '-1', '3');
  assert.deepEqual(await c.call('SORT', 's'), ['-1', '3', '5']);
  await c.call('ZADD', 'z', '1', 'x', '2', 'y', '3', 'w');
  assert.deepEqual(await c.call('SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '0', '2', 'ALPHA'), ['w', 'y']);
  assert.deepEqual(await c.call('SORT', 'z', 'ALPHA'), ['w', 'x', 'y']);
  assert.equal(await c.call('OBJECT', 'ENCODING', 'z'), 'skiplist');
  await c.call('SET', 'str', 'v');
  assert.deepEqual(await c.call('SORT', 'str'), new RespError('WRONGTYPE Operation against a key holding the wrong kind of value'));
  assert.deepEqual(await c.call('SORT', 'l', 'LIMIT', '0'), new RespError('ERR syntax error'));
});
