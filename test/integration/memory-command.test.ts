// MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP against a spawned server: argument
// errors and replies as Redis 7.0 gives them, STATS's fields in Redis's order, sizes that follow
// the data, and the doctor's verdict for an empty and a filled instance.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server';
import { RespError, RespValue } from '../helpers/resp-client';

const { server: srv, client: c } = useServer({ args: ['--enable-debug-command', 'yes'] });

const STATS_FIELDS_BEFORE_DBS = ['peak.allocated', 'total.allocated', 'startup.allocated', 'replication.backlog', 'clients.slaves', 'clients.normal', 'cluster.links', 'aof.buffer', 'lua.caches', 'functions.caches'];
const STATS_FIELDS_AFTER_DBS = ['overhead.total', 'keys.count', 'keys.bytes-per-key', 'dataset.bytes', 'dataset.percentage', 'peak.percentage', 'allocator.allocated', 'allocator.active', 'allocator.resident', 'allocator-fragmentation.ratio', 'allocator-fragmentation.bytes', 'allocator-rss.ratio', 'allocator-rss.bytes', 'rss-overhead.ratio', 'rss-overhead.bytes', 'fragmentation', 'fragmentation.bytes'];

/** MEMORY STATS's RESP2 reply as [name, value] pairs. */
async function stats(): Promise<Array<[string, RespValue]>> {
  const flat = (await c.call('MEMORY', 'STATS')) as RespValue[];
  const pairs: Array<[string, RespValue]> = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i] as string, flat[i + 1]]);
  return pairs;
}

test('MEMORY USAGE: nil for a missing key, a size that grows with the value, Redis\'s argument errors', async () => {
  await c.call('FLUSHALL');
  assert.equal(await c.call('MEMORY', 'USAGE', 'none'), null);
  await c.call('SET', 'small', 'x');
  await c.call('SET', 'big', 'x'.repeat(10000));
  const small = (await c.call('MEMORY', 'USAGE', 'small')) as number;
  const big = (await c.call('MEMORY', 'USAGE', 'big')) as number;
  assert.ok(small > 0 && big >= small + 9990, `${small} ${big}`);
  assert.deepEqual(await c.call('MEMORY', 'USAGE', 'small', 'SAMPLES', '-1'), new RespError('ERR syntax error'));
  assert.deepEqual(await c.call('MEMORY', 'USAGE', 'small', 'SAMPLES', 'x'), new RespError('ERR value is not an integer or out of range'));
  assert.deepEqual(await c.call('MEMORY', 'USAGE', 'small', 'SAMPLES'), new RespError('ERR syntax error'));
  assert.deepEqual(await c.call('MEMORY', 'USAGE', 'small', 'bad'), new RespError('ERR syntax error'));
  assert.deepEqual(await c.call('MEMORY', 'USAGE'), new RespError("ERR wrong number of arguments for 'memory|usage' command"));
  assert.deepEqual(await c.call('MEMORY', 'nope'), new RespError("ERR unknown subcommand 'nope'. Try MEMORY HELP."));
});

test('MEMORY USAGE samples an aggregate: SAMPLES 0 reads every element, the default only the first five', async () => {
  await c.call('DEL', 'l');
  // Five short elements first, then long ones: the default sample sees only the short ones.
  await c.call('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', ...Array.from({ length: 95 }, () => 'y'.repeat(1000)));
  const sampled = (await c.call('MEMORY', 'USAGE', 'l')) as number;
  const all = (await c.call('MEMORY', 'USAGE', 'l', 'samples', '0')) as number;
  assert.ok(all > 95000, `all elements counted: ${all}`);
  assert.ok(sampled < all / 10, `five short elements scaled up: ${sampled}`);
  assert.equal(await c.call('MEMORY', 'USAGE', 'l', 'SAMPLES', '100'), all);
});

test('MEMORY STATS lists Redis\'s fields in Redis\'s order, one db.<n> map per database holding keys', async () => {
  await c.call('FLUSHALL');
  await c.call('SET', 'a', '1');
  await c.call('SELECT', '3');
  await c.call('SET', 'b', '2', 'EX', '100');
  await c.call('SET', 'c', '3');
  await c.call('SELECT', '0');
  const pairs = await stats();
  assert.deepEqual(pairs.map(([name]) => name), [...STATS_FIELDS_BEFORE_DBS, 'db.0', 'db.3', ...STATS_FIELDS_AFTER_DBS]);
  const m = new Map(pairs);
  assert.equal(m.get('keys.count'), 3);
  const db3 = m.get('db.3') as RespValue[];
  assert.deepEqual(db3.filter((_, i) => i % 2 === 0), ['overhead.hashtable.main', 'overhead.hashtable.expires', 'overhead.hashtable.slot-to-keys']);
  assert.ok((db3[3] as number) > 0, 'db 3 has a volatile key');
  assert.equal((m.get('db.0') as RespValue[])[3], 0, 'db 0 has none');
  assert.ok((m.get('total.allocated') as number) <= (m.get('peak.allocated') as number));
  // Ratios are doubles: bulk strings in RESP2, as Redis sends them.
  assert.match(m.get('fragmentation') as string, /^\d+(\.\d+)?$/);
  const c3 = await srv.client();
  await c3.call('HELLO', '3');
  const map = (await c3.call('MEMORY', 'STATS')) as Map<RespValue, RespValue>;
  assert.ok(map instanceof Map);
  assert.equal(typeof (map.get('fragmentation') as { double: string }).double, 'string');
  c3.close();
});

test('MEMORY DOCTOR declines on an almost empty instance and finds nothing wrong with a filled one', async () => {
  await c.call('FLUSHALL');
  assert.match((await c.call('MEMORY', 'DOCTOR')) as string, /^Hi Sam, this instance is empty or is using very little memory/);
  await c.call('DEBUG', 'POPULATE', '100000', 'key', '100');
  assert.equal(await c.call('MEMORY', 'DOCTOR'), "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n");
  await c.call('FLUSHALL');
});

test('MEMORY MALLOC-STATS, PURGE and HELP', async () => {
  assert.equal(await c.call('MEMORY', 'MALLOC-STATS'), 'Stats not supported for the current allocator');
  assert.equal(await c.call('MEMORY', 'PURGE'), 'OK');
  const help = (await c.call('MEMORY', 'HELP')) as string[];
  assert.equal(help[0], 'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
  assert.equal(help.length, 14);
});
