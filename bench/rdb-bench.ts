// RDB benchmark (a report, not a test): Tandem against a real redis-server in the same run.
//   node dist/bench/rdb-bench.js [keys=1000000]
// 1. SAVE time and startup load time of N keys with 100-byte values (DEBUG POPULATE), both servers.
// 2. Tandem BGSAVE under a write load: the worst latency a client sees (against the same load
//    without a save) and the extra memory (peak RSS during the save over RSS before it).

import * as fs from 'node:fs';
import { startServer, ServerProcess } from '../test/helpers/server';
import { RespClient, encode } from '../test/helpers/resp-client';
import { waitFor } from '../test/helpers/wait';

const KEYS = Number(process.argv[2] ?? 1_000_000);
const ARGS = ['--save', '', '--enable-debug-command', 'yes', '--rdbcompression', 'yes'];

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** A call allowed to take long (populating, saving). */
function slowCall(c: RespClient, ...argv: string[]): Promise<unknown> {
  c.writeRaw(encode(argv));
  return c.read(300000);
}

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Seconds from Redis's (and Tandem's) "DB loaded from disk: X seconds" log line. */
async function loadSeconds(srv: ServerProcess): Promise<number> {
  const line = await waitFor('the load log line', () => /DB loaded from disk: ([\d.]+) seconds/.exec(srv.log()), 120000);
  return Number(line[1]);
}

async function saveAndLoad(redis: boolean): Promise<{ saveMs: number; loadS: number; bytes: number }> {
  const srv = await startServer({ redis, args: ARGS });
  const c = await srv.client();
  await slowCall(c, 'DEBUG', 'POPULATE', String(KEYS), 'key', '100');
  const saveMs = await timed(() => slowCall(c, 'SAVE'));
  const bytes = fs.statSync(`${srv.dir}/dump.rdb`).size;
  c.close();
  await srv.stop();
  const again = await startServer({ redis, dir: srv.dir, args: ARGS });
  const loadS = await loadSeconds(again);
  await again.stop();
  return { saveMs, loadS, bytes };
}

/** Sequential SETs for `ms`, returning the worst round-trip latency. */
async function writeLoad(c: RespClient, until: () => Promise<boolean> | boolean): Promise<{ worstMs: number; ops: number }> {
  let worstMs = 0;
  let ops = 0;
  while (!(await until())) {
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await c.call('SET', `key:${(ops * 7919) % KEYS}`, 'written during the benchmark');
      worstMs = Math.max(worstMs, performance.now() - t);
      ops++;
    }
  }
  return { worstMs, ops };
}

async function bgsaveUnderLoad(): Promise<void> {
  const srv = await startServer({ args: ARGS });
  const c = await srv.client();
  const probe = await srv.client();
  await slowCall(c, 'DEBUG', 'POPULATE', String(KEYS), 'key', '100');
  const pid = Number(/process_id:(\d+)/.exec((await c.call('INFO', 'server')) as string)![1]);
  const baselineEnd = Date.now() + 3000;
  const baseline = await writeLoad(c, () => Date.now() > baselineEnd);
  const rssBefore = rssBytes(pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(pid))), 20);
  const started = performance.now();
  await probe.call('BGSAVE');
  const during = await writeLoad(c, async () => ((await probe.call('INFO', 'persistence')) as string).includes('rdb_bgsave_in_progress:0'));
  const bgsaveMs = performance.now() - started;
  clearInterval(sampler);
  console.log(`BGSAVE of ${KEYS} keys under a write load: ${bgsaveMs.toFixed(0)} ms, ${during.ops} writes meanwhile`);
  console.log(`  worst client latency: ${during.worstMs.toFixed(2)} ms (same load without a save: ${baseline.worstMs.toFixed(2)} ms)`);
  console.log(`  RSS before ${(rssBefore / 2 ** 20).toFixed(0)} MB, peak during ${(rssPeak / 2 ** 20).toFixed(0)} MB: +${(((rssPeak - rssBefore) / rssBefore) * 100).toFixed(1)}%`);
  c.close();
  probe.close();
  await srv.stop();
}

async function main(): Promise<void> {
  const tandem = await saveAndLoad(false);
  const redis = await saveAndLoad(true);
  console.log(`SAVE of ${KEYS} keys x 100 bytes: Tandem ${tandem.saveMs.toFixed(0)} ms, Redis ${redis.saveMs.toFixed(0)} ms (${(tandem.saveMs / redis.saveMs).toFixed(2)}x)`);
  console.log(`  file size: Tandem ${tandem.bytes}, Redis ${redis.bytes}`);
  console.log(`load at startup: Tandem ${tandem.loadS.toFixed(3)} s, Redis ${redis.loadS.toFixed(3)} s (${(tandem.loadS / redis.loadS).toFixed(2)}x)`);
  await bgsaveUnderLoad();
}

void main();
