// Sorted-set commands against a spawned Tandem: ZADD's options, "%.17g" score text, ranges by
// rank/score/lex with LIMIT and REV, pops, set algebra with weights and aggregates, encodings
// and the RESP3 reply shapes (doubles, nested member/score pairs).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server';
import { RespError } from '../helpers/resp-client';

const { server: srv, client: c } = useServer({ args: ['--zset-max-listpack-entries', '4'] });

test('ZADD options, ZINCRBY and score text', async () => {
  assert.equal(await c.call('ZADD', 'z', '1.1', 'a', '2', 'b', '3', 'c'), 3);
  assert.equal(await c.call('ZSCORE', 'z', 'a'), '1.1000000000000001');
  assert.equal(await c.call('ZADD', 'z', 'CH', '5', 'a', '2', 'b', '4', 'd'), 2);
  assert.equal(await c.call('ZADD', 'z', 'NX', '9', 'a'), 0);
  assert.equal(await c.call('ZADD', 'z', 'XX', 'GT', 'CH', '1', 'a', '6', 'b'), 1);
  assert.equal(await c.call('ZADD', 'z', 'INCR', '0.5', 'c'), '3.5');
  assert.equal(await c.call('ZADD', 'z', 'NX', 'INCR', '1', 'c'), null);
  assert.equal(await c.call('ZINCRBY', 'z', '1e20', 'd'), '1e+20');
  assert.equal(await c.call('ZINCRBY', 'z', 'inf', 'a'), 'inf');
  assert.deepEqual(await c.call('ZINCRBY', 'z', '-inf', 'a'), new RespError('ERR resulting score is not a number (NaN)'));
  assert.deepEqual(await c.call('ZADD', 'z', 'NX', 'XX', '1', 'a'), new RespError('ERR XX and NX options at the same time are not compatible'));
  assert.deepEqual(await c.call('ZADD', 'z', 'GT', 'LT', '1', 'a'), new RespError('ERR GT, LT, and/or NX options at the same time are not compatible'));
  assert.deepEqual(await c.call('ZADD', 'z', 'INCR', '1', 'a', '2', 'b'), new RespError('ERR INCR option supports a single increment-element pair'));
  assert.deepEqual(await c.call('ZADD', 'z', 'nan', 'a'), new RespError('ERR value is not a valid float'));
  assert.deepEqual(await c.call('ZADD', 'z', '1e400', 'a'), new RespError('ERR value is not a valid float'));
  assert.deepEqual(await c.call('ZADD', 'z', '1e-400', 'a'), new RespError('ERR value is not a valid float'), 'an underflow to 0 is refused, as Redis does');
  assert.deepEqual(await c.call('ZRANGE', 'z', '0', '-1', 'WITHSCORES'), ['c', '3.5', 'b', '6', 'd', '1e+20', 'a', 'inf']);
  assert.deepEqual(await c.call('ZMSCORE', 'z', 'b', 'zz'), ['6', null]);
  assert.equal(await c.call('ZRANK', 'z', 'd'), 2);
  assert.equal(await c.call('ZREVRANK', 'z', 'd'), 1);
  assert.equal(await c.call('ZRANK', 'z', 'zz'), null);
});

test('range queries: rank, score and lex with REV and LIMIT', async () => {
  await c.call('ZADD', 'r', '1', 'one', '2', 'two', '3', 'three', '4', 'four', '5', 'five');
  assert.deepEqual(await c.call('ZRANGE', 'r', '1', '2'), ['two', 'three']);
  assert.deepEqual(await c.call('ZRANGE', 'r', '0', '1', 'REV'), ['five', 'four']);
  assert.deepEqual(await c.call('ZRANGE', 'r', '(1', '3', 'BYSCORE'), ['two', 'three']);
  assert.deepEqual(await c.call('ZRANGE', 'r', '+inf', '(3', 'BYSCORE', 'REV', 'LIMIT', '1', '5'), ['four']);
  assert.deepEqual(await c.call('ZRANGEBYSCORE', 'r', '-inf', '+inf', 'LIMIT', '-1', '5'), []);
  assert.deepEqual(await c.call('ZREVRANGEBYSCORE', 'r', '2', '1', 'WITHSCORES'), ['two', '2', 'one', '1']);
  assert.equal(await c.call('ZCOUNT', 'r', '(1', '4'), 3);
  assert.deepEqual(await c.call('ZCOUNT', 'r', 'x', '4'), new RespError('ERR min or max is not a float'));
  assert.deepEqual(await c.call('ZRANGE', 'r', '0', '1', 'LIMIT', '0', '1'), new RespError('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX'));
  assert.deepEqual(await c.call('ZRANGEBYSCORE', 'r', '0', '1', 'REV'), new RespError('ERR syntax error'));
  await c.call('ZADD', 'lex', '0', 'a', '0', 'b', '0', 'c', '0', 'd');
  assert.deepEqual(await c.call('ZRANGE', 'lex', '[b', '(d', 'BYLEX'), ['b', 'c']);
  assert.deepEqual(await c.call('ZREVRANGEBYLEX', 'lex', '+', '-', 'LIMIT', '1', '2'), ['c', 'b']);
  assert.equal(await c.call('ZLEXCOUNT', 'lex', '-', '(c'), 2);
  assert.deepEqual(await c.call('ZLEXCOUNT', 'lex', 'a', 'c'), new RespError('ERR min or max not valid string range item'));
  assert.deepEqual(await c.call('ZRANGE', 'lex', '-', '+', 'BYLEX', 'WITHSCORES'), new RespError('ERR syntax error, WITHSCORES not supported in combination with BYLEX'));
});

test('removals by rank/score/lex, pops, ZMPOP and the key vanishing', async () => {
  await c.call('ZADD', 'p', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'f');
  assert.equal(await c.call('ZREMRANGEBYRANK', 'p', '0', '0'), 1);
  assert.equal(await c.call('ZREMRANGEBYSCORE', 'p', '(5', '+inf'), 1);
  assert.equal(await c.call('ZREMRANGEBYLEX', 'p', '[e', '+'), 1);
  assert.deepEqual(await c.call('ZPOPMIN', 'p'), ['b', '2']);
  assert.deepEqual(await c.call('ZPOPMAX', 'p', '5'), ['d', '4', 'c', '3']);
  assert.equal(await c.call('EXISTS', 'p'), 0);
  assert.deepEqual(await c.call('ZPOPMIN', 'p'), []);
  await c.call('ZADD', 'q', '1', 'a', '2', 'b');
  assert.deepEqual(await c.call('ZMPOP', '2', 'nokey', 'q', 'MAX', 'COUNT', '5'), ['q', [['b', '2'], ['a', '1']]]);
  assert.equal(await c.call('ZMPOP', '1', 'q', 'MIN'), null);
  assert.deepEqual(await c.call('ZMPOP', '1', 'q', 'MID'), new RespError('ERR syntax error'));
});

test('ZUNION/ZINTER/ZDIFF with weights and aggregates, sets as inputs, *STORE', async () => {
  await c.call('ZADD', 'u1', '1', 'a', '2', 'b');
  await c.call('ZADD', 'u2', '10', 'b', '20', 'c');
  await c.call('SADD', 'plain', 'a', 'c');
  assert.deepEqual(await c.call('ZUNION', '2', 'u1', 'u2', 'WITHSCORES'), ['a', '1', 'b', '12', 'c', '20']);
  assert.deepEqual(await c.call('ZINTER', '2', 'u1', 'u2', 'WEIGHTS', '2', '0.5', 'AGGREGATE', 'MAX', 'WITHSCORES'), ['b', '5']);
  assert.deepEqual(await c.call('ZUNION', '2', 'u1', 'plain', 'AGGREGATE', 'MIN', 'WITHSCORES'), ['a', '1', 'c', '1', 'b', '2']);
  assert.deepEqual(await c.call('ZDIFF', '2', 'u1', 'u2'), ['a']);
  assert.equal(await c.call('ZINTERCARD', '2', 'u1', 'u2'), 1);
  assert.equal(await c.call('ZUNIONSTORE', 'dst', '2', 'u1', 'u2'), 3);
  assert.equal(await c.call('OBJECT', 'ENCODING', 'dst'), 'listpack');
  assert.equal(await c.call('ZINTERSTORE', 'dst', '2', 'u1', 'nokey'), 0);
  assert.equal(await c.call('EXISTS', 'dst'), 0);
  assert.equal(await c.call('ZRANGESTORE', 'dst', 'u2', '0', '-1'), 2);
  assert.deepEqual(await c.call('ZUNION', '0', 'u1'), new RespError("ERR at least 1 input key is needed for 'zunion' command"));
  assert.deepEqual(await c.call('ZUNION', '1', 'u1', 'WEIGHTS', 'x'), new RespError('ERR weight value is not a float'));
  await c.call('SET', 'str', 'v');
  assert.deepEqual(await c.call('ZUNION', '1', 'str', 'WEIGHTS', 'x'), new RespError('WRONGTYPE Operation against a key holding the wrong kind of value'));
});

test('listpack -> skiplist on growth or a long member', async () => {
  await c.call('ZADD', 'e', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'e'), 'listpack');
  await c.call('ZADD', 'e', '5', 'e');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'e'), 'skiplist');
  await c.call('ZADD', 'long', '1', 'x'.repeat(65));
  assert.equal(await c.call('OBJECT', 'ENCODING', 'long'), 'skiplist');
});

test('RESP3: doubles, nested pairs for WITHSCORES and counted pops, flat single pops', async () => {
  const r3 = await srv.client();
  await r3.call('HELLO', '3');
  await r3.call('ZADD', 'd3', '1.5', 'a', '2', 'b');
  assert.deepEqual(await r3.call('ZSCORE', 'd3', 'a'), { double: '1.5' });
  assert.deepEqual(await r3.call('ZRANGE', 'd3', '0', '-1', 'WITHSCORES'), [['a', { double: '1.5' }], ['b', { double: '2' }]]);
  assert.deepEqual(await r3.call('ZRANDMEMBER', 'd3', '5', 'WITHSCORES'), [['b', { double: '2' }], ['a', { double: '1.5' }]]);
  assert.deepEqual(await r3.call('ZPOPMIN', 'd3'), ['a', { double: '1.5' }]);
  assert.deepEqual(await r3.call('ZPOPMAX', 'd3', '1'), [['b', { double: '2' }]]);
  assert.deepEqual(await r3.call('ZSCAN', 'd3', '0'), ['0', []]);
  r3.close();
});

test('ZSCAN walks a skiplist-encoded set to completion', async () => {
  const args: string[] = [];
  for (let i = 0; i < 40; i++) args.push(String(i), 'm' + i);
  await c.call('ZADD', 'scan', ...args);
  const seen = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, items] = (await c.call('ZSCAN', 'scan', cursor, 'COUNT', '5')) as [string, string[]];
    for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
    cursor = next;
  } while (cursor !== '0');
  assert.equal(seen.size, 40);
  assert.equal(seen.get('m7'), '7');
});
