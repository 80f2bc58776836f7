// Strings, keys, databases and glob matching side by side with a real redis-server 7.0:
// - COMMAND INFO (name, arity, flags, key positions, ACL categories, tips) of every command this
//   area declares is the same;
// - random glob patterns over random keys: Tandem's globMatch agrees with Redis's KEYS;
// - scripted command sequences (valid calls, edge cases, errors) get identical replies, in RESP2
//   and RESP3;
// - a real Redis replica of Tandem ends up with the same values and expiry times, and loses keys
//   when Tandem expires them: the effects Tandem propagates are the ones Redis would apply.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RespValue } from '../helpers/resp-client';
import { startServer } from '../helpers/server';
import { useTandemAndRedis } from '../helpers/use-server';
import { waitFor } from '../helpers/wait';
// The command table first: modules are loaded from its root, as the server loads them.
import { ALL_COMMANDS } from '../../src/commands/index';
import { globMatch } from '../../src/keyspace/glob';
import { STRING_COMMANDS } from '../../src/commands/strings';
import { KEY_COMMANDS } from '../../src/commands/keys';
import { DATABASE_COMMANDS } from '../../src/commands/databases';
import { OBJECT_COMMANDS } from '../../src/commands/object';

const { tandem: { client: t }, redis: { client: r } } = useTandemAndRedis(['--save', '']);

/** COMMAND INFO without key specs (derived elsewhere) and with subcommands sorted by name. */
function infoCore(entry: RespValue): RespValue {
  const e = entry as RespValue[];
  const subs = ((e[9] as RespValue[]) ?? []).map(infoCore).sort((a, b) => String((a as RespValue[])[0]).localeCompare(String((b as RespValue[])[0])));
  return [...e.slice(0, 8), subs];
}

test('COMMAND INFO of every string/key/database/OBJECT command matches Redis', async () => {
  const mine = new Set([...STRING_COMMANDS, ...KEY_COMMANDS, ...DATABASE_COMMANDS, ...OBJECT_COMMANDS]);
  const names = ALL_COMMANDS.filter((s) => mine.has(s)).map((s) => s.name);
  const [fromRedis, fromTandem] = await Promise.all([r.call('COMMAND', 'INFO', ...names), t.call('COMMAND', 'INFO', ...names)]);
  for (let i = 0; i < names.length; i++) {
    assert.deepEqual(infoCore((fromTandem as RespValue[])[i]), infoCore((fromRedis as RespValue[])[i]), names[i]);
  }
});

/** mulberry32: a tiny seedable PRNG, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

test('random globs: globMatch agrees with Redis KEYS on random keys', async () => {
  const seed = Number(process.env.GLOB_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const rand = rng(seed);
  const pick = (alphabet: string, max: number): string => {
    let s = '';
    const n = Math.floor(rand() * (max + 1));
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
    return s;
  };
  const keys = new Set<string>();
  while (keys.size < 60) keys.add(pick('ab-]^\\\x80\xffA', 6));
  await r.call('FLUSHALL');
  await r.call('MSET', ...[...keys].flatMap((k) => [k, '1']));
  for (let i = 0; i < 400; i++) {
    const pattern = pick('ab*?[]^-\\\x80\xffA', 8);
    const fromRedis = new Set((await r.call('KEYS', pattern)) as string[]);
    for (const k of keys) {
      assert.equal(globMatch(pattern, k), fromRedis.has(k), `seed ${seed}: pattern ${JSON.stringify(pattern)} key ${JSON.stringify(k)}`);
    }
  }
});

/**
 * Runs the same commands on both servers (from a clean dataset) and compares every reply, over
 * RESP2 and again over RESP3 (nulls, maps and doubles are typed differently there).
 */
async function sameReplies(script: string[][]): Promise<void> {
  for (const protocol of ['2', '3']) {
    await Promise.all([r.call('HELLO', protocol), t.call('HELLO', protocol)]);
    await Promise.all([r.call('FLUSHALL'), t.call('FLUSHALL')]);
    for (const argv of script) {
      const [a, b] = await Promise.all([r.call(...argv), t.call(...argv)]);
      assert.deepEqual(b, a, `RESP${protocol}: ${argv.join(' ')}`);
    }
  }
  await Promise.all([r.call('HELLO', '2'), t.call('HELLO', '2')]);
}

const words = (line: string): string[] => line.split(' ').map((w) => w.replace(/\\s/g, ' ').replace(/^""$/, ''));

test('string commands reply as Redis does', async () => {
  await sameReplies(
    [
      'SET k v NX NX', 'SET k v EX 1 EX 2', 'SET k v EX abc NX foo', 'SET k v EX 0', 'SET k v XX NX', 'SET k v KEEPTTL EX 1', 'SET k v EX 10 PX 10',
      'SET k v PX 9223372036854775807', 'SET k v EX 9223372036854775', 'SET k2 v GET', 'SET k2 x GET', 'LPUSH l a', 'SET l x GET', 'SETNX k y', 'SETNX nk y',
      'SETEX k 0 v', 'SETEX k abc v', 'GETSET k newv', 'GETDEL k', 'GETDEL k', 'GETEX nokey', 'GETEX l', 'GETEX k2 PERSIST', 'GETEX k2 PXAT 1', 'EXISTS k2',
      'SET k2 v', 'GETEX k2 EX abc', 'GETEX k2 EX 1 PERSIST', 'MGET k2 l nokey nk', 'MSET a 1 b 2 c', 'MSET a 1 b 2', 'MSETNX a 1 z 3', 'MSETNX y 1 z 3',
      'SET n 9223372036854775806', 'INCR n', 'INCR n', 'DECR n', 'SET n -9223372036854775807', 'DECR n', 'DECR n', 'SET n 5', 'DECRBY n -9223372036854775808',
      'INCRBY n 9223372036854775808', 'INCR l', 'SET n -0', 'INCR n', 'SET n 007', 'INCR n', 'SET n \\s1', 'INCR n', 'SET n ""', 'INCR n',
      'SET f 10.5', 'INCRBYFLOAT f 0.1', 'INCRBYFLOAT f -5.0e3', 'INCRBYFLOAT f 1e20', 'INCRBYFLOAT f 0x1p-3', 'INCRBYFLOAT f .5', 'INCRBYFLOAT f 5.',
      'INCRBYFLOAT f inf', 'INCRBYFLOAT f -inf', 'INCRBYFLOAT f nan', 'INCRBYFLOAT f 1e-5000', 'INCRBYFLOAT f 1e5000', 'INCRBYFLOAT f 1e', 'INCRBYFLOAT f 0x',
      'INCRBYFLOAT g 1.1', 'INCRBYFLOAT g 2.2', 'INCRBYFLOAT g 3.3', 'INCRBYFLOAT g -6.6', 'INCRBYFLOAT h 123456789.123456789', 'INCRBYFLOAT h 0.000000001',
      'INCRBYFLOAT i 1e-300', 'INCRBYFLOAT j 9007199254740993', 'INCRBYFLOAT j 1', 'OBJECT ENCODING g', 'OBJECT ENCODING j',
      'SET s1 hello', 'APPEND s1 \\sworld', 'APPEND nos abc', 'APPEND l x', 'STRLEN s1', 'STRLEN l', 'GETRANGE s1 0 -1', 'GETRANGE s1 -3 -1', 'GETRANGE s1 -1 -3',
      'GETRANGE s1 0 9223372036854775807', 'GETRANGE s1 -9223372036854775808 2', 'GETRANGE s1 a 1', 'SUBSTR s1 1 3', 'SETRANGE s1 6 W', 'SETRANGE s1 20 X', 'GET s1',
      'SETRANGE new 3 abc', 'GET new', 'SETRANGE new2 0 ""', 'EXISTS new2', 'SETRANGE s1 -1 x', 'SETRANGE l 0 x', 'SETRANGE s1 536870912 x', 'SETRANGE s1 536870911 ""',
      'OBJECT ENCODING s1', 'OBJECT ENCODING new', 'OBJECT ENCODING nos', 'SET a1 ohmytext', 'SET b1 mynewtext', 'LCS a1 b1', 'LCS a1 b1 LEN', 'LCS a1 b1 IDX',
      'LCS a1 b1 IDX MINMATCHLEN 4 WITHMATCHLEN', 'LCS a1 b1 IDX WITHMATCHLEN', 'LCS a1 b1 LEN IDX', 'LCS a1 b1 FOO', 'LCS a1 nokey', 'LCS a1 l', 'LCS a1 b1 MINMATCHLEN -3 IDX',
      'SET x1 AAAAXXXBBBB', 'SET x2 AAXXBBCCAAAA', 'LCS x1 x2 IDX WITHMATCHLEN',
    ].map(words),
  );
});

test('key and database commands reply as Redis does', async () => {
  await sameReplies(
    [
      'MSET a 1 b 2 c 3', 'DEL a b nokey', 'EXISTS c c nokey', 'UNLINK c', 'SET s v', 'LPUSH l x', 'HSET h f v', 'SADD st 1 2', 'TYPE s', 'TYPE l', 'TYPE h', 'TYPE st', 'TYPE nokey',
      'RENAME nokey x', 'RENAME s s', 'RENAMENX s s', 'RENAMENX nokey x', 'RENAME s s2', 'GET s2', 'SET t 1', 'RENAME t t2', 'RENAMENX s2 t2', 'RENAMENX s2 t3',
      'SET src abc', 'COPY src dst', 'COPY src dst', 'COPY src dst REPLACE', 'COPY src src', 'COPY src src DB 1', 'COPY src dst DB 99', 'COPY src dst DB abc',
      'COPY src dst DB -1', 'COPY src dst FOO', 'COPY nokey dst', 'COPY l l2', 'LRANGE l2 0 -1', 'COPY h h2', 'HGETALL h2', 'OBJECT ENCODING h2', 'COPY st st2', 'OBJECT ENCODING st2',
      'MOVE src 1', 'MOVE src 1', 'MOVE dst 0', 'MOVE dst 99', 'MOVE dst -1', 'MOVE dst abc', 'MOVE dst 1.0', 'SELECT 1', 'GET src', 'SELECT 0', 'SWAPDB 0 1', 'DBSIZE', 'SWAPDB 0 1',
      'SWAPDB 0 99', 'SWAPDB a 1', 'SWAPDB 1 b', 'SWAPDB -1 0', 'SWAPDB 0 0', 'DBSIZE', 'SET e1 v', 'EXPIRE e1 100 NX', 'EXPIRE e1 100 NX', 'EXPIRE e1 50 XX', 'TTL e1',
      'EXPIRE e1 40 GT', 'EXPIRE e1 60 GT', 'EXPIRE e1 70 LT', 'EXPIRE e1 30 LT', 'TTL e1', 'EXPIRE e1 10 foo', 'EXPIRE e1 10 nx xx', 'EXPIRE e1 10 gt lt', 'EXPIRE e1 10 nx gt',
      'EXPIRE e1 abc', 'EXPIRE e1 9223372036854775', 'PEXPIRE e1 9223372036854775807', 'EXPIREAT e1 9223372036854775807', 'EXPIRE nokey 10', 'SET e2 v', 'EXPIRE e2 -1',
      'EXISTS e2', 'SET e3 v', 'PEXPIREAT e3 1000', 'EXISTS e3', 'SET e4 v', 'EXPIRE e4 10 LT', 'TTL e4', 'SET e5 v', 'EXPIRE e5 10 GT', 'TTL e5', 'PERSIST e5',
      'SET e6 v', 'EXPIREAT e6 33177600000', 'EXPIRETIME e6', 'PEXPIRETIME e6', 'EXPIRETIME nokey', 'EXPIRETIME e5', 'PERSIST e6', 'PERSIST e6', 'PERSIST nokey', 'TTL nokey',
      'PTTL nokey', 'TOUCH e6 e5 nokey e6', 'OBJECT ENCODING e6', 'OBJECT ENCODING nokey', 'OBJECT FREQ e6', 'OBJECT REFCOUNT e6', 'SET num 123', 'OBJECT ENCODING num',
      'OBJECT REFCOUNT num', 'SET num 12345', 'OBJECT REFCOUNT num', 'SET big 123456789012345678901234567890', 'OBJECT ENCODING big', 'APPEND num 1', 'OBJECT ENCODING num',
      'INCR num', 'OBJECT ENCODING num', 'OBJECT ENCODING l', 'OBJECT ENCODING st', 'OBJECT HELP', 'OBJECT foo', 'OBJECT', 'OBJECT ENCODING', 'FLUSHDB foo', 'FLUSHDB async',
      'FLUSHALL sync', 'FLUSHALL a b', 'DBSIZE', 'RANDOMKEY', 'SET only 1', 'RANDOMKEY', 'SCAN 0 COUNT 0', 'SCAN abc', 'SCAN \\s1', 'SCAN 0 FOO bar', 'SCAN 0 COUNT abc',
      'SCAN 0 TYPE string COUNT 100', 'SCAN 0 MATCH o* COUNT 100', 'SCAN 0 MATCH x* COUNT 100', 'SCAN 0 TYPE foo', 'SCAN -1 COUNT 100 MATCH nothing', 'SCAN 18446744073709551616',
      'KEYS *', 'KEYS o*', 'KEYS [a-z]nly', 'KEYS', 'DBSIZE x',
    ].map(words),
  );
});

test('a real Redis replica applies what Tandem propagates: values, absolute TTLs, expirations', async () => {
  const master = await startServer({ args: ['--save', '', '--repl-diskless-sync-delay', '0'] });
  const replica = await startServer({ redis: true, args: ['--save', '', '--replicaof', '127.0.0.1', String(master.port)] });
  const m = await master.client();
  const rep = await replica.client();
  try {
    await waitFor('the replica link', async () => /master_link_status:up/.test((await rep.call('INFO', 'replication')) as string), 20_000);
    const writes = [
      'SET plain v', 'SET ex v EX 100', 'SETEX sx 200 v', 'PSETEX px 300000 v', 'SET f 10.5 EX 500', 'INCRBYFLOAT f 0.1', 'SET g v', 'GETEX g EX 400',
      'SET p v EX 100', 'GETEX p PERSIST', 'SET d v', 'GETDEL d', 'SET e v', 'EXPIRE e 600', 'SET gt v EX 50', 'PEXPIRE gt 700000 GT', 'SET n 1', 'INCRBY n 41',
      'SET s hello', 'APPEND s \sworld', 'SETRANGE s 0 J', 'SET past v', 'EXPIREAT past 1', 'MSET m1 a m2 b', 'RENAME m1 m3', 'COPY m2 m4', 'SET short v PX 300',
    ].map(words);
    for (const argv of writes) await m.call(...argv);
    await waitFor('the short-lived key to expire on the master and its DEL to reach the replica', async () => (await rep.call('EXISTS', 'short')) === 0 && (await rep.call('DBSIZE')) === (await m.call('DBSIZE')), 20_000);
    const keys = ((await m.call('KEYS', '*')) as string[]).sort();
    assert.deepEqual(((await rep.call('KEYS', '*')) as string[]).sort(), keys);
    for (const k of keys) {
      assert.deepEqual(await rep.call('GET', k), await m.call('GET', k), `value of ${k}`);
      assert.equal(await rep.call('PEXPIRETIME', k), await m.call('PEXPIRETIME', k), `expiry time of ${k}`);
    }
    assert.equal(await rep.call('GET', 'f'), '10.6');
    assert.equal(await rep.call('EXISTS', 'd'), 0);
    assert.equal(await rep.call('EXISTS', 'past'), 0);
  } finally {
    m.close();
    rep.close();
    await Promise.all([replica.stop(), master.stop()]);
  }
});
