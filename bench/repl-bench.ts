// `npm run bench:repl`: replication benchmarks, Tandem against real Redis 7.0 in the same run.
//
// Every figure is measured on a Tandem pair and a Redis pair started the same way (free ports,
// 127.0.0.1, `--save ""`, masters with `--repl-diskless-sync-delay 0`), the two kinds in
// alternation for several rounds so that machine noise hits both alike; the report shows
// medians and Tandem/Redis ratios. Besides wall time it prints the CPU each server process
// consumed (utime+stime from /proc/<pid>/stat), which survives a busy machine better.
//
// (a) Full sync: a master holding N keys of 100-byte values (DEBUG POPULATE); an empty replica
//     is started and sent REPLICAOF; timed until master_link_status:up and DBSIZE = N. The
//     replica's log splits it: "receiving ..." to "Loading DB in memory" is the transfer (Redis
//     writes the payload to disk), from there to "Finished with success" the load. Tandem parses
//     while receiving (repl-diskless-load disabled, empty replica: see rdb-payload.ts), so its
//     "load" is only what was left after the last byte arrived.
// (b) Master throughput: redis-benchmark -c 50 SET (plain, and -P 16) against the master with no
//     replica, then with two online replicas; ratio with/without per server, and the CPU per
//     request of the master and of each replica (on 2 cores the replicas' share sets the ratio).
// (c) Replica lag under a sustained write load: a Node generator writes 50,000 SETs/s to the
//     master in one pipelined connection (a batch every millisecond, sized by elapsed time), and
//     every 5 ms one of them is SET probe:<n>. The replica has notify-keyspace-events K$ (Redis
//     and Tandem fire keyspace events for writes applied from the master stream) and a client
//     subscribed to __keyspace@0__:probe:*; lag = when probe:<n>'s event arrives minus when
//     probe:<n> was written, both read on this process's clock. It includes the event delivery
//     hop, the same for both servers. Probes start after one second of load (warm-up), and so
//     does the count of CPU per write.
//
// Options: --keys N (1000000), --rounds N (3), --only sync|throughput|lag (all by default),
// --lag-seconds N (10). About 5 minutes on 2 cores with the defaults.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { startServer, ServerProcess } from '../test/helpers/server';
import { RespClient, RespValue, encode } from '../test/helpers/resp-client';
import { waitFor } from '../test/helpers/wait';

interface Options {
  keys: number;
  rounds: number;
  only: string;
  lagSeconds: number;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { keys: 1_000_000, rounds: 3, only: '', lagSeconds: 10 };
  for (let i = 0; i < argv.length; i += 2) {
    const v = argv[i + 1];
    if (argv[i] === '--only' && ['sync', 'throughput', 'lag'].includes(v)) o.only = v;
    else if (argv[i] === '--keys' && Number(v) > 0) o.keys = Number(v);
    else if (argv[i] === '--rounds' && Number(v) > 0) o.rounds = Number(v);
    else if (argv[i] === '--lag-seconds' && Number(v) > 0) o.lagSeconds = Number(v);
    else throw new Error(`usage: npm run bench:repl -- [--keys N] [--rounds N] [--only sync|throughput|lag] [--lag-seconds N] (bad: ${argv[i]})`);
  }
  return o;
}

type Kind = 'tandem' | 'redis';
const KINDS: Kind[] = ['tandem', 'redis'];
const MASTER_ARGS = ['--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0', '--enable-debug-command', 'yes'];
const REPLICA_ARGS = ['--save', '', '--appendonly', 'no'];
const CLOCK_TICKS_PER_S = 100;

function start(kind: Kind, args: string[]): Promise<ServerProcess> {
  return startServer({ redis: kind === 'redis', args });
}

/**
 * CPU seconds (user + system) the process has consumed so far, with its finished children's
 * (Redis forks its snapshot: the child's CPU shows up here once the parent has reaped it).
 */
function cpuSeconds(srv: ServerProcess): number {
  const stat = fs.readFileSync(`/proc/${srv.proc.pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime are fields 14-17 of stat(5); `fields` starts at field 3.
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_S;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A command allowed to take long (DEBUG POPULATE). */
async function slowCall(c: RespClient, ...argv: string[]): Promise<RespValue> {
  c.writeRaw(encode(argv));
  return c.read(600000);
}

async function infoField(srv: ServerProcess, section: string, field: string): Promise<string> {
  const c = await srv.client();
  try {
    const text = (await c.call('INFO', section)) as string;
    return new RegExp(`^${field}:(.*)\\r?$`, 'm').exec(text)?.[1] ?? '';
  } finally {
    c.close();
  }
}

async function replicaOf(replica: ServerProcess, master: ServerProcess): Promise<void> {
  const c = await replica.client();
  await c.call('REPLICAOF', '127.0.0.1', String(master.port));
  c.close();
}

function fmt(n: number, digits = 2): string {
  return n.toFixed(digits);
}

// ---------------------------------------------------------------------------------------------
// (a) Full sync
// ---------------------------------------------------------------------------------------------

/** Milliseconds of the day of a log line's timestamp ("pid:S 21 Nov 2026 18:38:07.874 * ..."). */
function logTime(log: string, pattern: RegExp): number {
  for (const line of log.split('\n')) {
    if (!pattern.test(line)) continue;
    const m = / (\d\d):(\d\d):(\d\d)\.(\d\d\d) /.exec(line);
    if (m !== null) return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]);
  }
  return NaN;
}

interface SyncRun {
  wallS: number;
  transferS: number;
  loadS: number;
  masterCpuS: number;
  replicaCpuS: number;
}

async function fullSyncOnce(master: ServerProcess, keys: number, kind: Kind): Promise<SyncRun> {
  const replica = await start(kind, REPLICA_ARGS);
  const master0 = cpuSeconds(master);
  const replica0 = cpuSeconds(replica);
  const t0 = performance.now();
  await replicaOf(replica, master);
  const probe = await replica.client();
  await waitFor('the replica to finish its full sync', async () => {
    const info = (await probe.call('INFO', 'replication')) as string;
    return info.includes('master_link_status:up') && (await probe.call('DBSIZE')) === keys;
  }, 600000, 10);
  const wallS = (performance.now() - t0) / 1000;
  const run: SyncRun = { wallS, transferS: NaN, loadS: NaN, masterCpuS: cpuSeconds(master) - master0, replicaCpuS: cpuSeconds(replica) - replica0 };
  probe.close();
  const log = replica.log();
  const receiving = logTime(log, /sync: receiving /);
  const loading = logTime(log, /sync: Loading DB in memory/);
  const finished = logTime(log, /sync: Finished with success/);
  run.transferS = (loading - receiving) / 1000;
  run.loadS = (finished - loading) / 1000;
  await replica.stop();
  fs.rmSync(replica.dir, { recursive: true, force: true });
  return run;
}

async function benchFullSync(o: Options): Promise<void> {
  console.log(`\n(a) Full sync of ${o.keys} keys x 100 B, empty replica, REPLICAOF until link up and DBSIZE equal`);
  const masters = new Map<Kind, ServerProcess>();
  for (const kind of KINDS) {
    const m = await start(kind, MASTER_ARGS);
    const c = await m.client();
    await slowCall(c, 'DEBUG', 'POPULATE', String(o.keys), 'key', '100');
    c.close();
    masters.set(kind, m);
  }
  const runs = new Map<Kind, SyncRun[]>(KINDS.map((k) => [k, []]));
  for (let round = 0; round < o.rounds; round++) {
    const order = round % 2 === 0 ? KINDS : [...KINDS].reverse();
    for (const kind of order) {
      const r = await fullSyncOnce(masters.get(kind)!, o.keys, kind);
      runs.get(kind)!.push(r);
      console.log(`  round ${round + 1} ${kind.padEnd(6)}: ${fmt(r.wallS)} s (transfer ${fmt(r.transferS)} s, load after it ${fmt(r.loadS)} s), CPU master ${fmt(r.masterCpuS)} s, replica ${fmt(r.replicaCpuS)} s`);
    }
  }
  const med = (kind: Kind, f: keyof SyncRun) => median(runs.get(kind)!.map((r) => r[f]));
  for (const kind of KINDS) {
    console.log(`  median ${kind.padEnd(6)}: ${fmt(med(kind, 'wallS'))} s (transfer ${fmt(med(kind, 'transferS'))} s, load ${fmt(med(kind, 'loadS'))} s), CPU master ${fmt(med(kind, 'masterCpuS'))} s, replica ${fmt(med(kind, 'replicaCpuS'))} s`);
  }
  console.log(`  Tandem/Redis: wall ${fmt(med('tandem', 'wallS') / med('redis', 'wallS'))}x (target <= 1.0), CPU master ${fmt(med('tandem', 'masterCpuS') / med('redis', 'masterCpuS'))}x, replica ${fmt(med('tandem', 'replicaCpuS') / med('redis', 'replicaCpuS'))}x`);
  for (const m of masters.values()) {
    await m.stop();
    fs.rmSync(m.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// (b) Master throughput with 0 and 2 replicas
// ---------------------------------------------------------------------------------------------

const THROUGHPUT_TESTS = [
  { name: 'SET', pipeline: 1, requests: 200_000 },
  { name: 'SET -P 16', pipeline: 16, requests: 1_000_000 },
];

interface SetRun {
  rps: number;
  /** The master's CPU microseconds per request. */
  cpuUsPerOp: number;
  /** Each replica's CPU microseconds per request (the writes it applied), averaged over them. */
  replicaCpuUsPerOp: number;
}

/** redis-benchmark -c 50 -t set against the master, with `replicas` attached (or none). */
function setBenchmark(master: ServerProcess, replicas: ServerProcess[], pipeline: number, requests: number): SetRun {
  const cpu0 = cpuSeconds(master);
  const replicaCpu0 = replicas.map(cpuSeconds);
  const args = ['-h', '127.0.0.1', '-p', String(master.port), '-c', '50', '-n', String(requests), '-t', 'set', '-P', String(pipeline), '--csv'];
  const r = spawnSync('redis-benchmark', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`redis-benchmark failed (${r.status}): ${r.stderr}`);
  const m = /^"SET","([0-9.]+)"/m.exec(r.stdout);
  if (m === null) throw new Error(`unexpected redis-benchmark output: ${r.stdout}`);
  const replicaCpuS = replicas.reduce((sum, r, i) => sum + cpuSeconds(r) - replicaCpu0[i], 0) / Math.max(replicas.length, 1);
  return { rps: Number(m[1]), cpuUsPerOp: ((cpuSeconds(master) - cpu0) * 1e6) / requests, replicaCpuUsPerOp: (replicaCpuS * 1e6) / requests };
}

async function benchThroughput(o: Options): Promise<void> {
  console.log('\n(b) Master throughput, redis-benchmark -c 50 -t set, no replica vs two online replicas');
  // results[kind][test][replicas] = rps per round
  const rps = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const replicaCpu = new Map<string, number[]>();
  const note = (key: string, r: SetRun) => {
    rps.set(key, [...(rps.get(key) ?? []), r.rps]);
    cpu.set(key, [...(cpu.get(key) ?? []), r.cpuUsPerOp]);
    replicaCpu.set(key, [...(replicaCpu.get(key) ?? []), r.replicaCpuUsPerOp]);
  };
  for (let round = 0; round < o.rounds; round++) {
    const order = round % 2 === 0 ? KINDS : [...KINDS].reverse();
    for (const kind of order) {
      const master = await start(kind, MASTER_ARGS);
      for (const t of THROUGHPUT_TESTS) note(`${kind}|${t.name}|0`, setBenchmark(master, [], t.pipeline, t.requests));
      const replicas = [await start(kind, REPLICA_ARGS), await start(kind, REPLICA_ARGS)];
      for (const r of replicas) await replicaOf(r, master);
      await waitFor('two online replicas', async () => {
        const info = await infoField(master, 'replication', 'connected_slaves');
        const states = await Promise.all([0, 1].map((i) => infoField(master, 'replication', `slave${i}`)));
        return info === '2' && states.every((s) => s.includes('state=online'));
      }, 60000);
      for (const t of THROUGHPUT_TESTS) note(`${kind}|${t.name}|2`, setBenchmark(master, replicas, t.pipeline, t.requests));
      for (const s of [...replicas, master]) {
        await s.stop();
        fs.rmSync(s.dir, { recursive: true, force: true });
      }
      console.log(`  round ${round + 1} ${kind} done`);
    }
  }
  for (const t of THROUGHPUT_TESTS) {
    for (const kind of KINDS) {
      const none = median(rps.get(`${kind}|${t.name}|0`)!);
      const two = median(rps.get(`${kind}|${t.name}|2`)!);
      const cpuNone = median(cpu.get(`${kind}|${t.name}|0`)!);
      const cpuTwo = median(cpu.get(`${kind}|${t.name}|2`)!);
      const cpuReplica = median(replicaCpu.get(`${kind}|${t.name}|2`)!);
      console.log(`  ${t.name.padEnd(9)} ${kind.padEnd(6)}: ${Math.round(none)} req/s alone, ${Math.round(two)} with 2 replicas: ${fmt(two / none)}x (target >= 0.9); master CPU ${fmt(cpuNone)} -> ${fmt(cpuTwo)} us/req, each replica ${fmt(cpuReplica)} us/req`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// (c) Replica lag under 50k writes/s
// ---------------------------------------------------------------------------------------------

const WRITES_PER_S = 50_000;
const PROBE_EVERY_MS = 5;
const WARMUP_MS = 1000;
const OK_REPLY_BYTES = 5; // "+OK\r\n"

interface LagRun {
  lagsMs: number[];
  writesPerS: number;
  /** CPU microseconds per write of the master and of the replica during the load. */
  masterCpuUs: number;
  replicaCpuUs: number;
}

async function lagOnce(kind: Kind, seconds: number): Promise<LagRun> {
  const master = await start(kind, MASTER_ARGS);
  const replica = await start(kind, [...REPLICA_ARGS, '--notify-keyspace-events', 'K$']);
  await replicaOf(replica, master);
  await waitFor('the replica link', async () => (await infoField(replica, 'replication', 'master_link_status')) === 'up', 60000);

  const sentAt = new Map<number, number>();
  const lagsMs: number[] = [];
  const sub = await replica.client();
  await sub.call('PSUBSCRIBE', '__keyspace@0__:probe:*');
  sub.socket.on('data', () => {
    const now = performance.now();
    for (const m of sub.takeRawBuffered().toString('latin1').matchAll(/__keyspace@0__:probe:(\d+)/g)) {
      const at = sentAt.get(Number(m[1]));
      if (at !== undefined) lagsMs.push(now - at);
    }
  });

  const writer = net.connect({ port: master.port, host: '127.0.0.1' });
  await new Promise<void>((resolve) => writer.once('connect', () => resolve()));
  writer.setNoDelay(true);
  let replyBytes = 0;
  writer.on('data', (d) => (replyBytes += d.length));
  const value = 'v'.repeat(100);
  const setCommand = (key: string) => `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$100\r\n${value}\r\n`;
  const t0 = performance.now();
  let sent = 0;
  let probes = 0;
  // Probes start after a warm-up second (a fresh server compiles its hot paths meanwhile), and
  // so does the CPU count: per write, it is the steady state's cost, not the compiler's.
  let nextProbe = t0 + WARMUP_MS;
  /** Master and replica CPU seconds when the warm-up ended. */
  let cpu0: number[] = [];
  let sentBeforeCpu0 = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = performance.now();
      if (cpu0.length === 0 && now - t0 >= WARMUP_MS) {
        cpu0 = [cpuSeconds(master), cpuSeconds(replica)];
        sentBeforeCpu0 = sent;
      }
      if (now - t0 >= WARMUP_MS + seconds * 1000) {
        clearInterval(tick);
        resolve();
        return;
      }
      const due = Math.floor(((now - t0) / 1000) * WRITES_PER_S) - sent;
      let batch = '';
      for (let i = 0; i < due; i++) batch += setCommand(`key:${(sent + i) % 100000}`);
      sent += due;
      if (now >= nextProbe) {
        nextProbe += PROBE_EVERY_MS;
        batch += setCommand(`probe:${probes}`);
        sentAt.set(probes++, now);
        sent++;
      }
      if (batch !== '') writer.write(batch, 'latin1');
    }, 1);
  });
  await waitFor('the replies to the writes', () => replyBytes >= sent * OK_REPLY_BYTES, 60000);
  const writesPerS = sent / ((performance.now() - t0) / 1000);
  await waitFor('the last probes on the replica', () => lagsMs.length >= probes * 0.99, 10000).catch(() => undefined);
  const masterCpuUs = ((cpuSeconds(master) - cpu0[0]) * 1e6) / (sent - sentBeforeCpu0);
  const replicaCpuUs = ((cpuSeconds(replica) - cpu0[1]) * 1e6) / (sent - sentBeforeCpu0);
  writer.destroy();
  sub.close();
  for (const s of [replica, master]) {
    await s.stop();
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
  if (lagsMs.length < probes) console.log(`  (${kind}: ${probes - lagsMs.length} of ${probes} probes not seen on the replica)`);
  return { lagsMs, writesPerS, masterCpuUs, replicaCpuUs };
}

async function benchLag(o: Options): Promise<void> {
  console.log(`\n(c) Replica lag under ${WRITES_PER_S} SETs/s for ${o.lagSeconds} s (probe every ${PROBE_EVERY_MS} ms, seen via keyspace events on the replica)`);
  const all = new Map<Kind, LagRun[]>(KINDS.map((k) => [k, []]));
  for (let round = 0; round < o.rounds; round++) {
    const order = round % 2 === 0 ? KINDS : [...KINDS].reverse();
    for (const kind of order) {
      const r = await lagOnce(kind, o.lagSeconds);
      all.get(kind)!.push(r);
      const s = [...r.lagsMs].sort((a, b) => a - b);
      console.log(`  round ${round + 1} ${kind.padEnd(6)}: ${Math.round(r.writesPerS)} writes/s, lag p50 ${fmt(percentile(s, 50))} ms, p99 ${fmt(percentile(s, 99))} ms, max ${fmt(s[s.length - 1])} ms (${s.length} probes); CPU per write: master ${fmt(r.masterCpuUs)} us, replica ${fmt(r.replicaCpuUs)} us`);
    }
  }
  for (const kind of KINDS) {
    const runs = all.get(kind)!;
    const stat = (f: (s: number[]) => number) => median(runs.map((r) => f([...r.lagsMs].sort((a, b) => a - b))));
    console.log(`  median ${kind.padEnd(6)}: p50 ${fmt(stat((s) => percentile(s, 50)))} ms, p99 ${fmt(stat((s) => percentile(s, 99)))} ms (target < 5), max ${fmt(stat((s) => s[s.length - 1]))} ms; CPU per write: master ${fmt(median(runs.map((r) => r.masterCpuUs)))} us, replica ${fmt(median(runs.map((r) => r.replicaCpuUs)))} us`);
  }
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`Replication bench: ${o.rounds} rounds, Tandem and Redis alternating; load average at start ${load}`);
  if (o.only === '' || o.only === 'sync') await benchFullSync(o);
  if (o.only === '' || o.only === 'throughput') await benchThroughput(o);
  if (o.only === '' || o.only === 'lag') await benchLag(o);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
