// The RDB reader on files it did not write: a dump.rdb written by a real Redis 7.0.15 (every
// type in its small and large encodings, checked into test/fixtures), hand-built files in the
// legacy encodings older Redis versions wrote (zipmap, ziplist, quicklist, intset widths, RDB 3
// second-resolution expiries, ASCII scores), and fuzzing: every truncation and thousands of bit
// flips must end in a clean load or an RdbError — never another exception, a crash or a hang.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Server } from '../../src/server/server';
import { inProcessServer } from '../helpers/in-process';
import { loadRdb, RdbError } from '../../src/persistence/rdb-reader';
import { HashValue, ListValue, SetValue, ZSetValue } from '../../src/keyspace/values';
import { REPO_ROOT } from '../helpers/server';

const FIXTURE = fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'redis-7.0.15-all-types.rdb'));

const newServer = inProcessServer;

test('a dump.rdb written by Redis 7.0.15 loads with every value and encoding', () => {
  const s = newServer();
  const r = loadRdb(s, FIXTURE, { source: 'fixture' });
  assert.equal(r.keys, 19);
  assert.equal(r.aux.get('redis-ver'), '7.0.15');
  const db0 = s.keyspace.dbs[0].dict;
  assert.equal(db0.get('str:small'), 'hello');
  assert.equal(db0.get('str:int'), '12345');
  assert.equal(db0.get('str:neg'), '-7');
  assert.equal(db0.get('str:big'), '9223372036854775807');
  assert.equal(db0.get('str:lzf'), 'abc'.repeat(40));
  assert.equal(db0.get('str:bin'), 'a\x01\x02\xff\xfe b');
  assert.deepEqual((db0.get('list:small') as ListValue).items.toArray(), ['a', 'b', '1', '2', '-3', '100000']);
  const big = (db0.get('list:big') as ListValue).items.toArray();
  assert.equal(big.length, 200);
  assert.equal(big[199], `item-200-${'x'.repeat(80)}`);
  assert.deepEqual((db0.get('list:plain') as ListValue).items.toArray(), ['small', 'P'.repeat(300), 'tail']);
  const intset = db0.get('set:intset') as SetValue;
  assert.deepEqual([...intset.set].sort(), ['-100', '1', '2', '3', '5000000000', '70000']);
  assert.equal(intset.encoding, 'intset');
  assert.equal((db0.get('set:hash') as SetValue).encoding, 'hashtable');
  assert.deepEqual([...(db0.get('hash:small') as HashValue).map], [['f1', 'v1'], ['f2', '2']]);
  const hbig = db0.get('hash:big') as HashValue;
  assert.equal(hbig.map.size, 600);
  assert.equal(hbig.map.get('field-600'), 'value-600');
  assert.equal(hbig.encoding, 'hashtable');
  const zs = db0.get('zset:small') as ZSetValue;
  assert.deepEqual([...zs.zset.entries()], [['c', -3], ['a', 1], ['b', 2.5], ['d', Infinity]]);
  assert.equal(zs.encoding, 'listpack');
  const zb = db0.get('zset:big') as ZSetValue;
  assert.equal(zb.zset.score('member-200'), 200.25);
  assert.equal(zb.encoding, 'skiplist');
  assert.equal(s.keyspace.dbs[0].expires.get('ttl:key'), 4102444800000);
  assert.equal(s.keyspace.dbs[3].dict.get('db3:key'), 'in-db-3');
  assert.ok(s.keyspace.dbs[15].dict.has('db15:set'));
});

// ---------------------------------------------------------------------------------------------
// Legacy encodings, built by hand
// ---------------------------------------------------------------------------------------------

function len(n: number): Buffer {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = 0x80;
  b.writeUInt32BE(n, 1);
  return b;
}

function str(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  return Buffer.concat([len(b.length), b]);
}

/** A ziplist of short strings and integers (each integer in the narrowest encoding). */
function ziplist(items: Array<string | number | bigint>): Buffer {
  const entries: Buffer[] = [];
  let prev = 0;
  let tail = 10;
  for (const it of items) {
    let body: Buffer;
    if (typeof it === 'string') {
      body = Buffer.concat([Buffer.from([it.length]), Buffer.from(it, 'latin1')]);
    } else if (typeof it === 'bigint') {
      body = Buffer.alloc(9);
      body[0] = 0xe0;
      body.writeBigInt64LE(it, 1);
    } else if (it >= 0 && it <= 12) {
      body = Buffer.from([0xf1 + it]);
    } else if (it >= -128 && it <= 127) {
      body = Buffer.from([0xfe, it & 0xff]);
    } else if (it >= -32768 && it <= 32767) {
      body = Buffer.alloc(3);
      body[0] = 0xc0;
      body.writeInt16LE(it, 1);
    } else if (it >= -8388608 && it <= 8388607) {
      body = Buffer.alloc(4);
      body[0] = 0xf0;
      body.writeIntLE(it, 1, 3);
    } else {
      body = Buffer.alloc(5);
      body[0] = 0xd0;
      body.writeInt32LE(it, 1);
    }
    const entry = Buffer.concat([Buffer.from([prev]), body]);
    entries.push(entry);
    tail = 10 + entries.slice(0, -1).reduce((a, e) => a + e.length, 0);
    prev = entry.length;
  }
  const payload = Buffer.concat(entries);
  const head = Buffer.alloc(10);
  head.writeUInt32LE(10 + payload.length + 1, 0);
  head.writeUInt32LE(tail, 4);
  head.writeUInt16LE(items.length, 8);
  return Buffer.concat([head, payload, Buffer.from([0xff])]);
}

function zipmap(pairs: Array<[string, string]>): Buffer {
  const parts: Buffer[] = [Buffer.from([pairs.length])];
  for (const [k, v] of pairs) parts.push(Buffer.from([k.length]), Buffer.from(k, 'latin1'), Buffer.from([v.length, 2]), Buffer.from(v, 'latin1'), Buffer.from([0, 0]));
  parts.push(Buffer.from([0xff]));
  return Buffer.concat(parts);
}

function intset(width: 2 | 4 | 8, values: bigint[]): Buffer {
  const b = Buffer.alloc(8 + width * values.length);
  b.writeUInt32LE(width, 0);
  b.writeUInt32LE(values.length, 4);
  values.forEach((v, i) => {
    if (width === 8) b.writeBigInt64LE(v, 8 + i * 8);
    else b.writeIntLE(Number(v), 8 + i * width, width);
  });
  return b;
}

/** An RDB 3 file (no checksum), the format of Redis 2.6. */
function legacyFile(records: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from('REDIS0003'), Buffer.from([254, 0]), ...records, Buffer.from([255])]);
}

test('legacy encodings: zipmap, ziplist lists/hashes/zsets, quicklist, intset widths, second expiries, ASCII scores', () => {
  const expireSec = Buffer.alloc(5);
  expireSec[0] = 253;
  expireSec.writeUInt32LE(4102444800, 1);
  const file = legacyFile([
    Buffer.concat([Buffer.from([9]), str('zipmap'), str(zipmap([['a', '1'], ['bb', 'two']]))]),
    Buffer.concat([Buffer.from([10]), str('ziplist'), str(ziplist(['x', 0, 12, -5, 300, 100000, -70000, 2 ** 31 - 1, 9223372036854775807n]))]),
    Buffer.concat([Buffer.from([13]), str('zlhash'), str(ziplist(['f', 'v', 'n', 7]))]),
    Buffer.concat([Buffer.from([12]), str('zlzset'), str(ziplist(['m', '1.5', 'n', 2, 'o', '-inf']))]),
    Buffer.concat([Buffer.from([14]), str('quicklist'), len(2), str(ziplist(['a', 'b'])), str(ziplist(['c']))]),
    Buffer.concat([Buffer.from([11]), str('is16'), str(intset(2, [-3n, 7n]))]),
    Buffer.concat([Buffer.from([11]), str('is32'), str(intset(4, [-100000n, 100000n]))]),
    Buffer.concat([Buffer.from([11]), str('is64'), str(intset(8, [-(2n ** 63n), 2n ** 62n]))]),
    Buffer.concat([expireSec, Buffer.from([3]), str('zset'), len(3), str('a'), Buffer.from([3]), Buffer.from('1.5'), str('b'), Buffer.from([254]), str('c'), Buffer.from([255])]),
  ]);
  const s = newServer();
  assert.equal(loadRdb(s, file, { source: 'legacy' }).keys, 9);
  const d = s.keyspace.dbs[0];
  assert.deepEqual([...(d.dict.get('zipmap') as HashValue).map], [['a', '1'], ['bb', 'two']]);
  assert.deepEqual((d.dict.get('ziplist') as ListValue).items.toArray(), ['x', '0', '12', '-5', '300', '100000', '-70000', '2147483647', '9223372036854775807']);
  assert.deepEqual([...(d.dict.get('zlhash') as HashValue).map], [['f', 'v'], ['n', '7']]);
  assert.deepEqual([...(d.dict.get('zlzset') as ZSetValue).zset.entries()], [['o', -Infinity], ['m', 1.5], ['n', 2]]);
  assert.deepEqual((d.dict.get('quicklist') as ListValue).items.toArray(), ['a', 'b', 'c']);
  assert.deepEqual([...(d.dict.get('is16') as SetValue).set], ['-3', '7']);
  assert.deepEqual([...(d.dict.get('is32') as SetValue).set], ['-100000', '100000']);
  assert.deepEqual([...(d.dict.get('is64') as SetValue).set], ['-9223372036854775808', '4611686018427387904']);
  assert.deepEqual([...(d.dict.get('zset') as ZSetValue).zset.entries()], [['c', -Infinity], ['a', 1.5], ['b', Infinity]]);
  assert.equal(d.expires.get('zset'), 4102444800000);
});

test('unsupported and invalid inputs are refused with a reason', () => {
  const cases: Array<[Buffer, RegExp]> = [
    [Buffer.from('NOTREDIS0010'), /Wrong signature/],
    [Buffer.from('REDIS0099\xff'), /Can't handle RDB format version 99/],
    [Buffer.concat([Buffer.from('REDIS0010'), Buffer.from([254, 40])]), /configured to handle more than 16 databases/],
    [Buffer.concat([Buffer.from('REDIS0010'), Buffer.from([15]), str('s')]), /stream values .* not supported/],
    [Buffer.concat([Buffer.from('REDIS0010'), Buffer.from([0]), str('k'), str('v'), Buffer.from([0]), str('k'), str('w'), Buffer.from([255]), Buffer.alloc(8)]), /RDB has duplicated key 'k' in DB 0/],
    [Buffer.concat([Buffer.from('REDIS0010'), Buffer.from([2]), str('s'), len(2), str('a'), str('a'), Buffer.from([255]), Buffer.alloc(8)]), /Duplicate set members/],
    [Buffer.concat([Buffer.from('REDIS0010'), Buffer.from([42]), str('k')]), /Unknown RDB encoding type 42/],
  ];
  for (const [bytes, reason] of cases) {
    assert.throws(() => loadRdb(newServer(), bytes, { source: 'bad.rdb' }), (e: unknown) => e instanceof RdbError && reason.test(e.message) && /^bad\.rdb: .* at offset \d+$/.test(e.message), `${reason}`);
  }
});

// ---------------------------------------------------------------------------------------------
// Fuzzing
// ---------------------------------------------------------------------------------------------

const checked = newServer();
const unchecked = newServer({ rdbchecksum: 'no' });

/** Loads bytes; returns 'ok' or 'rdb-error', and fails the test on any other exception. */
function probe(bytes: Buffer, server: Server): 'ok' | 'rdb-error' {
  try {
    loadRdb(server, bytes, { source: 'fuzz' });
    return 'ok';
  } catch (e) {
    if (e instanceof RdbError) return 'rdb-error';
    throw new Error(`not an RdbError: ${(e as Error).stack}`);
  }
}

test('every truncation of a real dump.rdb is an RdbError', () => {
  for (let cut = 0; cut < FIXTURE.length; cut++) {
    assert.equal(probe(FIXTURE.subarray(0, cut), checked), 'rdb-error', `cut at ${cut}`);
  }
});

test('bit flips: an RdbError or a clean load, never a crash or a hang', () => {
  let x = 12345;
  const rand = (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const started = Date.now();
  const outcomes = { ok: 0, 'rdb-error': 0 };
  // Checksum off so that damage reaches the decoders instead of being caught at EOF.
  for (let i = 0; i < 3000; i++) {
    const bytes = Buffer.from(FIXTURE);
    const flips = 1 + rand(4);
    for (let f = 0; f < flips; f++) bytes[rand(bytes.length - 8)] ^= 1 << rand(8);
    outcomes[probe(bytes, unchecked)]++;
  }
  assert.ok(outcomes['rdb-error'] > 100, JSON.stringify(outcomes));
  assert.ok(Date.now() - started < 60000);
  // With the checksum verified, a flip anywhere before the trailer is always caught.
  for (let i = 0; i < 200; i++) {
    const bytes = Buffer.from(FIXTURE);
    bytes[9 + rand(bytes.length - 17)] ^= 1 << rand(8);
    assert.equal(probe(bytes, checked), 'rdb-error');
  }
});
