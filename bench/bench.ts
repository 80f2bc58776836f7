// `npm run bench`: Tandem against a real redis-server on the same machine in the same run.
//
// Both servers run with persistence off (`--save "" --appendonly no`). Throughput comes from
// redis-benchmark (`-c 50 -q`, one run per test of set,get,lpush,lpop,sadd,hset,zadd,lrange_100,
// plain and with `-P 16`), run against the two servers in alternation for several rounds so that
// machine noise hits both alike; the table shows the median requests/sec of each test and the
// ratio Tandem/Redis. Next to it, the CPU time each server process spent per request (utime +
// stime from /proc/<pid>/stat around each run, median): unlike requests/sec it hardly moves when
// other processes compete for the cores, so it is the figure to compare on a busy machine.
// Memory is the resident set (VmRSS) of each server process after loading 1M keys with 100-byte
// values through the protocol (pipelined SETs, the way clients write).
//
// Options: --rounds N (5), --requests N per plain test (100000), --pipelined-requests N per -P 16
// test (500000), --keys N for the memory test (1000000), --only <tests> (a comma-separated subset
// of the tests, e.g. lpush,hset,zadd; lrange_100 brings lpush along, whose CPU it takes out).
// About 6 minutes on 2 cores for everything.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { startServer, ServerProcess } from '../test/helpers/server';

interface BenchOptions {
  rounds: number;
  requests: number;
  pipelinedRequests: number;
  keys: number;
  /** redis-benchmark tests to run, in BENCH_TESTS order. */
  tests: string[];
}

const USAGE = 'usage: npm run bench -- [--rounds N] [--requests N] [--pipelined-requests N] [--keys N] [--only test,test,...]';

function parseOptions(argv: string[]): BenchOptions {
  const o: BenchOptions = { rounds: 5, requests: 100_000, pipelinedRequests: 500_000, keys: 1_000_000, tests: BENCH_TESTS.split(',') };
  const names: Record<string, 'rounds' | 'requests' | 'pipelinedRequests' | 'keys'> = {
    '--rounds': 'rounds',
    '--requests': 'requests',
    '--pipelined-requests': 'pipelinedRequests',
    '--keys': 'keys',
  };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--only') {
      const only = (argv[i + 1] ?? '').toLowerCase().split(',');
      const unknown = only.filter((t) => !BENCH_TESTS.split(',').includes(t));
      if (unknown.length > 0 || only.length === 0) throw new Error(`${USAGE} (unknown test: ${unknown.join(',')}; tests: ${BENCH_TESTS})`);
      // LRANGE's figures take out the CPU of the list fill at the LPUSH figure of the same round.
      o.tests = BENCH_TESTS.split(',').filter((t) => only.includes(t) || (t === 'lpush' && only.some((x) => x.startsWith('lrange'))));
      continue;
    }
    const name = names[argv[i]];
    const n = Number(argv[i + 1]);
    if (name === undefined || !Number.isInteger(n) || n <= 0) throw new Error(`${USAGE} (bad: ${argv[i]})`);
    o[name] = n;
  }
  return o;
}

/** redis-benchmark's own tests: strings (issue "server core") and the data types. */
const BENCH_TESTS = 'set,get,lpush,lpop,sadd,hset,zadd,lrange_100';

const SERVER_ARGS = ['--save', '', '--appendonly', 'no'];
const VALUE_SIZE = 100;

/** CPU time (user + system) a process has used so far, in seconds. */
function cpuSeconds(pid: number): number {
  // Fields after the parenthesized command name; utime and stime are the 14th and 15th of the line.
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ, the unit of /proc/<pid>/stat times (100 on Linux). */
const CLOCK_TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

interface Sample {
  rate: number;
  /** Server CPU microseconds per request. */
  cpuUsec: number;
}

/**
 * Runs one redis-benchmark test against a server: requests/sec and the server's CPU per request.
 * For lrange_* redis-benchmark first fills the list with as many LPUSHes ("LPUSH (needed to
 * benchmark LRANGE)"), whose CPU the caller takes out (see throughput()).
 */
function redisBenchmark(target: Target, test: string, requests: number, pipeline: number): Sample {
  const args = ['-h', '127.0.0.1', '-p', String(target.server.port), '-c', '50', '-n', String(requests), '-t', test, '-q'];
  if (pipeline > 1) args.push('-P', String(pipeline));
  const pid = target.server.proc.pid!;
  const cpuBefore = cpuSeconds(pid);
  const r = spawnSync('redis-benchmark', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const cpu = cpuSeconds(pid) - cpuBefore;
  if (r.status !== 0) throw new Error(`redis-benchmark failed (${r.status}): ${r.stderr}`);
  // -q rewrites a progress line with \r; the final figure is "SET: 123.45 requests per second, ...",
  // or "LRANGE_100 (first 100 elements): 123.45 requests per second".
  for (const line of r.stdout.split(/[\r\n]/)) {
    const m = /^\s*([A-Z_0-9]+)(?: \([^)]*\))?: ([0-9.]+) requests per second/.exec(line);
    if (m !== null && m[1] === test.toUpperCase()) return { rate: Number(m[2]), cpuUsec: (cpu * 1e6) / requests };
  }
  throw new Error(`redis-benchmark printed no ${test} rate for ${target.name}: ${r.stdout}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/**
 * Writes `count` SETs (key:<n> -> a 100-byte value) in pipelined batches, waiting for each
 * batch's replies (counted in bytes of `+OK\r\n`) before the next. The caller checks DBSIZE.
 */
function loadKeys(port: number, count: number): Promise<void> {
  const BATCH = 10_000;
  const OK = '+OK\r\n';
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let sent = 0;
    let expectedBytes = 0;
    let received = 0;
    const sendBatch = () => {
      const n = Math.min(BATCH, count - sent);
      let s = '';
      for (let i = sent; i < sent + n; i++) {
        const key = `key:${i}`;
        const value = `${i}:`.padEnd(VALUE_SIZE, 'v');
        s += `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${VALUE_SIZE}\r\n${value}\r\n`;
      }
      sent += n;
      expectedBytes += n * OK.length;
      socket.write(s);
    };
    socket.on('connect', sendBatch);
    socket.on('data', (d: Buffer) => {
      received += d.length;
      if (received < expectedBytes) return;
      if (sent < count) {
        sendBatch();
      } else {
        socket.end();
        resolve();
      }
    });
    socket.on('error', reject);
  });
}

interface Target {
  name: 'tandem' | 'redis';
  server: ServerProcess;
}

interface BenchTest {
  label: string;
  test: string;
  pipeline: number;
}

/** Each chosen test plain, then each with -P 16. */
function benchTests(o: BenchOptions): BenchTest[] {
  return [1, 16].flatMap((pipeline) => o.tests.map((test) => ({ label: `${test.toUpperCase()}${pipeline === 1 ? '' : ' -P 16'}`, test, pipeline })));
}

async function throughput(targets: Target[], o: BenchOptions): Promise<Map<string, Record<Target['name'], Sample[]>>> {
  const samples = new Map<string, Record<Target['name'], Sample[]>>();
  const tests = benchTests(o);
  for (const t of tests) samples.set(t.label, { tandem: [], redis: [] });
  for (let round = 1; round <= o.rounds; round++) {
    // Alternate which server goes first, so neither always runs on a warmer (or hotter) machine.
    const order = round % 2 === 1 ? targets : [...targets].reverse();
    for (const t of tests) {
      for (const target of order) {
        const sample = redisBenchmark(target, t.test, t.pipeline === 1 ? o.requests : o.pipelinedRequests, t.pipeline);
        if (t.test.startsWith('lrange')) {
          // Take out the list fill's LPUSHes, at this round's LPUSH figure (lpush runs first).
          const lpush = samples.get(t.label.replace(t.test.toUpperCase(), 'LPUSH'))![target.name];
          sample.cpuUsec -= lpush[lpush.length - 1].cpuUsec;
        }
        samples.get(t.label)![target.name].push(sample);
      }
    }
    process.stderr.write(`round ${round}/${o.rounds} done\n`);
  }
  return samples;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const version = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const targets: Target[] = [
    { name: 'tandem', server: await startServer({ args: SERVER_ARGS }) },
    { name: 'redis', server: await startServer({ redis: true, args: SERVER_ARGS }) },
  ];
  try {
    process.stdout.write(`Tandem vs ${version}\n`);
    const load = os.loadavg()[0].toFixed(1);
    process.stdout.write(`${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, load average ${load} at start\n`);
    process.stdout.write(`redis-benchmark -c 50 -q -t <each of ${o.tests.join(',')}>, -n ${o.requests} (-P 16: -n ${o.pipelinedRequests}), median of ${o.rounds} rounds\n`);
    process.stdout.write('cpu us/req: CPU time of the server process per request (user + system), median; LRANGE without its LPUSH fill\n\n');
    // A first pass through every test, not counted: otherwise the first test measured (SET) pays
    // for Tandem's JIT warm-up and reads worse than the others.
    for (const target of targets) for (const t of benchTests(o)) redisBenchmark(target, t.test, 20_000, t.pipeline);
    const samples = await throughput(targets, o);
    const rows = [['test', 'tandem req/s', 'redis req/s', 'tandem/redis', 'tandem cpu us/req', 'redis cpu us/req']];
    for (const [label, s] of samples) {
      const t = median(s.tandem.map((x) => x.rate));
      const r = median(s.redis.map((x) => x.rate));
      const cpu = (xs: Sample[]) => median(xs.map((x) => x.cpuUsec)).toFixed(2);
      rows.push([label, fmt(t), fmt(r), (t / r).toFixed(2), cpu(s.tandem), cpu(s.redis)]);
    }

    const rss: Record<Target['name'], number> = { tandem: 0, redis: 0 };
    for (const target of targets) {
      const c = await target.server.client();
      await c.call('FLUSHALL');
      await loadKeys(target.server.port, o.keys);
      const dbsize = await c.call('DBSIZE');
      c.close();
      if (dbsize !== o.keys) throw new Error(`${target.name} has ${String(dbsize)} keys after loading ${o.keys}`);
      rss[target.name] = rssBytes(target.server.proc.pid!);
    }
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
    rows.push([`RSS, ${fmt(o.keys)} keys x ${VALUE_SIZE} B`, mb(rss.tandem), mb(rss.redis), (rss.tandem / rss.redis).toFixed(2), '', '']);

    const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
    for (const r of rows) {
      process.stdout.write(r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('   ') + '\n');
    }
  } finally {
    for (const t of targets) await t.server.stop();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`bench: ${e.message}\n`);
  process.exitCode = 1;
});
