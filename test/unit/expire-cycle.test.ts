// The active expire cycle (keyspace/expire-cycle.ts) on a bare Keyspace with injected clocks:
// what it deletes and reports, its time budget, the stale-percentage stop rule with a cursor kept
// across ticks, and that a server that must not delete (a replica) leaves keys alone.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Keyspace, Database } from '../../src/keyspace/keyspace';
import { ExpireCycle } from '../../src/keyspace/expire-cycle';

const NOW = 1_700_000_000_000;

function keyspaceWith(live: number, expired: number): Keyspace {
  const ks = new Keyspace(16);
  ks.now = NOW;
  const db = ks.dbs[0];
  for (let i = 0; i < live; i++) {
    ks.set(db, `live:${i}`, 'v');
    ks.setExpire(db, `live:${i}`, NOW + 60_000);
  }
  for (let i = 0; i < expired; i++) {
    ks.set(db, `dead:${i}`, 'v');
    ks.setExpire(db, `dead:${i}`, NOW - 1);
  }
  return ks;
}

/** A monotonic fake clock advancing `step` ms per reading. */
function steppingClock(step: number): () => number {
  let t = 0;
  return () => (t += step);
}

test('deletes every expired key through deleteExpired, keeps live ones, reports stats', () => {
  const ks = keyspaceWith(50, 200);
  const expiredSeen: string[] = [];
  ks.listeners.push({ keyModified: () => undefined, keyExpired: (_db: Database, key: string) => expiredSeen.push(key), dbReplaced: () => undefined });
  const cycle = new ExpireCycle(ks, () => NOW);
  let deleted = 0;
  for (let tick = 0; tick < 50 && ks.dbs[0].size > 50; tick++) deleted += cycle.run(1, 10, steppingClock(0));
  assert.equal(deleted, 200);
  assert.equal(ks.dbs[0].size, 50);
  assert.equal(ks.dbs[0].expires.size, 50);
  assert.equal(ks.expiredKeys, 200);
  assert.equal(expiredSeen.length, 200);
  assert.ok(expiredSeen.every((k) => k.startsWith('dead:')));
  assert.equal(cycle.stats.expired, 200);
  assert.ok(cycle.stats.stalePerc > 0);
});

test('a tick stops on its time budget (25% of 1000/hz ms) and later ticks finish the job', () => {
  const ks = keyspaceWith(0, 10_000);
  const cycle = new ExpireCycle(ks, () => NOW);
  // Each clock reading advances 1 ms: one batch of 20 keys per reading, budget 25 ms at hz 10.
  const first = cycle.run(1, 10, steppingClock(1));
  assert.ok(first > 0 && first <= 26 * 20, `first tick deleted ${first}`);
  assert.equal(cycle.stats.timeCapReached, 1);
  let ticks = 1;
  while (ks.dbs[0].size > 0 && ticks < 1000) {
    cycle.run(1, 10, steppingClock(1));
    ticks++;
  }
  assert.equal(ks.dbs[0].size, 0);
  assert.ok(ticks > 10, `took ${ticks} ticks`);
});

test('higher active-expire-effort gets a bigger budget and bigger batches', () => {
  const low = new ExpireCycle(keyspaceWith(0, 10_000), () => NOW).run(1, 10, steppingClock(1));
  const high = new ExpireCycle(keyspaceWith(0, 10_000), () => NOW).run(10, 10, steppingClock(1));
  assert.ok(high > low, `effort 10 deleted ${high}, effort 1 deleted ${low}`);
});

test('a batch with few stale keys ends the database for this tick; the cursor resumes next tick', () => {
  const ks = keyspaceWith(1000, 1); // the one expired key comes last in the scan order
  const cycle = new ExpireCycle(ks, () => NOW);
  assert.equal(cycle.run(1, 10, steppingClock(0)), 0);
  assert.equal(ks.dbs[0].size, 1001);
  let ticks = 1;
  while (ks.dbs[0].size === 1001 && ticks < 200) {
    cycle.run(1, 10, steppingClock(0));
    ticks++;
  }
  assert.equal(ks.dbs[0].size, 1000);
  // 1001 keys in batches of 20: the dead key is reached on the 51st tick, not before.
  assert.equal(ticks, 51);
});

test('keys added and removed while the cursor is parked are handled', () => {
  const ks = keyspaceWith(100, 0);
  const cycle = new ExpireCycle(ks, () => NOW);
  cycle.run(1, 10, steppingClock(0));
  const db = ks.dbs[0];
  for (let i = 0; i < 100; i += 2) ks.delete(db, `live:${i}`);
  for (let i = 0; i < 30; i++) {
    ks.set(db, `late:${i}`, 'v');
    ks.setExpire(db, `late:${i}`, NOW - 5);
  }
  for (let tick = 0; tick < 20; tick++) cycle.run(1, 10, steppingClock(0));
  assert.equal(db.size, 50);
  assert.ok([...db.dict.keys()].every((k) => k.startsWith('live:')));
});

test('nothing is deleted unless the keyspace deletes expired keys (replicas wait for DEL)', () => {
  for (const mode of ['hide', 'ignore'] as const) {
    const ks = keyspaceWith(0, 100);
    ks.expiryMode = mode;
    assert.equal(new ExpireCycle(ks, () => NOW).run(1, 10, steppingClock(0)), 0);
    assert.equal(ks.dbs[0].size, 100);
  }
});

test('all databases get visited, not only db 0', () => {
  const ks = new Keyspace(16);
  ks.now = NOW;
  for (const id of [0, 5, 15]) {
    ks.set(ks.dbs[id], 'k', 'v');
    ks.setExpire(ks.dbs[id], 'k', NOW - 1);
  }
  new ExpireCycle(ks, () => NOW).run(1, 10, steppingClock(0));
  assert.equal(ks.totalKeys(), 0);
});
