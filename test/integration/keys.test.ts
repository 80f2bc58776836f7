// Generic key and database commands against a spawned Tandem server, with the replies and errors
// a real Redis 7.0.15 gave for the same input: DEL/UNLINK/EXISTS/TYPE/TOUCH, RENAME(NX), COPY,
// MOVE, SWAPDB, FLUSHDB/FLUSHALL/DBSIZE, KEYS, SCAN (including its no-miss guarantee under
// concurrent writes), RANDOMKEY, OBJECT.

import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server';
import { RespError, RespValue } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';
import { Config } from '../../src/config/config';
import { Logger } from '../../src/server/log';
import { createServer } from '../../src/server/setup';
import { processCommand } from '../../src/server/dispatch';
import { scanCursors } from '../../src/commands/keys';

let serverStartedAt = 0;
before(async () => {
  serverStartedAt = Date.now();
});
const { client: c } = useServer({ args: ['--enable-debug-command', 'yes'] });

const err = (m: string): RespError => new RespError(m);
const SYNTAX = err('ERR syntax error');
const NOT_INT = err('ERR value is not an integer or out of range');
const SAME = err('ERR source and destination objects are the same');
const DB_RANGE = err('ERR DB index is out of range');

test('DEL UNLINK EXISTS TOUCH TYPE', async () => {
  await c.call('FLUSHALL');
  await c.call('MSET', 'a', '1', 'b', '2', 'c', '3');
  assert.equal(await c.call('DEL', 'a', 'b', 'nokey', 'a'), 2);
  assert.equal(await c.call('EXISTS', 'c', 'c', 'nokey'), 2);
  assert.equal(await c.call('TOUCH', 'c', 'nokey', 'c'), 2);
  assert.equal(await c.call('UNLINK', 'c'), 1);
  await c.call('SET', 's', 'v');
  await c.call('RPUSH', 'l', 'x');
  await c.call('HSET', 'h', 'f', 'v');
  await c.call('SADD', 'st', '1');
  const types: Array<[string, string]> = [['s', 'string'], ['l', 'list'], ['h', 'hash'], ['st', 'set'], ['nokey', 'none']];
  for (const [k, t] of types) assert.equal(await c.call('TYPE', k), t);
});

test('RENAME and RENAMENX keep the value and TTL; errors and same-key cases as Redis', async () => {
  await c.call('FLUSHALL');
  assert.deepEqual(await c.call('RENAME', 'nokey', 'x'), err('ERR no such key'));
  assert.deepEqual(await c.call('RENAMENX', 'nokey', 'x'), err('ERR no such key'));
  await c.call('SET', 's', 'v');
  assert.equal(await c.call('RENAME', 's', 's'), 'OK');
  assert.equal(await c.call('RENAMENX', 's', 's'), 0);
  assert.equal(await c.call('SET', 't', '1', 'EX', '100'), 'OK');
  assert.equal(await c.call('RENAME', 't', 't2'), 'OK');
  assert.equal(await c.call('TTL', 't2'), 100);
  assert.equal(await c.call('EXISTS', 't'), 0);
  assert.equal(await c.call('RENAMENX', 's', 't2'), 0);
  assert.equal(await c.call('RENAME', 's', 't2'), 'OK');
  assert.equal(await c.call('TTL', 't2'), -1, 'the destination takes the source TTL (none)');
  assert.equal(await c.call('GET', 't2'), 'v');
  assert.equal(await c.call('RENAMENX', 't2', 'fresh'), 1);
});

test('COPY: deep copies, REPLACE, DB, errors', async () => {
  await c.call('FLUSHALL');
  await c.call('SET', 'src', 'abc', 'EX', '100');
  assert.equal(await c.call('COPY', 'src', 'dst'), 1);
  assert.equal(await c.call('TTL', 'dst'), 100);
  assert.equal(await c.call('COPY', 'src', 'dst'), 0);
  assert.equal(await c.call('COPY', 'src', 'dst', 'REPLACE'), 1);
  assert.deepEqual(await c.call('COPY', 'src', 'src'), SAME);
  assert.equal(await c.call('COPY', 'src', 'src', 'DB', '1'), 1);
  assert.deepEqual(await c.call('COPY', 'src', 'dst', 'DB', '99'), DB_RANGE);
  assert.deepEqual(await c.call('COPY', 'src', 'dst', 'DB', 'abc'), NOT_INT);
  assert.deepEqual(await c.call('COPY', 'src', 'dst', 'FOO'), SYNTAX);
  assert.equal(await c.call('COPY', 'nokey', 'dst'), 0);
  await c.call('RPUSH', 'l', 'a', 'b');
  await c.call('HSET', 'h', 'f', 'v');
  await c.call('SADD', 'st', '1', '2');
  for (const k of ['l', 'h', 'st']) assert.equal(await c.call('COPY', k, `${k}2`), 1);
  await c.call('RPUSH', 'l', 'c');
  await c.call('HSET', 'h', 'g', 'w');
  await c.call('SADD', 'st', 'x');
  assert.deepEqual(await c.call('LRANGE', 'l2', '0', '-1'), ['a', 'b'], 'the copy is independent');
  assert.deepEqual(await c.call('HGETALL', 'h2'), ['f', 'v']);
  assert.deepEqual(((await c.call('SMEMBERS', 'st2')) as string[]).sort(), ['1', '2']);
  assert.equal(await c.call('OBJECT', 'ENCODING', 'st2'), 'intset');
  assert.equal(await c.call('OBJECT', 'ENCODING', 'st'), 'hashtable');
});

test('MOVE and SWAPDB', async () => {
  await c.call('FLUSHALL');
  await c.call('SET', 'k', 'v', 'EX', '100');
  assert.equal(await c.call('MOVE', 'k', '1'), 1);
  assert.equal(await c.call('MOVE', 'k', '1'), 0);
  assert.deepEqual(await c.call('MOVE', 'k', '0'), SAME);
  assert.deepEqual(await c.call('MOVE', 'k', '99'), DB_RANGE);
  assert.deepEqual(await c.call('MOVE', 'k', '-1'), DB_RANGE);
  assert.deepEqual(await c.call('MOVE', 'k', 'abc'), NOT_INT);
  assert.equal(await c.call('SELECT', '1'), 'OK');
  assert.equal(await c.call('TTL', 'k'), 100);
  await c.call('SET', 'k0', 'v');
  assert.equal(await c.call('MOVE', 'k0', '0'), 1);
  assert.equal(await c.call('SELECT', '0'), 'OK');
  await c.call('SET', 'k0', 'other');
  assert.equal(await c.call('SELECT', '1'), 'OK');
  await c.call('SET', 'k0', 'again');
  assert.equal(await c.call('MOVE', 'k0', '0'), 0, 'MOVE refuses when the key exists in the target');
  assert.equal(await c.call('SELECT', '0'), 'OK');
  assert.equal(await c.call('DBSIZE'), 1);
  assert.equal(await c.call('SWAPDB', '0', '1'), 'OK');
  assert.equal(await c.call('DBSIZE'), 2);
  assert.equal(await c.call('GET', 'k0'), 'again');
  assert.deepEqual(await c.call('SWAPDB', '0', '99'), DB_RANGE);
  assert.deepEqual(await c.call('SWAPDB', 'a', '1'), err('ERR invalid first DB index'));
  assert.deepEqual(await c.call('SWAPDB', '1', 'b'), err('ERR invalid second DB index'));
  assert.equal(await c.call('SWAPDB', '0', '0'), 'OK');
});

test('FLUSHDB FLUSHALL DBSIZE RANDOMKEY', async () => {
  await c.call('FLUSHALL');
  assert.equal(await c.call('RANDOMKEY'), null);
  await c.call('MSET', 'a', '1', 'b', '2');
  assert.ok(['a', 'b'].includes((await c.call('RANDOMKEY')) as string));
  assert.deepEqual(await c.call('FLUSHDB', 'foo'), SYNTAX);
  assert.deepEqual(await c.call('FLUSHALL', 'a', 'b'), SYNTAX);
  assert.equal(await c.call('FLUSHDB', 'ASYNC'), 'OK');
  assert.equal(await c.call('DBSIZE'), 0);
  await c.call('SELECT', '2');
  await c.call('SET', 'x', '1');
  await c.call('SELECT', '0');
  assert.equal(await c.call('FLUSHALL', 'SYNC'), 'OK');
  await c.call('SELECT', '2');
  assert.equal(await c.call('DBSIZE'), 0);
  await c.call('SELECT', '0');
  await c.call('SET', 'dead', 'v', 'PX', '1');
  const expiresAt = Date.now() + 1;
  await c.call('SET', 'alive', 'v');
  // Let the TTL pass without touching the key, so RANDOMKEY is what meets it expired.
  await waitFor('the TTL of dead to pass', () => Date.now() > expiresAt + 5);
  for (let i = 0; i < 20; i++) assert.equal(await c.call('RANDOMKEY'), 'alive');
});

test('RANDOMKEY on a big database answers live keys only, across deletes, FLUSHDB and SWAPDB', async () => {
  await c.call('FLUSHALL');
  const keys = Array.from({ length: 2000 }, (_, i) => `k${i}`);
  await c.call('MSET', ...keys.flatMap((k) => [k, 'v']));
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) seen.add((await c.call('RANDOMKEY')) as string);
  assert.ok(seen.size > 150, `200 draws over 2000 keys gave only ${seen.size} distinct keys`);
  await c.call('DEL', ...keys.slice(0, 1990));
  for (let i = 0; i < 100; i++) assert.ok(keys.slice(1990).includes((await c.call('RANDOMKEY')) as string));
  await c.call('FLUSHDB');
  await c.call('SET', 'fresh', '1');
  assert.equal(await c.call('RANDOMKEY'), 'fresh');
  await c.call('SELECT', '3');
  await c.call('SET', 'in3', '1');
  await c.call('SELECT', '0');
  await c.call('SWAPDB', '0', '3');
  assert.equal(await c.call('RANDOMKEY'), 'in3');
  await c.call('FLUSHALL');
});

test('KEYS matches globs and hides expired keys', async () => {
  await c.call('FLUSHALL');
  await c.call('MSET', 'user:1:name', 'a', 'user:2:name', 'b', 'user:1:mail', 'c', 'other', 'd');
  // With active expiry off and the key never touched, only KEYS itself can hide it.
  assert.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), 'OK');
  await c.call('SET', 'user:3:name', 'gone', 'PX', '1');
  const setAt = Date.now();
  await waitFor('the key to be past its TTL', () => Date.now() > setAt + 5);
  assert.deepEqual(((await c.call('KEYS', 'user:*:name')) as string[]).sort(), ['user:1:name', 'user:2:name']);
  assert.deepEqual(((await c.call('KEYS', '*')) as string[]).length, 4);
  assert.equal(await c.call('DBSIZE'), 5, 'KEYS hides the expired key without deleting it');
  assert.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1'), 'OK');
  assert.deepEqual(await c.call('KEYS', 'othe[q-s]'), ['other']);
  assert.deepEqual(await c.call('KEYS', 'nothing*'), []);
});

test('SCAN: options, errors, cursors; every key present throughout is returned despite writes', async () => {
  await c.call('FLUSHALL');
  assert.deepEqual(await c.call('SCAN', 'abc'), err('ERR invalid cursor'));
  assert.deepEqual(await c.call('SCAN', ' 1'), err('ERR invalid cursor'));
  assert.deepEqual(await c.call('SCAN', '0', 'COUNT', '0'), SYNTAX);
  assert.deepEqual(await c.call('SCAN', '0', 'COUNT', 'abc'), NOT_INT);
  assert.deepEqual(await c.call('SCAN', '0', 'FOO', 'bar'), SYNTAX);
  assert.deepEqual(await c.call('SCAN', '0', 'COUNT'), SYNTAX);
  assert.deepEqual(await c.call('SCAN', ''), ['0', []]);
  const stable = new Set<string>();
  for (let i = 0; i < 1000; i++) stable.add(`stable:${i}`);
  await c.call('MSET', ...[...stable].flatMap((k) => [k, 'v']));
  for (let i = 0; i < 300; i++) await c.call('SET', `churn:${i}`, 'v');
  const seen = new Set<string>();
  let cursor = '0';
  let calls = 0;
  let churn = 0;
  do {
    const [next, keys] = (await c.call('SCAN', cursor, 'COUNT', '25')) as [string, string[]];
    for (const k of keys) seen.add(k);
    // Concurrent writes between calls: delete old churn keys, add new ones, overwrite stable ones.
    await c.call('DEL', `churn:${churn}`, `churn:${churn + 1}`);
    await c.call('SET', `new:${churn}`, 'v');
    await c.call('SET', `stable:${(churn * 7) % 1000}`, 'w');
    churn += 2;
    cursor = next;
    calls++;
  } while (cursor !== '0' && calls < 500);
  assert.equal(cursor, '0');
  for (const k of stable) assert.ok(seen.has(k), `SCAN missed ${k}`);
  // MATCH, TYPE and COUNT filtering.
  await c.call('RPUSH', 'stable:list', 'x');
  const typed = new Set<string>();
  cursor = '0';
  do {
    const [next, keys] = (await c.call('SCAN', cursor, 'MATCH', 'stable:*', 'TYPE', 'LIST', 'COUNT', '500')) as [string, string[]];
    keys.forEach((k) => typed.add(k));
    cursor = next;
  } while (cursor !== '0');
  assert.deepEqual([...typed], ['stable:list']);
  const [, unknownType] = (await c.call('SCAN', '0', 'TYPE', 'foo', 'COUNT', '5000')) as [string, string[]];
  assert.deepEqual(unknownType, []);
  // An unknown or reused cursor restarts from the beginning rather than skipping anything.
  const [first] = (await c.call('SCAN', '0', 'COUNT', '10')) as [string, string[]];
  await c.call('SCAN', first, 'COUNT', '10');
  const [, again] = (await c.call('SCAN', first, 'COUNT', '10')) as [string, string[]];
  assert.equal(again.length, 10);
});

test('OBJECT subcommands and their errors', async () => {
  await c.call('FLUSHALL');
  await c.call('SET', 'small', '123');
  await c.call('SET', 'large', '12345');
  await c.call('RPUSH', 'l', 'x');
  await c.call('HSET', 'h', 'f', 'v');
  const get = (sub: string, k: string): Promise<RespValue> => c.call('OBJECT', sub, k);
  assert.equal(await get('ENCODING', 'l'), 'quicklist');
  assert.equal(await get('ENCODING', 'h'), 'listpack');
  assert.equal(await get('ENCODING', 'nokey'), null);
  assert.equal(await get('REFCOUNT', 'small'), 2147483647);
  assert.equal(await get('REFCOUNT', 'large'), 1);
  // Access times are tracked from the first IDLETIME on: a key untouched since then counts as
  // idle since server start, an upper bound.
  const untracked = (await get('IDLETIME', 'small')) as number;
  assert.ok(untracked >= 0 && untracked <= (Date.now() - serverStartedAt) / 1000 + 1, `idle ${untracked}`);
  assert.deepEqual(
    await get('FREQ', 'small'),
    err('ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.'),
  );
  assert.deepEqual(await c.call('OBJECT', 'FOO'), err("ERR unknown subcommand 'FOO'. Try OBJECT HELP."));
  assert.deepEqual(await c.call('OBJECT'), err("ERR wrong number of arguments for 'object' command"));
  assert.deepEqual(await c.call('OBJECT', 'ENCODING'), err("ERR wrong number of arguments for 'object|encoding' command"));
  const help = (await c.call('OBJECT', 'HELP')) as string[];
  assert.equal(help[0], 'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
  assert.equal(help.length, 15);
  assert.equal(await c.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'), 'OK');
  assert.equal(await get('FREQ', 'small'), 5, 'a key not seen since tracking began has the initial counter');
  await c.call('GET', 'small');
  assert.equal(await get('FREQ', 'small'), 6, 'the first hit always increments');
  assert.deepEqual(
    await get('IDLETIME', 'small'),
    err('ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.'),
  );
  assert.equal(await c.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction'), 'OK');
});

test('OBJECT IDLETIME grows while a key is left alone; a read resets it, TYPE/TTL/EXISTS do not', async () => {
  await c.call('FLUSHALL');
  await c.call('OBJECT', 'IDLETIME', 'nokey'); // starts tracking if nothing did yet
  await c.call('SET', 'k', 'v');
  assert.equal(await c.call('OBJECT', 'IDLETIME', 'k'), 0);
  await waitFor('an idle time of 2 s', async () => ((await c.call('OBJECT', 'IDLETIME', 'k')) as number) >= 2, 10_000, 100);
  await c.call('TYPE', 'k');
  await c.call('TTL', 'k');
  await c.call('EXISTS', 'k');
  assert.ok(((await c.call('OBJECT', 'IDLETIME', 'k')) as number) >= 2);
  await c.call('GET', 'k');
  assert.equal(await c.call('OBJECT', 'IDLETIME', 'k'), 0);
});


test('FLUSHALL drops parked SCAN iterators so no old hash table outlives the data', () => {
  const log = new Logger();
  log.level = 'warning';
  const server = createServer(new Config(), log);
  const client = server.createClient(null);
  const run = (...argv: string[]): void => {
    processCommand(server, client, argv, 0);
    client.reply.take();
  };
  for (let i = 0; i < 100; i++) run('SET', `k${i}`, 'v');
  run('SCAN', '0', 'COUNT', '10');
  run('SCAN', '0', 'COUNT', '10');
  assert.equal(scanCursors(server).size, 2);
  run('FLUSHALL');
  assert.equal(scanCursors(server).size, 0);
});
