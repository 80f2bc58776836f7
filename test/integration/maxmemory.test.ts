// maxmemory: under noeviction writes get Redis's -OOM error while reads and DEL still work;
// under allkeys-lru / volatile-ttl keys are evicted (counted in INFO, propagated as DEL) and
// memory stays near the limit.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startServer } from '../helpers/server';
import { RespClient, RespError } from '../helpers/resp-client';
import { FakeReplica } from '../helpers/fake-replica';

const VALUE = 'x'.repeat(1000);

async function usedMemory(c: RespClient): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(String(await c.call('INFO', 'memory')))![1]);
}

/** Writes `n` 1 KB values, returning how many were refused with -OOM. */
async function write(c: RespClient, prefix: string, n: number, ...extra: string[]): Promise<number> {
  let refused = 0;
  for (let i = 0; i < n; i++) {
    const r = await c.call('SET', `${prefix}${i}`, VALUE, ...extra);
    if (r instanceof RespError) {
      assert.equal(r.message, "OOM command not allowed when used memory > 'maxmemory'.");
      refused++;
    }
  }
  return refused;
}

test('noeviction: writes refused with -OOM, reads and DEL still served', async () => {
  const srv = await startServer({ args: ['--save', ''] });
  const c = await srv.client();
  const limit = (await usedMemory(c)) + 8 * 1024 * 1024;
  assert.equal(await c.call('CONFIG', 'SET', 'maxmemory', String(limit)), 'OK');
  const refused = await write(c, 'k', 20000);
  assert.ok(refused > 0, 'some writes were refused');
  assert.equal(await c.call('GET', 'k0'), VALUE);
  assert.equal(await c.call('DEL', 'k0'), 1);
  assert.match(String(await c.call('INFO', 'stats')), /evicted_keys:0\r\n/);
  c.close();
  await srv.stop();
});

test('allkeys-lru: keys are evicted, memory stays near the limit, evictions propagate as DEL', async () => {
  const srv = await startServer({ args: ['--save', '', '--maxmemory-policy', 'allkeys-lru', '--repl-diskless-sync-delay', '0'] });
  const replica = await FakeReplica.attach(srv.port);
  const c = await srv.client();
  const limit = (await usedMemory(c)) + 8 * 1024 * 1024;
  assert.equal(await c.call('CONFIG', 'SET', 'maxmemory', String(limit)), 'OK');
  assert.equal(await write(c, 'k', 20000), 0, 'nothing refused: keys are evicted instead');
  const dbsize = (await c.call('DBSIZE')) as number;
  const evicted = Number(/evicted_keys:(\d+)/.exec(String(await c.call('INFO', 'stats')))![1]);
  console.log(`# allkeys-lru: 20000 x 1 KB written under an 8 MB margin: ${dbsize} kept, ${evicted} evicted`);
  assert.ok(dbsize < 20000 && evicted > 0);
  assert.equal(dbsize + evicted, 20000);
  assert.ok(dbsize * VALUE.length <= 8 * 1024 * 1024, 'the keys kept fit under the limit');
  // INFO reports memory as eviction counts it: the V8 heap still holds evicted values until a
  // major GC, and without the meter's estimate of what eviction freed, used_memory would read
  // many MB above the limit here. Off-heap buffers (the fake replica's stream) are not evicted
  // for; they are in used_memory and in mem_not_counted_for_evict.
  const mem = String(await c.call('INFO', 'memory'));
  const used = Number(/used_memory:(\d+)/.exec(mem)![1]);
  const notCounted = Number(/mem_not_counted_for_evict:(\d+)/.exec(mem)![1]);
  console.log(`# allkeys-lru: limit ${limit}, used_memory ${used}, mem_not_counted_for_evict ${notCounted}`);
  assert.ok(used - notCounted <= limit + 1024 * 1024, 'memory counted for eviction stays near the limit');
  assert.equal(await c.call('GET', 'k19999'), VALUE, 'the newest key was kept');
  const stream = await replica.waitFor('a propagated DEL', (s) => s.includes('$3\r\nDEL\r\n'));
  assert.match(stream, /\*2\r\n\$3\r\nDEL\r\n\$\d+\r\nk\d+\r\n/);
  replica.close();
  c.close();
  await srv.stop();
});

test('volatile-ttl: only keys with a TTL are evicted, the nearest expiry first', async () => {
  const srv = await startServer({ args: ['--save', '', '--maxmemory-policy', 'volatile-ttl'] });
  const c = await srv.client();
  assert.equal(await write(c, 'keep', 500), 0);
  const limit = (await usedMemory(c)) + 8 * 1024 * 1024;
  assert.equal(await c.call('CONFIG', 'SET', 'maxmemory', String(limit)), 'OK');
  for (let i = 0; i < 20000; i++) await c.call('SET', `t${i}`, VALUE, 'EX', String(100000 + i));
  assert.equal(await c.call('EXISTS', 'keep0', 'keep499'), 2, 'keys without a TTL stay');
  assert.equal(await c.call('EXISTS', 't0'), 0, 'the nearest expiry went first');
  assert.equal(await c.call('EXISTS', 't19999'), 1);
  c.close();
  await srv.stop();
});
