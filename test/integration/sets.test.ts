// Set commands against a spawned Tandem: replies and errors as Redis 7.0 gives them, intset
// ordering and the intset -> hashtable switch, SPOP/SRANDMEMBER counts, set algebra and *STORE.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server';
import { encode, RespError } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';

const { server: srv, client: c } = useServer({ args: ['--set-max-intset-entries', '4'] });

const sorted = (v: unknown): string[] => (v as string[]).slice().sort();

test('intsets reply in integer order and convert on a non-integer or on growth', async () => {
  assert.equal(await c.call('SADD', 'i', '10', '-3', '2', '2'), 3);
  assert.equal(await c.call('OBJECT', 'ENCODING', 'i'), 'intset');
  assert.deepEqual(await c.call('SMEMBERS', 'i'), ['-3', '2', '10']);
  assert.deepEqual(await c.call('SSCAN', 'i', '0'), ['0', ['-3', '2', '10']]);
  await c.call('SADD', 'i', '7', '8');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'i'), 'hashtable');
  await c.call('SADD', 'j', '1', '007');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'j'), 'hashtable');
  assert.deepEqual(sorted(await c.call('SMEMBERS', 'j')), ['007', '1']);
});

test('SREM, SISMEMBER, SMISMEMBER, SCARD, SMOVE', async () => {
  await c.call('SADD', 'a', 'x', 'y', 'z');
  assert.equal(await c.call('SREM', 'a', 'x', 'nope'), 1);
  assert.equal(await c.call('SISMEMBER', 'a', 'y'), 1);
  assert.deepEqual(await c.call('SMISMEMBER', 'a', 'y', 'x'), [1, 0]);
  assert.equal(await c.call('SMOVE', 'a', 'b', 'y'), 1);
  assert.equal(await c.call('SMOVE', 'a', 'b', 'y'), 0);
  assert.equal(await c.call('SMOVE', 'nokey', 'b', 'y'), 0);
  assert.equal(await c.call('SMOVE', 'a', 'b', 'z'), 1);
  assert.equal(await c.call('EXISTS', 'a'), 0);
  assert.equal(await c.call('SCARD', 'b'), 2);
  await c.call('SET', 's', 'v');
  assert.deepEqual(await c.call('SMOVE', 'b', 's', 'y'), new RespError('WRONGTYPE Operation against a key holding the wrong kind of value'));
});

test('SPOP and SRANDMEMBER counts', async () => {
  await c.call('SADD', 'p', 'a', 'b', 'c', 'd', 'e');
  assert.equal(((await c.call('SRANDMEMBER', 'p', '-8')) as string[]).length, 8);
  assert.equal(new Set((await c.call('SRANDMEMBER', 'p', '3')) as string[]).size, 3);
  assert.deepEqual(sorted(await c.call('SRANDMEMBER', 'p', '10')), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(await c.call('SPOP', 'p', '0'), []);
  assert.deepEqual(await c.call('SPOP', 'p', '-1'), new RespError('ERR value is out of range, must be positive'));
  assert.deepEqual(await c.call('SPOP', 'p', '1', '2'), new RespError('ERR syntax error'));
  const two = (await c.call('SPOP', 'p', '2')) as string[];
  assert.equal(two.length, 2);
  assert.equal(await c.call('SCARD', 'p'), 3);
  assert.equal(sorted(await c.call('SPOP', 'p', '100')).length, 3);
  assert.equal(await c.call('EXISTS', 'p'), 0);
  assert.equal(await c.call('SPOP', 'p'), null);
});

test('SINTER/SUNION/SDIFF, their STORE forms and SINTERCARD', async () => {
  await c.call('SADD', 'x1', 'a', 'b', 'c');
  await c.call('SADD', 'x2', 'b', 'c', 'd');
  assert.deepEqual(sorted(await c.call('SINTER', 'x1', 'x2')), ['b', 'c']);
  assert.deepEqual(sorted(await c.call('SUNION', 'x1', 'x2', 'missing')), ['a', 'b', 'c', 'd']);
  assert.deepEqual(await c.call('SDIFF', 'x1', 'x2'), ['a']);
  assert.deepEqual(await c.call('SINTER', 'x1', 'missing'), []);
  assert.equal(await c.call('SINTERSTORE', 'dst', 'x1', 'x2'), 2);
  assert.equal(await c.call('SDIFFSTORE', 'dst', 'x1', 'x1'), 0);
  assert.equal(await c.call('EXISTS', 'dst'), 0);
  assert.equal(await c.call('SUNIONSTORE', 'dst', 'x1', 'x2'), 4);
  assert.equal(await c.call('SINTERCARD', '2', 'x1', 'x2'), 2);
  assert.equal(await c.call('SINTERCARD', '2', 'x1', 'x2', 'LIMIT', '1'), 1);
  assert.deepEqual(await c.call('SINTERCARD', '3', 'x1', 'x2'), new RespError("ERR Number of keys can't be greater than number of args"));
  assert.deepEqual(await c.call('SINTERCARD', '0', 'x1'), new RespError('ERR numkeys should be greater than 0'));
  await c.call('SET', 'str', 'v');
  assert.deepEqual(await c.call('SINTER', 'missing', 'str'), new RespError('WRONGTYPE Operation against a key holding the wrong kind of value'));
});

test('RESP3 replies sets for SMEMBERS and SPOP with a count, arrays for SRANDMEMBER', async () => {
  const r3 = await srv.client();
  await r3.call('HELLO', '3');
  await r3.call('SADD', 'r3', '1', '2');
  const expectRaw = async (argv: string[], raw: string): Promise<void> => {
    r3.writeRaw(encode(argv));
    let got = '';
    await waitFor(`reply to ${argv.join(' ')}`, () => (got += r3.takeRawBuffered().toString('latin1')).length >= raw.length);
    assert.equal(got, raw);
  };
  await expectRaw(['SMEMBERS', 'r3'], '~2\r\n$1\r\n1\r\n$1\r\n2\r\n');
  await expectRaw(['SRANDMEMBER', 'r3', '5'], '*2\r\n$1\r\n1\r\n$1\r\n2\r\n');
  await expectRaw(['SPOP', 'r3', '5'], '~2\r\n$1\r\n1\r\n$1\r\n2\r\n');
  await expectRaw(['SPOP', 'r3', '5'], '~0\r\n');
  r3.close();
});

test('random picks from big sets and hashes stay live and distinct while members come and go', async () => {
  const members = Array.from({ length: 3000 }, (_, i) => `m${i}`);
  await c.call('SADD', 'big', ...members);
  await c.call('HSET', 'bigh', ...members.flatMap((m) => [m, `v-${m}`]));
  assert.ok(members.includes((await c.call('SRANDMEMBER', 'big')) as string));
  // Remove half behind the random picks' back, add some new ones: picks see exactly the live set.
  await c.call('SREM', 'big', ...members.slice(0, 1500));
  await c.call('HDEL', 'bigh', ...members.slice(0, 1500));
  await c.call('SADD', 'big', 'new1', 'new2', 'm0');
  await c.call('HSET', 'bigh', 'new1', 'x');
  const live = new Set([...members.slice(1500), 'new1', 'new2', 'm0']);
  for (let i = 0; i < 300; i++) assert.ok(live.has((await c.call('SRANDMEMBER', 'big')) as string));
  const few = (await c.call('SRANDMEMBER', 'big', '50')) as string[];
  assert.equal(new Set(few).size, 50);
  assert.ok(few.every((m) => live.has(m)));
  assert.equal(((await c.call('SRANDMEMBER', 'big', '-40')) as string[]).filter((m) => live.has(m)).length, 40);
  const fields = (await c.call('HRANDFIELD', 'bigh', '20', 'WITHVALUES')) as string[];
  for (let i = 0; i < fields.length; i += 2) assert.equal(fields[i + 1], fields[i] === 'new1' ? 'x' : `v-${fields[i]}`);
  assert.equal(new Set(fields.filter((_, i) => i % 2 === 0)).size, 20);
  // Draining with SPOP (single and counted) returns every live member exactly once.
  const popped: string[] = [];
  while (popped.length < live.size - 100) popped.push(...((await c.call('SPOP', 'big', '7')) as string[]));
  while ((await c.call('SCARD', 'big')) !== 0) popped.push((await c.call('SPOP', 'big')) as string);
  assert.equal(popped.length, live.size);
  assert.deepEqual(new Set(popped), live);
});
