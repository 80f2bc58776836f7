// MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP: memory introspection with Redis
// 7.0's replies and field names (redis-cli --memkeys and monitoring tools read them).
//
// The figures are the ones INFO memory prints (server/info.ts memoryOverhead). What Redis reads
// from its allocator, Tandem reads from V8: a key's size is an estimate (keyspace/eviction.ts
// estimateSize, the same one eviction uses), and MEMORY DOCTOR leaves out Redis's fragmentation
// and RSS checks, since a Node process's RSS always far exceeds its heap in use (code, reserved
// heap pages), which those checks would report as a problem every time.

import { command, CommandSpec } from './command';
import { ERR_NOT_INTEGER, ERR_SYNTAX, parseInt64 } from './args';
import { helpReply } from './command-docs';
import { formatDouble } from './format-double';
import type { Client } from '../server/client';
import { memoryOverhead, MemoryOverhead } from '../server/info';
import { estimateSize } from '../keyspace/eviction';

/** MEMORY USAGE samples this many elements of an aggregate unless told otherwise. */
const DEFAULT_USAGE_SAMPLES = 5;

/** MEMORY USAGE key [SAMPLES count]; the key is looked up as it stands, expired or not, as in Redis. */
function memoryUsage(c: Client, argv: string[]): void {
  let samples = DEFAULT_USAGE_SAMPLES;
  for (let j = 3; j < argv.length; j++) {
    if (argv[j].toLowerCase() === 'samples' && j + 1 < argv.length) {
      const n = parseInt64(argv[++j]);
      if (n === null) return c.reply.error(ERR_NOT_INTEGER);
      if (n < 0n) return c.reply.error(ERR_SYNTAX);
      samples = n === 0n ? Infinity : Number(n);
    } else {
      return c.reply.error(ERR_SYNTAX);
    }
  }
  const v = c.db.dict.get(argv[2]);
  if (v === undefined) return c.reply.nullBulk();
  c.reply.int(estimateSize(argv[2], v, samples));
}

/** Redis computes MEMORY STATS's ratios in single precision and prints them with %.17g. */
function floatRatio(a: number, b: number): string {
  return formatDouble(Math.fround(b > 0 ? a / b : 0));
}

function memoryStats(c: Client): void {
  const m = memoryOverhead(c.server);
  const r = c.reply;
  const entry = (name: string, n: number): void => {
    r.bulk(name);
    r.int(n);
  };
  const ratio = (name: string, a: number, b: number): void => {
    r.bulk(name);
    r.double(floatRatio(a, b));
  };
  r.mapHeader(27 + m.dbs.length);
  entry('peak.allocated', m.peak);
  entry('total.allocated', m.used);
  entry('startup.allocated', m.startup);
  // The backlog is an off-heap buffer, reported with the others in mem_not_counted_for_evict.
  entry('replication.backlog', 0);
  entry('clients.slaves', m.clientsReplicas);
  entry('clients.normal', m.clientsNormal);
  entry('cluster.links', 0);
  entry('aof.buffer', 0);
  entry('lua.caches', 0);
  entry('functions.caches', 0);
  for (const db of m.dbs) {
    r.bulk(`db.${db.id}`);
    r.mapHeader(3);
    entry('overhead.hashtable.main', db.main);
    entry('overhead.hashtable.expires', db.expires);
    entry('overhead.hashtable.slot-to-keys', 0);
  }
  entry('overhead.total', m.overhead);
  entry('keys.count', m.keys);
  entry('keys.bytes-per-key', m.keys > 0 ? Math.floor(m.netUsed / m.keys) : 0);
  entry('dataset.bytes', m.dataset);
  ratio('dataset.percentage', m.dataset * 100, m.netUsed);
  ratio('peak.percentage', m.used * 100, m.peak);
  entry('allocator.allocated', m.used);
  entry('allocator.active', m.active);
  entry('allocator.resident', m.rss);
  ratio('allocator-fragmentation.ratio', m.active, m.used);
  entry('allocator-fragmentation.bytes', m.active - m.used);
  ratio('allocator-rss.ratio', m.rss, m.active);
  entry('allocator-rss.bytes', m.rss - m.active);
  ratio('rss-overhead.ratio', 1, 1);
  entry('rss-overhead.bytes', 0);
  ratio('fragmentation', m.rss, m.used);
  entry('fragmentation.bytes', m.rss - m.used);
}

/** Below this much memory in use the doctor declines to judge, as Redis's does (see doctorReport). */
const DOCTOR_MIN_USED = 5 * 1024 * 1024;
const DOCTOR_CLIENT_BYTES = 200 * 1024;
const DOCTOR_REPLICA_BYTES = 10 * 1024 * 1024;

const DOCTOR_FINE = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
const DOCTOR_EMPTY =
  "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";
const DOCTOR_ISSUES = 'Sam, I detected a few issues in this Redis instance memory implants:\n\n';
const DOCTOR_PEAK =
  ' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n';
const DOCTOR_REPLICA_BUFFERS =
  ' * Big replica buffers: The replica output buffers in this instance are greater than 10MB for each replica (on average). This likely means that there is some replica instance that is struggling receiving data, either because it is too slow or because of networking issues. As a result, data piles on the master output buffers. Please try to identify what replica is not receiving data correctly and why. You can use the INFO output in order to check the replicas delays and the CLIENT LIST command to check the output buffers of each replica.\n\n';
const DOCTOR_CLIENT_BUFFERS =
  ' * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n';
const DOCTOR_SIGN_OFF = "I'm here to keep you safe, Sam. I want to help you.\n";

/** The MEMORY DOCTOR report for these figures (see the header for the checks left out). */
export function doctorReport(m: MemoryOverhead): string {
  // Redis tests its whole allocation; a Node process starts with ~10 MB of heap, so Tandem
  // tests what it holds beyond its startup.
  if (m.netUsed < DOCTOR_MIN_USED) return DOCTOR_EMPTY;
  const issues: string[] = [];
  if (m.peak / m.used > 1.5) issues.push(DOCTOR_PEAK);
  if (m.replicaCount > 0 && m.clientsReplicas / m.replicaCount > DOCTOR_REPLICA_BYTES) issues.push(DOCTOR_REPLICA_BUFFERS);
  if (m.normalClientCount > 0 && m.clientsNormal / m.normalClientCount > DOCTOR_CLIENT_BYTES) issues.push(DOCTOR_CLIENT_BUFFERS);
  if (issues.length === 0) return DOCTOR_FINE;
  return DOCTOR_ISSUES + issues.join('') + DOCTOR_SIGN_OFF;
}

const MEMORY_HELP = [
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

const SERVER_GROUP = { firstKey: 0, lastKey: 0, step: 0, group: 'server', since: '4.0.0' };
const ALL_SHARDS_SPECIAL = ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'];
const ALLOCATOR_COMPLEXITY = 'Depends on how much memory is allocated, could be slow';

export const MEMORY_COMMANDS: CommandSpec[] = [
  command({
    name: 'memory', arity: -2, flags: [], ...SERVER_GROUP, summary: 'A container for memory diagnostics commands', complexity: 'Depends on subcommand.',
    subcommands: [
      command({ name: 'doctor', arity: 2, flags: [], ...SERVER_GROUP, summary: 'Outputs memory problems report', complexity: 'O(1)', tips: ALL_SHARDS_SPECIAL, handler: (c) => c.reply.verbatim(doctorReport(memoryOverhead(c.server))) }),
      command({ name: 'help', arity: 2, flags: ['loading', 'stale'], ...SERVER_GROUP, summary: 'Show helpful text about the different subcommands', complexity: 'O(1)', handler: (c) => helpReply(c, 'MEMORY', MEMORY_HELP) }),
      // Tandem's allocator is V8's, which has no report of this kind: Redis's reply for an allocator without one.
      command({ name: 'malloc-stats', arity: 2, flags: [], ...SERVER_GROUP, summary: 'Show allocator internal stats', complexity: ALLOCATOR_COMPLEXITY, tips: ALL_SHARDS_SPECIAL, handler: (c) => c.reply.bulk('Stats not supported for the current allocator') }),
      // V8 returns memory to the system itself after a collection; there is nothing to ask of it.
      command({ name: 'purge', arity: 2, flags: [], ...SERVER_GROUP, summary: 'Ask the allocator to release memory', complexity: ALLOCATOR_COMPLEXITY, tips: ['request_policy:all_shards', 'response_policy:all_succeeded'], handler: (c) => c.reply.ok() }),
      command({ name: 'stats', arity: 2, flags: [], ...SERVER_GROUP, summary: 'Show memory usage details', complexity: 'O(1)', tips: ALL_SHARDS_SPECIAL, handler: memoryStats }),
      // It reads the key's size, not its value: RO without `access`.
      command({ name: 'usage', arity: -3, flags: ['readonly'], firstKey: 2, lastKey: 2, step: 1, keySpecFlags: ['RO'], group: 'server', since: '4.0.0', summary: 'Estimate the memory usage of a key', complexity: 'O(N) where N is the number of samples.', handler: memoryUsage }),
    ],
  }),
];
