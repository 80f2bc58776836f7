// Hash commands against a spawned Tandem: replies and errors as Redis 7.0 gives them, the
// listpack -> hashtable encoding switch, HINCRBYFLOAT's long-double text, HRANDFIELD and HSCAN.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server';
import { RespError } from '../helpers/resp-client';

const { server: srv, client: c } = useServer({ args: ['--hash-max-listpack-entries', '4', '--hash-max-listpack-value', '8'] });

test('HSET/HGET/HMGET/HDEL and the key vanishing with its last field', async () => {
  assert.equal(await c.call('HSET', 'h', 'a', '1', 'b', '2'), 2);
  assert.equal(await c.call('HSET', 'h', 'a', '3', 'c', '4'), 1);
  assert.deepEqual(await c.call('HSET', 'h', 'a'), new RespError("ERR wrong number of arguments for 'hset' command"));
  assert.equal(await c.call('HMSET', 'h', 'd', '5'), 'OK');
  assert.equal(await c.call('HSETNX', 'h', 'd', '9'), 0);
  assert.deepEqual(await c.call('HMGET', 'h', 'a', 'zz', 'd'), ['3', null, '5']);
  assert.deepEqual(await c.call('HGETALL', 'h'), ['a', '3', 'b', '2', 'c', '4', 'd', '5']);
  assert.deepEqual(await c.call('HKEYS', 'h'), ['a', 'b', 'c', 'd']);
  assert.equal(await c.call('HSTRLEN', 'h', 'a'), 1);
  assert.equal(await c.call('HEXISTS', 'h', 'zz'), 0);
  assert.equal(await c.call('HDEL', 'h', 'a', 'b', 'c', 'd', 'e'), 4);
  assert.equal(await c.call('EXISTS', 'h'), 0);
  assert.deepEqual(await c.call('HGETALL', 'h'), []);
});

test('listpack until an entry count or a field/value length passes the limits', async () => {
  await c.call('HSET', 'small', 'f', 'v');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'small'), 'listpack');
  await c.call('HSET', 'small', 'a', '1', 'b', '2', 'c', '3');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'small'), 'listpack');
  await c.call('HSET', 'small', 'd', '4');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'small'), 'hashtable');
  await c.call('HSET', 'long', 'f', '123456789');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'long'), 'hashtable');
  await c.call('HINCRBYFLOAT', 'float', 'f', '1e20');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'float'), 'hashtable');
});

test('HINCRBY and HINCRBYFLOAT, with Redis long-double text and errors', async () => {
  assert.equal(await c.call('HINCRBY', 'n', 'i', '5'), 5);
  assert.equal(await c.call('HINCRBY', 'n', 'i', '-7'), -2);
  await c.call('HSET', 'n', 'big', '9223372036854775807', 's', 'abc');
  assert.deepEqual(await c.call('HINCRBY', 'n', 'big', '1'), new RespError('ERR increment or decrement would overflow'));
  assert.deepEqual(await c.call('HINCRBY', 'n', 's', '1'), new RespError('ERR hash value is not an integer'));
  assert.deepEqual(await c.call('HINCRBY', 'n', 'i', '1.5'), new RespError('ERR value is not an integer or out of range'));
  assert.equal(await c.call('HINCRBYFLOAT', 'n', 'f', '10.5'), '10.5');
  assert.equal(await c.call('HINCRBYFLOAT', 'n', 'f', '0.1'), '10.6');
  assert.equal(await c.call('HINCRBYFLOAT', 'n', 'g', '5000'), '5000');
  assert.equal(await c.call('HINCRBYFLOAT', 'n', 'g', '1.5e-7'), '5000.00000014999999998');
  assert.deepEqual(await c.call('HINCRBYFLOAT', 'n', 's', '1'), new RespError('ERR hash value is not a float'));
  assert.deepEqual(await c.call('HINCRBYFLOAT', 'n', 'f', 'inf'), new RespError('ERR value is NaN or Infinity'));
  assert.deepEqual(await c.call('HINCRBYFLOAT', 'n', 'f', 'x'), new RespError('ERR value is not a valid float'));
});

test('HRANDFIELD counts and HSCAN of a listpack hash', async () => {
  await c.call('HSET', 'r', 'a', '1', 'b', '2', 'c', '3');
  assert.deepEqual(await c.call('HRANDFIELD', 'r', '10', 'WITHVALUES'), ['a', '1', 'b', '2', 'c', '3']);
  assert.equal(((await c.call('HRANDFIELD', 'r', '-5')) as string[]).length, 5);
  assert.equal(((await c.call('HRANDFIELD', 'r', '2')) as string[]).length, 2);
  assert.deepEqual(await c.call('HRANDFIELD', 'r', '0'), []);
  assert.equal(await c.call('HRANDFIELD', 'nokey'), null);
  assert.deepEqual(await c.call('HRANDFIELD', 'r', '1', 'WITHSCORES'), new RespError('ERR syntax error'));
  assert.deepEqual(await c.call('HSCAN', 'r', '0', 'MATCH', '[ab]'), ['0', ['a', '1', 'b', '2']]);
  assert.deepEqual(await c.call('HSCAN', 'nokey', '0', 'COUNT', '0'), ['0', []]);
  assert.deepEqual(await c.call('HSCAN', 'r', '0', 'COUNT', '0'), new RespError('ERR syntax error'));
  const r3 = await srv.client();
  await r3.call('HELLO', '3');
  assert.deepEqual(await r3.call('HRANDFIELD', 'r', '10', 'WITHVALUES'), [['a', '1'], ['b', '2'], ['c', '3']]);
  assert.deepEqual(await r3.call('HGETALL', 'r'), new Map([['a', '1'], ['b', '2'], ['c', '3']]));
  r3.close();
});

test('HSCAN over a hashtable visits every field once with COUNT-sized steps', async () => {
  const fields: string[] = [];
  for (let i = 0; i < 50; i++) fields.push('f' + i, String(i));
  await c.call('HSET', 'big', ...fields);
  const seen = new Set<string>();
  let cursor = '0';
  let calls = 0;
  do {
    const [next, items] = (await c.call('HSCAN', 'big', cursor, 'COUNT', '7')) as [string, string[]];
    for (let i = 0; i < items.length; i += 2) seen.add(items[i]);
    cursor = next;
    calls++;
  } while (cursor !== '0');
  assert.equal(seen.size, 50);
  assert.ok(calls >= 7, `${calls} calls`);
});
