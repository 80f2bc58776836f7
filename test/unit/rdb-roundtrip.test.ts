// RDB writer + reader round trips in-process: every type on both sides of its encoding limits,
// string encodings (int, LZF, raw, binary), expiries, several databases, checksum and
// compression settings; and the snapshot engine's point-in-time guarantee while commands keep
// writing during an asynchronous snapshot (including FLUSHDB, SWAPDB, MOVE and RENAME).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Server } from '../../src/server/server';
import { inProcessServer } from '../helpers/in-process';
import { processCommand } from '../../src/server/dispatch';
import { startSnapshot } from '../../src/persistence/snapshot';
import { loadRdb, RdbError } from '../../src/persistence/rdb-reader';
import { RdbWriter } from '../../src/persistence/rdb-writer';
import { persistenceOf } from '../../src/persistence/persistence';
import { HashValue, ListValue, SetValue, Value, ZSetValue } from '../../src/keyspace/values';

const newServer = inProcessServer;

/** Runs a command as a client would; returns the raw reply. */
function attempt(server: Server, dbIndex: number, ...argv: string[]): string {
  const c = server.createClient(null);
  c.db = server.keyspace.dbs[dbIndex];
  processCommand(server, c, argv, 0);
  const reply = Buffer.concat(c.reply.take()).toString('latin1');
  server.clients.delete(c.id);
  return reply;
}

/** attempt() that fails the test on an error reply. */
function run(server: Server, dbIndex: number, ...argv: string[]): string {
  const reply = attempt(server, dbIndex, ...argv);
  assert.ok(!reply.startsWith('-'), `${argv.join(' ')} -> ${reply}`);
  return reply;
}

/** A canonical, comparable picture of the whole dataset (types, contents, encodings, TTLs). */
function picture(server: Server): unknown[] {
  const out: unknown[] = [];
  for (const db of server.keyspace.dbs) {
    for (const key of [...db.dict.keys()].sort()) {
      out.push([db.id, key, describe(db.dict.get(key)!), db.expires.get(key) ?? -1]);
    }
  }
  return out;
}

function describe(v: Value): unknown {
  if (typeof v === 'string') return ['string', v];
  if (v instanceof ListValue) return ['list', v.items.toArray()];
  if (v instanceof HashValue) return ['hash', v.encoding, [...v.map].sort()];
  if (v instanceof SetValue) return ['set', v.encoding, [...v.set].sort()];
  return ['zset', v.encoding, [...v.zset.entries()]];
}

function snapshotSync(server: Server, aux?: Record<string, string>): Buffer {
  const chunks: Buffer[] = [];
  let ended: Error | null | undefined;
  startSnapshot(server, { sync: true, aux, onChunk: (b) => void chunks.push(b), onEnd: (e) => (ended = e) });
  assert.equal(ended, null);
  return Buffer.concat(chunks);
}

function reload(rdb: Buffer, settings: Record<string, string> = {}): Server {
  const s = newServer(settings);
  loadRdb(s, rdb, { source: 'test.rdb' });
  return s;
}

function fill(server: Server): void {
  const ks = server.keyspace;
  const db0 = ks.dbs[0];
  const strings = ['', 'a', '0', '-1', '127', '-128', '128', '32767', '-32768', '65536', '2147483647', '-2147483648',
    '2147483648', '12345678901', '007', '-0', '+1', ' 1', '1.5', 'x'.repeat(21), 'ab'.repeat(500), '\0\xff\r\n binary \x80',
    'q'.repeat(20000)];
  strings.forEach((s, i) => ks.set(db0, `str:${i}`, s));
  ks.set(db0, 'int-key-7', 'seven');
  ks.set(db0, '12345', 'a key that is an integer');
  for (const n of [1, 128, 129, 600]) {
    const l = new ListValue();
    for (let i = 0; i < n; i++) l.items.push(i % 3 === 0 ? String(i) : `item-${i}-${'z'.repeat(i % 70)}`);
    ks.set(db0, `list:${n}`, l);
  }
  for (const [name, entries, width] of [['small', 512, 64], ['wide', 3, 65], ['big', 513, 5]] as const) {
    const h = new HashValue();
    for (let i = 0; i < entries; i++) h.map.set(`f${i}`, 'v'.repeat(width));
    h.encoding = name === 'small' ? 'listpack' : 'hashtable';
    ks.set(db0, `hash:${name}`, h);
  }
  for (const [name, members] of [
    ['ints', Array.from({ length: 512 }, (_, i) => String(i * 1000 - 9))],
    ['many-ints', Array.from({ length: 513 }, (_, i) => String(i))],
    ['big-ints', ['9223372036854775807', '-9223372036854775808', '9223372036854775808']],
    ['words', ['a', 'b', 'c']],
  ] as const) {
    const s = new SetValue();
    for (const m of members) s.set.add(m);
    s.encoding = name === 'ints' ? 'intset' : 'hashtable';
    ks.set(db0, `set:${name}`, s);
  }
  const db5 = ks.dbs[5];
  for (const [name, n, width] of [['small', 125, 64], ['big', 126, 4], ['wide', 2, 65]] as const) {
    const z = new ZSetValue();
    for (let i = 0; i < n; i++) z.zset.add(`m${i}`.padStart(width, '.'), i % 7 === 0 ? i / 3 : -i);
    z.zset.add('inf', Infinity);
    z.zset.add('-inf', -Infinity);
    z.zset.add('tiny', 5e-324);
    z.encoding = name === 'small' ? 'listpack' : 'skiplist';
    ks.set(db5, `zset:${name}`, z);
  }
  ks.set(db5, 'with-ttl', 'v');
  ks.setExpire(db5, 'with-ttl', Date.now() + 3_600_000);
  ks.set(ks.dbs[15], 'last-db', 'v');
}

test('every type and encoding boundary survives a round trip, with each compression/checksum setting', () => {
  for (const rdbcompression of ['yes', 'no']) {
    for (const rdbchecksum of ['yes', 'no']) {
      const src = newServer({ rdbcompression, rdbchecksum });
      fill(src);
      const rdb = snapshotSync(src);
      assert.equal(rdb.latin1Slice(0, 9), 'REDIS0010');
      const trailer = rdb.subarray(rdb.length - 8);
      assert.equal(trailer.every((b) => b === 0), rdbchecksum === 'no');
      assert.deepEqual(picture(reload(rdb)), picture(src));
    }
  }
});

test('loaded encodings follow the configured limits', () => {
  const src = newServer();
  fill(src);
  const dst = reload(snapshotSync(src), { 'hash-max-listpack-entries': '1', 'set-max-intset-entries': '1', 'zset-max-listpack-entries': '1' });
  const db0 = dst.keyspace.dbs[0];
  assert.equal((db0.dict.get('hash:small') as HashValue).encoding, 'hashtable');
  assert.equal((db0.dict.get('set:ints') as SetValue).encoding, 'hashtable');
  assert.equal((dst.keyspace.dbs[5].dict.get('zset:small') as ZSetValue).encoding, 'skiplist');
});

test('AUX fields: defaults and the caller\'s, in order', () => {
  const src = newServer();
  const dst = newServer();
  const r = loadRdb(dst, snapshotSync(src, { 'repl-stream-db': '0', 'repl-id': 'abc', 'repl-offset': '42', 'aof-base': '1' }), { source: 'x' });
  assert.deepEqual([...r.aux.keys()], ['redis-ver', 'redis-bits', 'ctime', 'used-mem', 'repl-stream-db', 'repl-id', 'repl-offset', 'aof-base']);
  assert.equal(r.aux.get('redis-ver'), '7.0.15');
  assert.equal(r.aux.get('repl-offset'), '42');
  assert.equal(r.aux.get('aof-base'), '1');
  assert.equal(r.keys, 0);
});

test('a master drops keys whose TTL passed and counts them; a replica keeps them', () => {
  const src = newServer();
  const db = src.keyspace.dbs[0];
  src.keyspace.set(db, 'old', 'v');
  src.keyspace.setExpire(db, 'old', Date.now() - 1000);
  src.keyspace.set(db, 'live', 'v');
  const rdb = snapshotSync(src);
  const master = newServer();
  assert.deepEqual({ ...loadRdb(master, rdb, { source: 'x' }), aux: null }, { keys: 1, expired: 1, aux: null, functions: [] });
  const replica = newServer();
  replica.role = 'slave';
  assert.equal(loadRdb(replica, rdb, { source: 'x' }).keys, 2);
});

test('a failed load leaves the dataset as it was', () => {
  const src = newServer();
  fill(src);
  const rdb = snapshotSync(src);
  const dst = newServer();
  dst.keyspace.set(dst.keyspace.dbs[0], 'keep', 'me');
  assert.throws(() => loadRdb(dst, rdb.subarray(0, rdb.length - 100), { source: 'cut.rdb' }), (e: unknown) => e instanceof RdbError && /^cut\.rdb: .* at offset \d+$/.test(e.message));
  assert.deepEqual(picture(dst), [[0, 'keep', ['string', 'me'], -1]]);
});

test('a wrong checksum is reported with both values', () => {
  const src = newServer();
  src.keyspace.set(src.keyspace.dbs[0], 'k', 'v');
  const rdb = snapshotSync(src);
  rdb[rdb.length - 1] ^= 1;
  assert.throws(() => loadRdb(newServer(), rdb, { source: 'x' }), /Wrong RDB checksum expected: \([0-9a-f]+\) got \([0-9a-f]+\)/);
  assert.equal(loadRdb(newServer({ rdbchecksum: 'no' }), rdb, { source: 'x' }).keys, 1);
});

/** Waits one event-loop turn (lets an asynchronous snapshot take a step). */
const turn = () => new Promise<void>((r) => setImmediate(r));

test('an asynchronous snapshot is the dataset as of its start while writes go on', async () => {
  await assertPointInTimeUnderWrites(newServer());
});

test('point in time also when rdb-key-save-delay stops the walk inside a partition', async () => {
  await assertPointInTimeUnderWrites(newServer({ 'rdb-key-save-delay': '30' }));
});

test('point in time when writes start while the walk is still indexing a big database', async () => {
  const server = newServer();
  for (let i = 0; i < 300000; i++) server.keyspace.set(server.keyspace.dbs[0], `k${i}`, `v${i}`);
  const before = picture(server);
  const chunks: Buffer[] = [];
  let done = false;
  startSnapshot(server, { onChunk: (b) => void chunks.push(b), onEnd: () => (done = true) });
  // The first writes land before the walk's first step: nothing has been reached yet.
  for (let round = 0; !done; round++) {
    run(server, 0, 'SET', `k${(round * 7919) % 300000}`, 'overwritten');
    run(server, 0, 'DEL', `k${(round * 104729) % 300000}`);
    run(server, 0, 'SET', `new-${round}`, 'created after the start');
    if (round === 3) run(server, 0, 'FLUSHDB');
    await turn();
  }
  assert.deepEqual(picture(reload(Buffer.concat(chunks))), before);
});

test('a key deleted and re-created after the walk wrote it is not written again', async () => {
  const server = newServer();
  for (let i = 0; i < 50000; i++) run(server, 0, 'SET', `k${i}`, `v${i}`);
  const before = picture(server);
  const chunks: Buffer[] = [];
  let done = false;
  const h = startSnapshot(server, { onChunk: (b) => void chunks.push(b), onEnd: () => (done = true) });
  while (h.keys === 0) await turn();
  // k0 comes first in the Map, so the walk has written it; re-created, it moves to the end.
  run(server, 0, 'DEL', 'k0');
  run(server, 0, 'SET', 'k0', 'again');
  while (!done) {
    run(server, 0, 'DEL', 'k1');
    run(server, 0, 'SET', 'k1', 'again');
    await turn();
  }
  assert.deepEqual(picture(reload(Buffer.concat(chunks))), before);
});

/** Starts an asynchronous snapshot, writes in every database until it ends, checks the result. */
async function assertPointInTimeUnderWrites(server: Server): Promise<void> {
  const ks = server.keyspace;
  for (let i = 0; i < 30000; i++) {
    const db = ks.dbs[i % 3];
    if (i % 5 === 0) run(server, db.id, 'RPUSH', `k${i}`, 'a', 'b', String(i));
    else if (i % 5 === 1) run(server, db.id, 'HSET', `k${i}`, 'f', String(i));
    else if (i % 5 === 2) run(server, db.id, 'SADD', `k${i}`, String(i), 'x');
    else run(server, db.id, 'SET', `k${i}`, `value-${i}`);
  }
  run(server, 0, 'EXPIRE', 'k3', '1000');
  const before = picture(server);

  const chunks: Buffer[] = [];
  let done = false;
  startSnapshot(server, { onChunk: (b) => void chunks.push(b), onEnd: (e) => { assert.equal(e, null); done = true; } });
  let round = 0;
  while (!done) {
    // Writes to keys the walk has and has not reached yet, in every database. Key k<j> lives in
    // database j % 3; some writes fail (WRONGTYPE after a SET, RENAME of a deleted key): fine.
    const key = (salt: number) => {
      const j = (round * 7919 + salt * 104729) % 30000;
      return { db: j % 3, name: `k${j}` };
    };
    const a = key(1);
    run(server, a.db, 'SET', a.name, 'overwritten');
    const b = key(2);
    run(server, b.db, 'DEL', b.name);
    const c = key(3);
    attempt(server, c.db, 'RPUSH', c.name, 'pushed');
    attempt(server, c.db, 'SADD', c.name, 'added');
    attempt(server, c.db, 'HSET', c.name, 'g', 'set');
    run(server, round % 3, 'SET', `new-${round}`, 'created after the start');
    const d = key(4);
    attempt(server, d.db, 'EXPIRE', d.name, '5000');
    const e = key(5);
    attempt(server, e.db, 'RENAME', e.name, `renamed-${round}`);
    const f = key(6);
    if (round % 3 === 0) attempt(server, f.db, 'MOVE', f.name, String((f.db + 1) % 3));
    if (round === 5) run(server, 1, 'SWAPDB', '1', '2');
    if (round === 9) run(server, 2, 'FLUSHDB');
    round++;
    await turn();
  }
  assert.ok(round > 10, `the snapshot took ${round} turns; too few to interleave writes`);
  assert.notDeepEqual(picture(server), before);
  assert.deepEqual(picture(reload(Buffer.concat(chunks))), before);
}

test('several snapshots can run at once, each with its own start point', async () => {
  const server = newServer();
  for (let i = 0; i < 20000; i++) run(server, 0, 'SET', `k${i}`, String(i));
  const first = picture(server);
  const results: Buffer[][] = [[], []];
  let ended = 0;
  const onEnd = (e: Error | null) => {
    assert.equal(e, null);
    ended++;
  };
  startSnapshot(server, { onChunk: (b) => void results[0].push(b), onEnd });
  await turn();
  run(server, 0, 'SET', 'k1', 'changed between the starts');
  const second = picture(server);
  startSnapshot(server, { onChunk: (b) => void results[1].push(b), onEnd });
  while (ended < 2) {
    run(server, 0, 'SET', 'k19999', 'changed after both');
    await turn();
  }
  assert.deepEqual(picture(reload(Buffer.concat(results[0]))), first);
  assert.deepEqual(picture(reload(Buffer.concat(results[1]))), second);
});

test('backpressure: returning false from onChunk pauses the walk until resume()', async () => {
  const server = newServer();
  for (let i = 0; i < 50000; i++) run(server, 0, 'SET', `k${i}`, 'x'.repeat(40));
  const chunks: Buffer[] = [];
  let done = false;
  const h = startSnapshot(server, { onChunk: (b) => (chunks.push(b), false), onEnd: () => (done = true) });
  // The first chunk comes once 256 KB are buffered; after it the walk stays paused.
  while (chunks.length === 0 && !done) await turn();
  for (let i = 0; i < 5; i++) await turn();
  assert.equal(chunks.length, 1);
  assert.equal(done, false);
  while (!done) {
    h.resume();
    await turn();
  }
  assert.equal(reload(Buffer.concat(chunks)).keyspace.dbs[0].dict.size, 50000);
});

test('cancel() stops a snapshot without calling onEnd', async () => {
  const server = newServer();
  for (let i = 0; i < 50000; i++) run(server, 0, 'SET', `k${i}`, 'v');
  let ended = false;
  const h = startSnapshot(server, { onChunk: () => undefined, onEnd: () => (ended = true) });
  await turn();
  h.cancel();
  for (let i = 0; i < 20; i++) await turn();
  assert.equal(ended, false);
  assert.ok(h.keys < 50000);
});

test('loadAsync yields to the event loop: clients get -LOADING and INFO shows the progress', async () => {
  const src = newServer();
  for (let i = 0; i < 5000; i++) run(src, 0, 'SET', `k${i}`, 'v'.repeat(30));
  const rdb = snapshotSync(src);
  const dst = newServer({ 'loading-process-events-interval-bytes': '1024' });
  let sawLoading = 0;
  const load = persistenceOf(dst).loadAsync(rdb, 'master');
  let finished = false;
  void load.then(() => (finished = true));
  while (!finished) {
    if (dst.loading) {
      sawLoading++;
      assert.match(attempt(dst, 0, 'GET', 'k1'), /^-LOADING Redis is loading the dataset in memory/);
      assert.match(attempt(dst, 0, 'INFO', 'persistence'), /loading:1[\s\S]*loading_loaded_perc:\d+\.\d\d/);
    }
    await turn();
  }
  assert.equal((await load).keys, 5000);
  assert.ok(sawLoading > 10, `saw the loading state ${sawLoading} times`);
  assert.equal(run(dst, 0, 'GET', 'k1'), `$30\r\n${'v'.repeat(30)}\r\n`);
});

test('the writer reuses the blocks of recycled chunks, and only blocks it allocated', () => {
  const w = new RdbWriter(false);
  const chunk = (text: string): Buffer => {
    w.latin1(text);
    return w.take();
  };
  const first = chunk('a'.repeat(100));
  const second = chunk('b'.repeat(100));
  const foreign = Buffer.alloc(1 << 20);
  w.recycle(first);
  w.recycle(foreign);
  // The block being written when take() runs goes out with the chunk; the spare comes next.
  const third = chunk('c'.repeat(100));
  const fourth = chunk('d');
  assert.equal(fourth.buffer, first.buffer);
  assert.equal(fourth.toString('latin1'), 'd');
  assert.equal(second.toString('latin1'), 'b'.repeat(100));
  assert.equal(third.toString('latin1'), 'c'.repeat(100));
  const fifth = chunk('e');
  assert.notEqual(fifth.buffer, foreign.buffer);
  assert.equal(fifth.toString('latin1'), 'e');
});
