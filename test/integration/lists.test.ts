// List commands against a spawned Tandem: replies and errors as Redis 7.0 gives them, key
// deletion when a list empties, LMPOP/LMOVE semantics and the RESP3 null shapes.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server';
import { encode, RespClient, RespError } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';

const { server: srv, client: c } = useServer();

test('push, range, index, pop with count, and the key vanishes when empty', async () => {
  assert.equal(await c.call('RPUSH', 'l', 'a', 'b', 'c'), 3);
  assert.equal(await c.call('LPUSH', 'l', 'z'), 4);
  assert.deepEqual(await c.call('LRANGE', 'l', '0', '-1'), ['z', 'a', 'b', 'c']);
  assert.deepEqual(await c.call('LRANGE', 'l', '-100', '1'), ['z', 'a']);
  assert.deepEqual(await c.call('LRANGE', 'l', '5', '10'), []);
  assert.equal(await c.call('LINDEX', 'l', '-1'), 'c');
  assert.equal(await c.call('LINDEX', 'l', '9'), null);
  assert.deepEqual(await c.call('LPOP', 'l', '0'), []);
  assert.deepEqual(await c.call('RPOP', 'l', '2'), ['c', 'b']);
  assert.deepEqual(await c.call('LPOP', 'l', '-1'), new RespError('ERR value is out of range, must be positive'));
  assert.deepEqual(await c.call('LPOP', 'l', '5'), ['z', 'a']);
  assert.equal(await c.call('EXISTS', 'l'), 0);
  assert.equal(await c.call('LPOP', 'l'), null);
  assert.equal(await c.call('LPUSHX', 'l', 'x'), 0);
  assert.equal(await c.call('EXISTS', 'l'), 0);
});

test('LSET, LINSERT, LREM, LTRIM and their errors', async () => {
  assert.deepEqual(await c.call('LSET', 'nolist', '0', 'x'), new RespError('ERR no such key'));
  await c.call('RPUSH', 'e', 'a', 'b', 'a', 'c', 'a');
  assert.deepEqual(await c.call('LSET', 'e', '9', 'x'), new RespError('ERR index out of range'));
  assert.equal(await c.call('LSET', 'e', '-1', 'A'), 'OK');
  assert.equal(await c.call('LINSERT', 'e', 'BEFORE', 'c', 'x'), 6);
  assert.equal(await c.call('LINSERT', 'e', 'AFTER', 'nope', 'x'), -1);
  assert.equal(await c.call('LINSERT', 'missing', 'AFTER', 'a', 'x'), 0);
  assert.deepEqual(await c.call('LINSERT', 'e', 'MIDDLE', 'a', 'x'), new RespError('ERR syntax error'));
  assert.equal(await c.call('LREM', 'e', '-1', 'a'), 1);
  assert.deepEqual(await c.call('LRANGE', 'e', '0', '-1'), ['a', 'b', 'x', 'c', 'A']);
  assert.equal(await c.call('LTRIM', 'e', '1', '-2'), 'OK');
  assert.deepEqual(await c.call('LRANGE', 'e', '0', '-1'), ['b', 'x', 'c']);
  assert.equal(await c.call('LTRIM', 'e', '5', '1'), 'OK');
  assert.equal(await c.call('EXISTS', 'e'), 0);
});

test('LPOS with RANK, COUNT and MAXLEN', async () => {
  await c.call('RPUSH', 'p', 'a', 'b', 'c', 'b', 'b', 'd');
  assert.equal(await c.call('LPOS', 'p', 'b'), 1);
  assert.equal(await c.call('LPOS', 'p', 'b', 'RANK', '-1'), 4);
  assert.deepEqual(await c.call('LPOS', 'p', 'b', 'COUNT', '0'), [1, 3, 4]);
  assert.deepEqual(await c.call('LPOS', 'p', 'b', 'RANK', '2', 'COUNT', '5'), [3, 4]);
  assert.deepEqual(await c.call('LPOS', 'p', 'b', 'COUNT', '0', 'MAXLEN', '3'), [1]);
  assert.equal(await c.call('LPOS', 'p', 'zz'), null);
  assert.deepEqual(await c.call('LPOS', 'p', 'b', 'RANK', '0'), new RespError("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"));
  assert.deepEqual(await c.call('LPOS', 'p', 'b', 'COUNT', '-1'), new RespError("ERR COUNT can't be negative"));
  assert.deepEqual(await c.call('LPOS', 'nokey', 'b', 'COUNT', '1'), []);
});

test('LMOVE, RPOPLPUSH and rotation of one list', async () => {
  await c.call('RPUSH', 'src', '1', '2', '3');
  assert.equal(await c.call('LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'), '1');
  assert.equal(await c.call('RPOPLPUSH', 'src', 'dst'), '3');
  assert.deepEqual(await c.call('LRANGE', 'dst', '0', '-1'), ['3', '1']);
  assert.equal(await c.call('LMOVE', 'dst', 'dst', 'RIGHT', 'LEFT'), '1');
  assert.deepEqual(await c.call('LRANGE', 'dst', '0', '-1'), ['1', '3']);
  assert.equal(await c.call('LMOVE', 'nokey', 'dst', 'LEFT', 'LEFT'), null);
  assert.deepEqual(await c.call('LMOVE', 'src', 'dst', 'UP', 'LEFT'), new RespError('ERR syntax error'));
  await c.call('SET', 'str', 'x');
  assert.deepEqual(await c.call('LMOVE', 'src', 'str', 'LEFT', 'LEFT'), new RespError('WRONGTYPE Operation against a key holding the wrong kind of value'));
  assert.deepEqual(await c.call('LRANGE', 'src', '0', '-1'), ['2']);
});

test('LMPOP pops from the first non-empty list', async () => {
  await c.call('RPUSH', 'm2', 'a', 'b', 'c');
  assert.deepEqual(await c.call('LMPOP', '3', 'm1', 'm2', 'm3', 'RIGHT', 'COUNT', '2'), ['m2', ['c', 'b']]);
  assert.deepEqual(await c.call('LMPOP', '1', 'm1', 'LEFT'), null);
  assert.deepEqual(await c.call('LMPOP', '0', 'm1', 'LEFT'), new RespError('ERR numkeys should be greater than 0'));
  assert.deepEqual(await c.call('LMPOP', '2', 'm1', 'LEFT'), new RespError('ERR syntax error'));
  assert.deepEqual(await c.call('LMPOP', '1', 'm2', 'LEFT', 'COUNT', '0'), new RespError('ERR count should be greater than 0'));
  assert.deepEqual(await c.call('LMPOP', '1', 'm2', 'LEFT'), ['m2', ['a']]);
  assert.equal(await c.call('EXISTS', 'm2'), 0);
});

test('WRONGTYPE and RESP3 nulls', async () => {
  await c.call('SET', 's', 'v');
  for (const argv of [['LPUSH', 's', 'x'], ['LRANGE', 's', '0', '1'], ['LLEN', 's'], ['LPOP', 's']]) {
    assert.deepEqual(await c.call(...argv), new RespError('WRONGTYPE Operation against a key holding the wrong kind of value'));
  }
  // Missing-key replies keep Redis's exact shapes: *-1 for a pop with a count, $-1 without, and
  // RESP3's single null for both.
  const expectRaw = async (cl: RespClient, argv: string[], raw: string): Promise<void> => {
    cl.writeRaw(encode(argv));
    let got = '';
    await waitFor(`reply to ${argv.join(' ')}`, () => (got += cl.takeRawBuffered().toString('latin1')).length >= raw.length);
    assert.equal(got, raw);
  };
  const r2 = await srv.client();
  await expectRaw(r2, ['LPOP', 'nokey', '2'], '*-1\r\n');
  await expectRaw(r2, ['LPOP', 'nokey'], '$-1\r\n');
  await expectRaw(r2, ['LMPOP', '1', 'nokey', 'LEFT'], '*-1\r\n');
  await r2.call('HELLO', '3');
  await expectRaw(r2, ['LPOP', 'nokey', '2'], '_\r\n');
  await expectRaw(r2, ['LINDEX', 'nokey', '0'], '_\r\n');
  r2.close();
});
