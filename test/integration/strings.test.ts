// String commands against a spawned Tandem server, with the exact replies and errors a real
// Redis 7.0.15 gave for the same input (recorded side by side with redis-cli), and what each
// write propagates to replicas/AOF, captured in-process from the replication feed.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server';
import { RespError, parseReply, RespValue } from '../helpers/resp-client';
import { Config } from '../../src/config/config';
import { Logger } from '../../src/server/log';
import { createServer } from '../../src/server/setup';
import { processCommand } from '../../src/server/dispatch';

const { client: c } = useServer();

const err = (m: string): RespError => new RespError(m);
const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');
const NOT_INT = err('ERR value is not an integer or out of range');
const NOT_FLOAT = err('ERR value is not a valid float');
const SYNTAX = err('ERR syntax error');

test('SET options: repeats allowed, conflicts are syntax errors, the expire is checked last', async () => {
  await c.call('FLUSHALL');
  assert.equal(await c.call('SET', 'k', 'v', 'NX', 'NX'), 'OK');
  assert.equal(await c.call('SET', 'k', 'v', 'EX', '1', 'EX', '200'), 'OK');
  assert.ok((await c.call('TTL', 'k')) as number > 100);
  assert.deepEqual(await c.call('SET', 'k', 'v', 'EX', 'abc', 'NX', 'foo'), SYNTAX);
  assert.deepEqual(await c.call('SET', 'k', 'v', 'EX', 'abc'), NOT_INT);
  assert.deepEqual(await c.call('SET', 'k', 'v', 'EX', '0'), err("ERR invalid expire time in 'set' command"));
  assert.deepEqual(await c.call('SET', 'k', 'v', 'EX', '9223372036854775'), err("ERR invalid expire time in 'set' command"));
  assert.deepEqual(await c.call('SET', 'k', 'v', 'PX', '9223372036854775807'), err("ERR invalid expire time in 'set' command"));
  assert.deepEqual(await c.call('SET', 'k', 'v', 'XX', 'NX'), SYNTAX);
  assert.deepEqual(await c.call('SET', 'k', 'v', 'KEEPTTL', 'EX', '1'), SYNTAX);
  assert.deepEqual(await c.call('SET', 'k', 'v', 'EX', '10', 'PX', '10'), SYNTAX);
  assert.deepEqual(await c.call('SET', 'k', 'v', 'EX'), SYNTAX);
  assert.equal(await c.call('SET', 'k2', 'v', 'GET'), null);
  assert.equal(await c.call('SET', 'k2', 'x', 'GET'), 'v');
  assert.equal(await c.call('SET', 'k2', 'y', 'NX', 'GET'), 'x');
  assert.equal(await c.call('GET', 'k2'), 'x');
  await c.call('LPUSH', 'l', 'a');
  assert.deepEqual(await c.call('SET', 'l', 'x', 'GET'), WRONGTYPE);
  assert.equal(await c.call('SET', 'l', 'x'), 'OK');
  assert.equal(await c.call('SET', 'gone', 'v', 'XX'), null);
});

test('SETNX SETEX PSETEX GETSET GETDEL', async () => {
  await c.call('FLUSHALL');
  assert.equal(await c.call('SETNX', 'k', 'a'), 1);
  assert.equal(await c.call('SETNX', 'k', 'b'), 0);
  assert.equal(await c.call('SETEX', 'k', '100', 'v'), 'OK');
  assert.equal(await c.call('TTL', 'k'), 100);
  assert.deepEqual(await c.call('SETEX', 'k', '0', 'v'), err("ERR invalid expire time in 'setex' command"));
  assert.deepEqual(await c.call('PSETEX', 'k', '-5', 'v'), err("ERR invalid expire time in 'psetex' command"));
  assert.deepEqual(await c.call('SETEX', 'k', 'abc', 'v'), NOT_INT);
  assert.equal(await c.call('PSETEX', 'k', '100000', 'v'), 'OK');
  const pttl = (await c.call('PTTL', 'k')) as number;
  assert.ok(pttl > 99000 && pttl <= 100000);
  assert.equal(await c.call('GETSET', 'k', 'new'), 'v');
  assert.equal(await c.call('TTL', 'k'), -1, 'GETSET clears the TTL');
  assert.equal(await c.call('GETSET', 'nokey', 'v'), null);
  assert.equal(await c.call('GETDEL', 'k'), 'new');
  assert.equal(await c.call('GETDEL', 'k'), null);
  await c.call('RPUSH', 'l', 'x');
  assert.deepEqual(await c.call('GETDEL', 'l'), WRONGTYPE);
  assert.deepEqual(await c.call('GETSET', 'l', 'x'), WRONGTYPE);
});

test('GETEX: expiry options, PERSIST, past absolute times delete, errors in Redis order', async () => {
  await c.call('FLUSHALL');
  assert.equal(await c.call('GETEX', 'nokey'), null);
  assert.equal(await c.call('SET', 'k', 'v'), 'OK');
  assert.equal(await c.call('GETEX', 'k', 'EX', '100'), 'v');
  assert.equal(await c.call('TTL', 'k'), 100);
  assert.equal(await c.call('GETEX', 'k', 'PERSIST'), 'v');
  assert.equal(await c.call('TTL', 'k'), -1);
  assert.deepEqual(await c.call('GETEX', 'k', 'PERSIST', 'EX', '1'), SYNTAX);
  assert.deepEqual(await c.call('GETEX', 'k', 'EX', '1', 'PERSIST'), SYNTAX);
  assert.deepEqual(await c.call('GETEX', 'k', 'FOO'), SYNTAX);
  assert.deepEqual(await c.call('GETEX', 'k', 'EX', '0'), err("ERR invalid expire time in 'getex' command"));
  assert.deepEqual(await c.call('GETEX', 'k', 'EX', 'abc'), NOT_INT);
  assert.equal(await c.call('GETEX', 'k', 'PXAT', '1'), 'v');
  assert.equal(await c.call('EXISTS', 'k'), 0);
  await c.call('RPUSH', 'l', 'x');
  assert.deepEqual(await c.call('GETEX', 'l'), WRONGTYPE);
});

test('MGET MSET MSETNX', async () => {
  await c.call('FLUSHALL');
  await c.call('RPUSH', 'l', 'x');
  assert.deepEqual(await c.call('MSET', 'a', '1', 'b', '2', 'c'), err("ERR wrong number of arguments for 'mset' command"));
  assert.equal(await c.call('MSET', 'a', '1', 'b', '2'), 'OK');
  assert.equal(await c.call('MSETNX', 'a', '1', 'z', '3'), 0);
  assert.equal(await c.call('MSETNX', 'y', '1', 'z', '3'), 1);
  assert.deepEqual(await c.call('MGET', 'a', 'b', 'l', 'nokey', 'y', 'z'), ['1', '2', null, null, '1', '3']);
});

test('INCR family: int64 limits, strict integer parsing, overflow errors', async () => {
  await c.call('FLUSHALL');
  assert.equal(await c.call('INCR', 'n'), 1);
  assert.equal(await c.call('INCRBY', 'n', '-10'), -9);
  assert.equal(await c.call('DECRBY', 'n', '1'), -10);
  assert.equal(await c.call('DECR', 'n'), -11);
  await c.call('SET', 'n', '9223372036854775806');
  assert.equal(await c.call('INCR', 'n'), 9223372036854775807);
  assert.deepEqual(await c.call('INCR', 'n'), err('ERR increment or decrement would overflow'));
  assert.equal(await c.call('GET', 'n'), '9223372036854775807');
  await c.call('SET', 'n', '-9223372036854775807');
  assert.equal(await c.call('DECR', 'n'), -9223372036854775808);
  assert.deepEqual(await c.call('DECR', 'n'), err('ERR increment or decrement would overflow'));
  await c.call('SET', 'n', '5');
  assert.deepEqual(await c.call('DECRBY', 'n', '-9223372036854775808'), err('ERR decrement would overflow'));
  assert.deepEqual(await c.call('INCRBY', 'n', '9223372036854775808'), NOT_INT);
  assert.deepEqual(await c.call('INCRBY', 'n', 'abc'), NOT_INT);
  for (const bad of ['-0', '007', ' 1', '1.5', '+1', '']) {
    await c.call('SET', 'n', bad);
    assert.deepEqual(await c.call('INCR', 'n'), NOT_INT, `INCR on ${JSON.stringify(bad)}`);
  }
  await c.call('SET', 'n', '123456789012345');
  await c.call('INCRBY', 'n', '123456789012345678');
  assert.equal(await c.call('GET', 'n'), '123580245801358023');
  await c.call('RPUSH', 'l', 'x');
  assert.deepEqual(await c.call('INCR', 'l'), WRONGTYPE);
});

test('INCRBYFLOAT prints what Redis prints (long double, %.17Lf, trailing zeros trimmed)', async () => {
  await c.call('FLUSHALL');
  await c.call('SET', 'f', '10.5');
  const cases: Array<[string, string]> = [
    ['0.1', '10.6'],
    ['-5.0e3', '-4989.39999999999999991'],
    ['1e20', '99999999999999995008'],
    ['0x10', '99999999999999995024'],
  ];
  for (const [incr, expected] of cases) assert.equal(await c.call('INCRBYFLOAT', 'f', incr), expected, `+${incr}`);
  assert.deepEqual(await c.call('INCRBYFLOAT', 'f', 'abc'), NOT_FLOAT);
  assert.deepEqual(await c.call('INCRBYFLOAT', 'f', ' 1'), NOT_FLOAT);
  assert.deepEqual(await c.call('INCRBYFLOAT', 'f', 'nan'), NOT_FLOAT);
  assert.deepEqual(await c.call('INCRBYFLOAT', 'f', '1e4933'), NOT_FLOAT);
  assert.deepEqual(await c.call('INCRBYFLOAT', 'f', 'inf'), err('ERR increment would produce NaN or Infinity'));
  assert.equal(await c.call('INCRBYFLOAT', 'a', '3.0e3'), '3000');
  assert.equal(await c.call('INCRBYFLOAT', 'b', '1.23456789012345678901'), '1.23456789012345679');
  assert.equal(await c.call('INCRBYFLOAT', 'c', '-0.00000000000000000001'), '0');
  assert.equal(await c.call('INCRBYFLOAT', 'd', '5.0e-20'), '0');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'a'), 'embstr');
  await c.call('SET', 's', 'abc');
  assert.deepEqual(await c.call('INCRBYFLOAT', 's', '1'), NOT_FLOAT);
  await c.call('SET', 'big', '1');
  const huge = (await c.call('INCRBYFLOAT', 'big', '1e4931')) as string;
  assert.ok(huge.startsWith('100000000000000000000601894938796389132383777425453311477378504135253301948660872240753332777943314277366652556366627768206'));
  assert.equal(huge.length, 4932);
});

test('APPEND STRLEN GETRANGE SUBSTR SETRANGE', async () => {
  await c.call('FLUSHALL');
  await c.call('RPUSH', 'l', 'x');
  await c.call('SET', 's', 'hello');
  assert.equal(await c.call('APPEND', 's', ' world'), 11);
  assert.equal(await c.call('APPEND', 'new', 'abc'), 3);
  assert.deepEqual(await c.call('APPEND', 'l', 'x'), WRONGTYPE);
  assert.equal(await c.call('STRLEN', 's'), 11);
  assert.equal(await c.call('STRLEN', 'nokey'), 0);
  assert.deepEqual(await c.call('STRLEN', 'l'), WRONGTYPE);
  const ranges: Array<[string, string, string]> = [
    ['0', '-1', 'hello world'],
    ['-3', '-1', 'rld'],
    ['-1', '-3', ''],
    ['5', '1', ''],
    ['0', '9223372036854775807', 'hello world'],
    ['-100', '2', 'hel'],
  ];
  for (const [a, b, expected] of ranges) assert.equal(await c.call('GETRANGE', 's', a, b), expected, `GETRANGE ${a} ${b}`);
  assert.equal(await c.call('GETRANGE', 'nokey', '0', '-1'), '');
  assert.deepEqual(await c.call('GETRANGE', 's', 'a', '1'), NOT_INT);
  assert.equal(await c.call('SUBSTR', 's', '1', '3'), 'ell');
  assert.equal(await c.call('SETRANGE', 's', '6', 'W'), 11);
  assert.equal(await c.call('SETRANGE', 's', '14', 'X'), 15);
  assert.equal(await c.call('GET', 's'), 'hello World\0\0\0X');
  assert.equal(await c.call('SETRANGE', 'n2', '3', 'abc'), 6);
  assert.equal(await c.call('GET', 'n2'), '\0\0\0abc');
  assert.equal(await c.call('SETRANGE', 'n3', '0', ''), 0);
  assert.equal(await c.call('EXISTS', 'n3'), 0);
  assert.deepEqual(await c.call('SETRANGE', 's', '-1', 'x'), err('ERR offset is out of range'));
  assert.deepEqual(await c.call('SETRANGE', 'l', '0', 'x'), WRONGTYPE);
  const tooBig = err('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
  assert.deepEqual(await c.call('SETRANGE', 's', '536870912', 'x'), tooBig);
  assert.equal(await c.call('SETRANGE', 's', '536870911', ''), 15);
  assert.equal(await c.call('CONFIG', 'SET', 'proto-max-bulk-len', '1mb'), 'OK');
  assert.deepEqual(await c.call('APPEND', 's', 'x'.repeat(1024 * 1024)), tooBig);
  assert.equal(await c.call('CONFIG', 'SET', 'proto-max-bulk-len', '512mb'), 'OK');
});

test('OBJECT ENCODING of strings follows how they were made', async () => {
  await c.call('FLUSHALL');
  const enc = (k: string): Promise<RespValue> => c.call('OBJECT', 'ENCODING', k);
  await c.call('MSET', 'int', '12345', 'neg', '-9223372036854775808', 'zero', '-0', 'emb', 'a'.repeat(44), 'raw', 'a'.repeat(45));
  assert.equal(await enc('int'), 'int');
  assert.equal(await enc('neg'), 'int');
  assert.equal(await enc('zero'), 'embstr');
  assert.equal(await enc('emb'), 'embstr');
  assert.equal(await enc('raw'), 'raw');
  assert.equal(await c.call('APPEND', 'int', '6'), 6);
  assert.equal(await enc('int'), 'raw', 'APPEND leaves a raw string');
  assert.equal(await c.call('INCR', 'int'), 123457);
  assert.equal(await enc('int'), 'int', 'INCR makes it an integer again');
  await c.call('SETRANGE', 'sr', '0', 'ab');
  assert.equal(await enc('sr'), 'raw');
  await c.call('SET', 'sr', 'ab');
  assert.equal(await enc('sr'), 'embstr', 'SET replaces the raw string');
  await c.call('APPEND', 'fresh', 'abc');
  assert.equal(await enc('fresh'), 'embstr', 'APPEND creating the key stores it as SET would');
  await c.call('APPEND', 'moved', 'x');
  await c.call('APPEND', 'moved', 'y');
  await c.call('RENAME', 'moved', 'moved2');
  assert.equal(await c.call('TYPE', 'moved2'), 'string');
});

test('LCS: string, LEN, IDX with MINMATCHLEN/WITHMATCHLEN, errors', async () => {
  await c.call('FLUSHALL');
  await c.call('MSET', 'a', 'ohmytext', 'b', 'mynewtext');
  await c.call('RPUSH', 'l', 'x');
  assert.equal(await c.call('LCS', 'a', 'b'), 'mytext');
  assert.equal(await c.call('LCS', 'a', 'b', 'LEN'), 6);
  assert.deepEqual(await c.call('LCS', 'a', 'b', 'IDX'), ['matches', [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], 'len', 6]);
  assert.deepEqual(await c.call('LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'), ['matches', [[[4, 7], [5, 8], 4]], 'len', 6]);
  assert.deepEqual(await c.call('LCS', 'a', 'b', 'LEN', 'IDX'), err('ERR If you want both the length and indexes, please just use IDX.'));
  assert.deepEqual(await c.call('LCS', 'a', 'b', 'FOO'), SYNTAX);
  assert.deepEqual(await c.call('LCS', 'a', 'b', 'MINMATCHLEN', 'x'), NOT_INT);
  assert.equal(await c.call('LCS', 'a', 'nokey'), '');
  assert.deepEqual(await c.call('LCS', 'a', 'l'), err('ERR The specified keys must contain string values'));
  await c.call('HELLO', '3');
  assert.deepEqual(await c.call('LCS', 'a', 'b', 'IDX'), new Map<RespValue, RespValue>([['matches', [[[4, 7], [5, 8]], [[2, 3], [0, 1]]]], ['len', 6]]));
  await c.call('HELLO', '2');
});

// -------------------------------------------------------------------------------------------
// Propagation, observed in-process from the replication feed
// -------------------------------------------------------------------------------------------

/** A server without sockets whose replication feed is captured; `run` returns what was fed. */
function feedRecorder(): { run: (...argv: string[]) => string[][]; now: () => number } {
  const log = new Logger();
  log.level = 'warning';
  const server = createServer(new Config(), log);
  const client = server.createClient(null);
  let fed = Buffer.alloc(0);
  server.feed.addSink({ write: (b) => (fed = Buffer.concat([fed, b])) });
  return {
    now: () => server.keyspace.now,
    run: (...argv) => {
      fed = Buffer.alloc(0);
      processCommand(server, client, argv, 0);
      client.reply.take();
      const cmds: string[][] = [];
      for (let r = parseReply(fed, 0); r !== null; r = parseReply(fed, 0)) {
        cmds.push(r[0] as string[]);
        fed = fed.subarray(r[1]);
      }
      return cmds.filter((a) => a[0] !== 'SELECT');
    },
  };
}

test('writes propagate their effect: absolute times, DEL for GETDEL, SET KEEPTTL for INCRBYFLOAT', () => {
  const r = feedRecorder();
  const [set] = r.run('SET', 'k', 'v', 'EX', '100');
  assert.deepEqual(set.slice(0, 4), ['SET', 'k', 'v', 'PXAT']);
  assert.equal(Number(set[4]), r.now() + 100_000);
  assert.deepEqual(r.run('SET', 'k', 'v', 'PXAT', '99999999999999'), [['SET', 'k', 'v', 'PXAT', '99999999999999']]);
  assert.deepEqual(r.run('SET', 'k', 'v', 'NX'), [], 'a SET that did nothing is not propagated');
  const [setex] = r.run('SETEX', 'k', '10', 'v');
  assert.deepEqual(setex, ['SET', 'k', 'v', 'PXAT', String(r.now() + 10_000)]);
  const [psetex] = r.run('PSETEX', 'k', '500', 'v');
  assert.deepEqual(psetex, ['SET', 'k', 'v', 'PXAT', String(r.now() + 500)]);
  assert.deepEqual(r.run('GETSET', 'k', 'w'), [['SET', 'k', 'w']]);
  const [getex] = r.run('GETEX', 'k', 'EX', '7');
  assert.deepEqual(getex, ['PEXPIREAT', 'k', String(r.now() + 7000)]);
  assert.deepEqual(r.run('GETEX', 'k', 'PERSIST'), [['PERSIST', 'k']]);
  assert.deepEqual(r.run('GETEX', 'k', 'PERSIST'), [], 'nothing to persist');
  assert.deepEqual(r.run('GETEX', 'k', 'PXAT', '1'), [['DEL', 'k']]);
  r.run('SET', 'k', 'v');
  assert.deepEqual(r.run('GETDEL', 'k'), [['DEL', 'k']]);
  assert.deepEqual(r.run('GETDEL', 'k'), []);
  r.run('SET', 'f', '10.5', 'EX', '100');
  assert.deepEqual(r.run('INCRBYFLOAT', 'f', '0.1'), [['SET', 'f', '10.6', 'KEEPTTL']]);
  assert.deepEqual(r.run('INCR', 'n'), [['INCR', 'n']]);
  assert.deepEqual(r.run('APPEND', 'n', 'x'), [['APPEND', 'n', 'x']]);
  assert.deepEqual(r.run('SETRANGE', 'n', '0', ''), [], 'an empty SETRANGE changes nothing');
  assert.deepEqual(r.run('MSETNX', 'n', '1'), []);
  r.run('CONFIG', 'SET', 'lazyfree-lazy-user-del', 'yes');
  r.run('SET', 'k', 'v');
  assert.deepEqual(r.run('GETDEL', 'k'), [['UNLINK', 'k']]);
});
