// Persistence benchmark (a report, not a test): Tandem against a real redis-server in the same run,
// with the figures issue #4 sets targets for.
//   node dist/bench/rdb-bench.js [keys=1000000] [--rounds 3] [--clients 8] [--rate 4000] [--only saveload|bgsave|aofrewrite]
//
// 1. SAVE and startup load of N keys with 100-byte values (loaded with pipelined SETs), Tandem
//    and Redis in alternation, `rounds` times. Reported: medians of the wall time (SAVE's round trip, the
//    "DB loaded from disk: X seconds" log line both servers print) and of the CPU time the server
//    process spent (utime+stime from /proc/<pid>/stat), which other work on the machine does not
//    inflate (for the load: the CPU at the log line minus what an empty start takes). Target:
//    Tandem <= 1.5x Redis. The load's CPU is also shown for the main thread alone: on a busy
//    machine it is the closest figure to the wall time the load takes when it has a core to
//    itself (Tandem's other threads, GC helpers and the checksum worker, run beside it).
// 2. BGSAVE under a write load: `clients` connections each send SET of a random key (100-byte
//    value) at a fixed pace, `rate` writes/s in total, one at a time per connection. Each round
//    runs the load without a save for as long as the previous save took (at least 2 s), then
//    with a BGSAVE until it finishes (after 5 s of uncounted load: see WARM_UP_MS). Reported: the worst and p99 latency a client saw in each
//    window (medians over the rounds) and their ratio; the extra memory, i.e. the peak RSS during
//    the save minus the RSS just before it, as a % of the dataset size, where the dataset size is
//    the RSS after loading the keys minus the RSS of the same server empty. Targets: no pause
//    above 10 ms during the save, extra memory < 20% of the dataset. Redis runs the same load
//    during its (forking) BGSAVE for reference; its memory is in the child and is not compared.
//    Each round also shows the longest the bench's own event loop was held up in each window
//    ("own stall").
//
//    What the server makes a client wait. On a shared machine (2 cores, other work running) a raw
//    latency also holds time that is not the server's doing: the server's or the bench's thread
//    runnable but waiting for a core, and the bench process's own GC pauses (rounds showed 15-250
//    ms "latencies" that matched the bench's own stalls). So each request also reads, when sent
//    and when answered, the run-queue wait of the server's main thread and of the bench's
//    (/proc/<pid>/task/<tid>/schedstat, second field: ns spent runnable but not running, which
//    the kernel credits when the thread gets a core), and the bench observes its own GC pauses
//    (perf_hooks 'gc' entries). The "served" latency is the raw one minus those waits and the
//    part of the bench's GC pauses inside the request's window: what a client on an idle machine
//    would have waited (server CPU work such as a walk step or a GC pause, and server blocking
//    such as a synchronous fsync, stay in it). It can undercount by a wait that began before the
//    request was sent and ended during it, and by a server pause that overlapped one of the
//    bench's own GC pauses (typically 1-2 ms scavenges). Checked against Redis in the same runs:
//    its served worst is 0.5-1.5 ms where its raw worst was 8-430 ms. The target applies to the
//    served worst; the raw figures are printed beside it.
// 3. `--only aofrewrite` (not part of the default run): the same as 2 with `appendonly yes` and
//    BGREWRITEAOF instead of BGSAVE.

import * as fs from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { startServer, ServerProcess } from '../test/helpers/server';
import { RespClient, encode } from '../test/helpers/resp-client';
import { waitFor } from '../test/helpers/wait';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const KEYS = /^\d+$/.test(process.argv[2] ?? '') ? Number(process.argv[2]) : 1_000_000;
const ROUNDS = option('rounds', 3);
const CLIENTS = option('clients', 8);
const RATE = option('rate', 4000);
/** --only saveload|bgsave|aofrewrite: one part (the AOF rewrite part runs only when asked for). */
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const ARGS = ['--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes', '--rdbcompression', 'yes'];
const VALUE = 'v'.repeat(100);
const TICKS_PER_S = 100; // /proc/<pid>/stat counts CPU time in clock ticks (USER_HZ, 100 on Linux)

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** CPU seconds (user + system) a process (or with `thread`, one of its threads) has used so far. */
function cpuSeconds(pid: number, thread?: number): number {
  const stat = fs.readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S; // utime, stime
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);

/** A call allowed to take long (populating, saving). */
function slowCall(c: RespClient, ...argv: string[]): Promise<unknown> {
  c.writeRaw(encode(argv));
  return c.read(300000);
}

/**
 * Loads KEYS keys with pipelined SETs, the same keys and values DEBUG POPULATE makes ("key:N" ->
 * "value:N" padded with NULs to 100 bytes). Not DEBUG POPULATE itself: Tandem builds those values
 * by concatenation, and V8 keeps such strings as unflattened ropes that the first save then has
 * to flatten (allocating a copy of every value), which data arriving from clients never needs.
 */
async function populate(c: RespClient): Promise<void> {
  const BATCH = 1000;
  for (let i = 0; i < KEYS; i += BATCH) {
    const parts: Buffer[] = [];
    const end = Math.min(KEYS, i + BATCH);
    for (let k = i; k < end; k++) {
      const v = `value:${k}`;
      parts.push(encode(['SET', `key:${k}`, v + '\0'.repeat(100 - v.length)]));
    }
    c.writeRaw(Buffer.concat(parts));
    for (let k = i; k < end; k++) await c.read(60000);
  }
}

async function serverPid(c: RespClient): Promise<number> {
  return Number(/process_id:(\d+)/.exec((await c.call('INFO', 'server')) as string)![1]);
}

interface SaveLoad { saveS: number; saveCpuS: number; loadS: number; loadCpuS: number; loadMainCpuS: number; bytes: number }

interface BootCpu { process: number; main: number }

/** CPU a server of this kind spends starting up empty, subtracted from the load's CPU figures. */
async function bootCpu(redis: boolean): Promise<BootCpu> {
  const srv = await startServer({ redis, args: ARGS });
  const pid = srv.proc.pid!;
  const cpu = { process: cpuSeconds(pid), main: cpuSeconds(pid, pid) };
  await srv.stop();
  return cpu;
}

async function saveAndLoad(redis: boolean, boot: BootCpu): Promise<SaveLoad> {
  const srv = await startServer({ redis, args: ARGS });
  const c = await srv.client();
  await populate(c);
  const pid = await serverPid(c);
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await slowCall(c, 'SAVE');
  const saveS = (performance.now() - t0) / 1000;
  const saveCpuS = cpuSeconds(pid) - cpu0;
  const bytes = fs.statSync(`${srv.dir}/dump.rdb`).size;
  c.close();
  await srv.stop();
  const again = await startServer({ redis, dir: srv.dir, args: ARGS });
  const line = await waitFor('the load log line', () => /DB loaded from disk: ([\d.]+) seconds/.exec(again.log()), 120000);
  const loadCpuS = cpuSeconds(again.proc.pid!) - boot.process;
  const loadMainCpuS = cpuSeconds(again.proc.pid!, again.proc.pid!) - boot.main;
  await again.stop();
  fs.rmSync(srv.dir, { recursive: true, force: true });
  return { saveS, saveCpuS, loadS: Number(line[1]), loadCpuS, loadMainCpuS, bytes };
}

interface LoadResult {
  /** Latencies (ms), sorted. */
  latencies: number[];
  /** The same minus run-queue waits and the bench's own GC pauses (see the header), sorted. */
  served: number[];
  /** The longest delay of this process's own event loop meanwhile (ms). */
  ownStall: number;
}

/** A thread's run-queue wait so far (ms): the second field of /proc/<pid>/task/<tid>/schedstat. */
class RunQueueWait {
  private readonly fd: number;
  private readonly buf = Buffer.alloc(128);

  /** The main thread of process `pid` (its tid is the pid). */
  constructor(pid: number) {
    this.fd = fs.openSync(`/proc/${pid}/task/${pid}/schedstat`, 'r');
  }

  ms(): number {
    const text = this.buf.latin1Slice(0, fs.readSync(this.fd, this.buf, 0, this.buf.length, 0));
    const from = text.indexOf(' ') + 1;
    return Number(text.slice(from, text.indexOf(' ', from))) / 1e6;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** Latencies of paced writes from CLIENTS connections to the server `serverPid` until stop() returns true. */
async function writeLoad(clients: RespClient[], serverPid: number, stop: () => boolean): Promise<LoadResult> {
  const latencies: number[] = [];
  const waits: number[] = [];
  const windows: number[] = [];
  const gcPauses: number[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcPauses.push(e.startTime, e.startTime + e.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const serverWait = new RunQueueWait(serverPid);
  const ownWait = new RunQueueWait(process.pid);
  const waited = () => serverWait.ms() + ownWait.ms();
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const intervalMs = (1000 * clients.length) / RATE;
  let seed = 12345;
  const randomKey = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return `key:${seed % KEYS}`;
  };
  await Promise.all(clients.map(async (c, i) => {
    let next = performance.now() + (intervalMs * i) / clients.length;
    while (!stop()) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const waited0 = waited();
      const t = performance.now();
      await c.call('SET', randomKey(), VALUE);
      const t1 = performance.now();
      latencies.push(t1 - t);
      waits.push(waited() - waited0);
      windows.push(t, t1);
      next = Math.max(next + intervalMs, performance.now() - intervalMs); // no burst to catch up after a stall
    }
  }));
  loopDelay.disable();
  await new Promise((r) => setImmediate(r)); // the last GC entries
  gcObserver.disconnect();
  serverWait.close();
  ownWait.close();
  const served = latencies.map((l, k) => {
    const [from, to] = [windows[2 * k], windows[2 * k + 1]];
    let gc = 0;
    for (let g = 0; g < gcPauses.length; g += 2) gc += Math.max(0, Math.min(to, gcPauses[g + 1]) - Math.max(from, gcPauses[g]));
    return Math.max(0, l - waits[k] - gc);
  });
  return { latencies: latencies.sort((a, b) => a - b), served: served.sort((a, b) => a - b), ownStall: loopDelay.max / 1e6 };
}

/**
 * The write load runs this long, uncounted, between populating and the first round: V8's major
 * GCs after 1M keys arrived came in the first round's windows, with a save or without (served
 * worst without a save in round 1: 17.5-54.5 ms; in later rounds 0.5-3.4 ms).
 */
const WARM_UP_MS = 5000;

const p99 = (sorted: number[]): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];

interface BgsaveRound {
  saveS: number;
  worst: number;
  p99: number;
  servedWorst: number;
  servedP99: number;
  baseWorst: number;
  baseP99: number;
  baseServedWorst: number;
  extraBytes: number;
  ownStall: number;
  baseOwnStall: number;
}

/** A background save and the INFO persistence field that shows it running. */
interface BackgroundJob {
  command: 'BGSAVE' | 'BGREWRITEAOF';
  running: RegExp;
  args: string[];
}

const JOBS: Record<string, BackgroundJob> = {
  bgsave: { command: 'BGSAVE', running: /rdb_bgsave_in_progress:1/, args: ARGS },
  aofrewrite: {
    command: 'BGREWRITEAOF',
    running: /aof_rewrite_in_progress:1|aof_rewrite_scheduled:1/,
    args: ARGS.map((a, i) => (ARGS[i - 1] === '--appendonly' ? 'yes' : a)),
  },
};

async function backgroundRounds(redis: boolean, job: BackgroundJob): Promise<{ rounds: BgsaveRound[]; emptyRss: number; loadedRss: number }> {
  const srv = await startServer({ redis, args: job.args });
  const admin = await srv.client();
  const pid = await serverPid(admin);
  const emptyRss = rssBytes(pid);
  await populate(admin);
  const loadedRss = rssBytes(pid);
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => srv.client()));
  const warmUpEnd = performance.now() + WARM_UP_MS;
  await writeLoad(clients, pid, () => performance.now() > warmUpEnd);
  const rounds: BgsaveRound[] = [];
  let lastSaveMs = 2000;
  for (let r = 0; r < ROUNDS; r++) {
    const baseEnd = performance.now() + Math.max(2000, lastSaveMs);
    const base = await writeLoad(clients, pid, () => performance.now() > baseEnd);
    const rssBefore = rssBytes(pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(pid))), 10);
    const t0 = performance.now();
    await admin.call(job.command);
    let saving = true;
    const poll = (async () => {
      while (saving) {
        await new Promise((r) => setTimeout(r, 50));
        saving = job.running.test((await admin.call('INFO', 'persistence')) as string);
      }
    })();
    const during = await writeLoad(clients, pid, () => !saving);
    lastSaveMs = performance.now() - t0;
    await poll;
    clearInterval(sampler);
    const worst = (xs: number[]) => xs[xs.length - 1];
    rounds.push({
      saveS: lastSaveMs / 1000,
      worst: worst(during.latencies),
      p99: p99(during.latencies),
      servedWorst: worst(during.served),
      servedP99: p99(during.served),
      baseWorst: worst(base.latencies),
      baseP99: p99(base.latencies),
      baseServedWorst: worst(base.served),
      extraBytes: rssPeak - rssBefore,
      ownStall: during.ownStall,
      baseOwnStall: base.ownStall,
    });
  }
  for (const c of clients) c.close();
  admin.close();
  await srv.stop();
  fs.rmSync(srv.dir, { recursive: true, force: true });
  return { rounds, emptyRss, loadedRss };
}

async function saveLoadPart(): Promise<void> {
  const boot = { tandem: await bootCpu(false), redis: await bootCpu(true) };
  const t: SaveLoad[] = [];
  const r: SaveLoad[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    t.push(await saveAndLoad(false, boot.tandem));
    r.push(await saveAndLoad(true, boot.redis));
  }
  const m = (xs: SaveLoad[], k: keyof SaveLoad) => median(xs.map((x) => x[k]));
  const row = (what: string, k: keyof SaveLoad, cpu: keyof SaveLoad) =>
    console.log(`${what}: wall Tandem ${m(t, k).toFixed(3)} s, Redis ${m(r, k).toFixed(3)} s (${(m(t, k) / m(r, k)).toFixed(2)}x); ` +
      `CPU Tandem ${m(t, cpu).toFixed(2)} s, Redis ${m(r, cpu).toFixed(2)} s (${(m(t, cpu) / m(r, cpu)).toFixed(2)}x)  [target <= 1.5x]`);
  row('SAVE', 'saveS', 'saveCpuS');
  row('load at startup', 'loadS', 'loadCpuS');
  console.log(`  load, CPU of the main thread only (the time a load takes when it has a core to itself): ` +
    `Tandem ${m(t, 'loadMainCpuS').toFixed(2)} s, Redis ${m(r, 'loadMainCpuS').toFixed(2)} s (${(m(t, 'loadMainCpuS') / m(r, 'loadMainCpuS')).toFixed(2)}x)`);
  console.log(`  file size: Tandem ${t[0].bytes} B, Redis ${r[0].bytes} B`);
}

async function backgroundPart(name: string, job: BackgroundJob): Promise<void> {
  console.log(`${job.command} under a write load: ${CLIENTS} clients, ${RATE} SET/s in total, paced; ` +
    'served = raw minus run-queue waits and the bench\'s own GC (see the header)');
  for (const redis of [false, true]) {
    const { rounds, emptyRss, loadedRss } = await backgroundRounds(redis, job);
    const med = (k: keyof BgsaveRound) => median(rounds.map((x) => x[k]));
    const who = redis ? 'Redis ' : 'Tandem';
    console.log(`  ${who}: ${name} ${med('saveS').toFixed(2)} s; served worst ${med('servedWorst').toFixed(1)} ms during it vs ${med('baseServedWorst').toFixed(1)} ms without, ` +
      `served p99 ${med('servedP99').toFixed(2)} ms; raw worst ${med('worst').toFixed(1)} vs ${med('baseWorst').toFixed(1)} ms, raw p99 ${med('p99').toFixed(2)} vs ${med('baseP99').toFixed(2)} ms  [target: worst <= 10 ms]`);
    console.log(`          per round served worst during/without: ${rounds.map((x) => `${x.servedWorst.toFixed(1)}/${x.baseServedWorst.toFixed(1)}`).join(', ')} ms; ` +
      `raw: ${rounds.map((x) => `${x.worst.toFixed(1)}/${x.baseWorst.toFixed(1)}`).join(', ')} ms; ` +
      `own stall: ${rounds.map((x) => `${x.ownStall.toFixed(1)}/${x.baseOwnStall.toFixed(1)}`).join(', ')} ms`);
    if (!redis && job.command === 'BGSAVE') {
      const dataset = loadedRss - emptyRss;
      console.log(`          extra memory (peak RSS during the save - RSS before it): ${mb(med('extraBytes'))} MB = ${((med('extraBytes') / dataset) * 100).toFixed(1)}% ` +
        `of the dataset (RSS loaded ${mb(loadedRss)} MB - RSS empty ${mb(emptyRss)} MB = ${mb(dataset)} MB)  [target < 20%]`);
    }
  }
}

async function main(): Promise<void> {
  console.log(`${KEYS} keys x 100 B, ${ROUNDS} rounds, medians; CPU = utime+stime of the server process`);
  if (ONLY === null || ONLY === 'saveload') await saveLoadPart();
  if (ONLY === null || ONLY === 'bgsave') await backgroundPart('save', JOBS.bgsave);
  if (ONLY === 'aofrewrite') await backgroundPart('rewrite', JOBS.aofrewrite);
}

void main();
