// The text INFO replies: Redis 7.0's sections, field names and field order, so that tools that
// parse INFO (redis-cli, Sentinel, exporters, client libraries) read Tandem as they read Redis.
//
// Sections owned by other modules (replication, persistence, sentinel) come from
// `server.infoProviders`; a provider also replaces a section printed here. Figures Tandem does
// not have (allocator internals, forks, I/O threads) are printed as a Redis that never used the
// feature prints them.

import * as os from 'node:os';
import * as path from 'node:path';
import type { Server } from './server';
import { REDIS_COMPAT_VERSION, TANDEM_VERSION } from './version';
import { expireCycleOf } from '../keyspace/expire-cycle';
import { pubsubOf } from '../pubsub/pubsub';
import { memoryMeter, usedMemory } from './memory';

/** Section names in the order Redis prints them, with the title of their `# Title` line. */
const SECTIONS: ReadonlyArray<[string, string]> = [
  ['server', 'Server'],
  ['clients', 'Clients'],
  ['memory', 'Memory'],
  ['persistence', 'Persistence'],
  ['stats', 'Stats'],
  ['replication', 'Replication'],
  ['cpu', 'CPU'],
  ['modules', 'Modules'],
  ['commandstats', 'Commandstats'],
  ['errorstats', 'Errorstats'],
  ['latencystats', 'Latencystats'],
  ['cluster', 'Cluster'],
  ['keyspace', 'Keyspace'],
];

const SECTION_NAMES = new Set(SECTIONS.map(([name]) => name));

/** The sections INFO without arguments (or "default") prints. */
const DEFAULT_SECTIONS = new Set(['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace']);

/** LRU_CLOCK_MAX: Redis's LRU clock is 24 bits of seconds. */
const LRU_CLOCK_MASK = (1 << 24) - 1;

/** Per-client memory counted besides its pending output: the reply scratch buffer. */
const CLIENT_BUFFER_BYTES = 16 * 1024;

/** How many TTLs the keyspace section samples per database for avg_ttl. */
const TTL_SAMPLE = 64;

/** Per-server figures INFO keeps between calls: the memory peak and the memory at startup. */
class InfoState {
  memoryPeak = 0;
  /** used_memory when the server was set up, before any data or client (used_memory_startup). */
  readonly memoryStartup = usedMemory();
}

const states = new WeakMap<Server, InfoState>();

/** Tracks the memory peak from the cron, as Redis samples it in serverCron. */
export function installInfo(server: Server): void {
  const state = new InfoState();
  states.set(server, state);
  server.hooks.cron.push(() => {
    const used = usedMemory();
    if (used > state.memoryPeak) state.memoryPeak = used;
  });
}

const HUMAN_UNITS = ['K', 'M', 'G', 'T', 'P'];

/** Redis's bytesToHuman: "919.29K", "1.02M", "0B". */
export function bytesToHuman(n: number): string {
  if (n < 1024) return `${n}B`;
  let v = n / 1024;
  let unit = 0;
  while (v >= 1024 && unit < HUMAN_UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${v.toFixed(2)}${HUMAN_UNITS[unit]}`;
}

/** The sections a sentinel prints (its own section comes from the sentinel module). */
const SENTINEL_SECTIONS = new Set(['server', 'clients', 'stats', 'cpu', 'sentinel']);

/**
 * Which sections INFO's arguments select: none or "default" the default set, "all" every
 * built-in section, "everything" all plus sections only modules provide; names are
 * case-insensitive. A sentinel only has its own few sections.
 */
export function selectSections(server: Server, args: string[]): Set<string> {
  const extra = [...server.infoProviders.keys()].filter((name) => !SECTION_NAMES.has(name));
  const wanted = new Set<string>();
  for (const raw of args.length === 0 ? ['default'] : args) {
    const a = raw.toLowerCase();
    if (a === 'default') for (const s of [...DEFAULT_SECTIONS, ...extra]) wanted.add(s);
    else if (a === 'all' || a === 'everything') for (const s of [...SECTION_NAMES, ...extra]) wanted.add(s);
    else wanted.add(a);
  }
  if (server.sentinel !== null) for (const s of wanted) if (!SENTINEL_SECTIONS.has(s)) wanted.delete(s);
  return wanted;
}

/** The INFO text for the given section names (lowercase), CRLF line ends, as Redis prints it. */
export function infoText(server: Server, sections: Set<string>): string {
  const parts: string[] = [];
  const section = (title: string, lines: string[]): void => {
    parts.push(`# ${title}\r\n` + lines.map((l) => l + '\r\n').join(''));
  };
  for (const [name, title] of SECTIONS) {
    if (!sections.has(name)) continue;
    const print = server.infoProviders.get(name) ?? BUILTIN[name];
    section(title, print !== undefined ? print(server) : []);
  }
  // Sections only a module provides (e.g. a sentinel's) follow the built-in ones.
  for (const [name, provider] of server.infoProviders) {
    if (sections.has(name) && !SECTION_NAMES.has(name)) section(name[0].toUpperCase() + name.slice(1), provider());
  }
  return parts.join('\r\n');
}

function serverSection(server: Server): string[] {
  const now = Date.now();
  const uptime = Math.floor((server.clock.now() - server.startTime) / 1000);
  const hz = server.config.int('hz');
  return [
    `redis_version:${REDIS_COMPAT_VERSION}`,
    `tandem_version:${TANDEM_VERSION}`,
    'redis_git_sha1:00000000',
    'redis_git_dirty:0',
    'redis_build_id:0',
    `redis_mode:${server.sentinel !== null ? 'sentinel' : 'standalone'}`,
    `os:${os.type()} ${os.release()} ${os.arch() === 'x64' ? 'x86_64' : os.arch()}`,
    'arch_bits:64',
    'monotonic_clock:POSIX clock_gettime',
    'multiplexing_api:epoll',
    'atomicvar_api:c11-builtin',
    'gcc_version:0.0.0',
    `process_id:${process.pid}`,
    'process_supervised:no',
    `run_id:${server.runId}`,
    `tcp_port:${server.port}`,
    `server_time_usec:${now * 1000}`,
    `uptime_in_seconds:${uptime}`,
    `uptime_in_days:${Math.floor(uptime / 86400)}`,
    `hz:${hz}`,
    `configured_hz:${hz}`,
    `lru_clock:${Math.floor(now / 1000) & LRU_CLOCK_MASK}`,
    `executable:${path.resolve(process.argv[1] ?? process.execPath)}`,
    `config_file:${server.config.file}`,
    'io_threads_active:0',
  ];
}

function clientsSection(server: Server): string[] {
  let replicas = 0;
  let blocked = 0;
  for (const c of server.clients.values()) {
    if (c.role === 'replica') replicas++;
    if (c.blocked) blocked++;
  }
  return [
    `connected_clients:${server.clients.size - replicas}`,
    'cluster_connections:0',
    `maxclients:${server.config.int('maxclients')}`,
    'client_recent_max_input_buffer:0',
    'client_recent_max_output_buffer:0',
    `blocked_clients:${blocked}`,
    'tracking_clients:0',
    'clients_in_timeout_table:0',
  ];
}

/** Bytes a database's main table spends per key (a V8 OrderedHashMap entry and its bucket). */
const MAIN_TABLE_BYTES_PER_KEY = 32;
/** Bytes the expires table spends per volatile key (entry, bucket and the boxed time). */
const EXPIRES_TABLE_BYTES_PER_KEY = 48;

/** One database's table overhead, as MEMORY STATS lists it under db.<n>. */
export interface DbOverhead {
  id: number;
  main: number;
  expires: number;
}

/**
 * Redis's getMemoryOverheadData: the figures behind INFO memory, MEMORY STATS and MEMORY DOCTOR.
 * The tables' overhead is an estimate per entry (V8 does not report a Map's size).
 */
export interface MemoryOverhead {
  used: number;
  peak: number;
  startup: number;
  rss: number;
  /** allocator_active: the V8 heap reserved plus the off-heap buffers. */
  active: number;
  notCountedForEvict: number;
  clientsNormal: number;
  clientsReplicas: number;
  normalClientCount: number;
  replicaCount: number;
  /** Databases holding keys, in order. */
  dbs: DbOverhead[];
  keys: number;
  /** used_memory_overhead: startup, client buffers and the tables. */
  overhead: number;
  /** used_memory_dataset: used less the overhead. */
  dataset: number;
  /** used less the memory at startup. */
  netUsed: number;
}

export function memoryOverhead(server: Server): MemoryOverhead {
  const state = states.get(server)!;
  const mem = process.memoryUsage();
  const { used, notCountedForEvict } = memoryMeter.figures();
  if (used > state.memoryPeak) state.memoryPeak = used;
  let clientsNormal = 0;
  let clientsReplicas = 0;
  let replicaCount = 0;
  for (const c of server.clients.values()) {
    const bytes = CLIENT_BUFFER_BYTES + c.reply.pendingBytes + c.queuedOutputBytes;
    if (c.role === 'replica') {
      clientsReplicas += bytes;
      replicaCount++;
    } else clientsNormal += bytes;
  }
  const dbs: DbOverhead[] = [];
  let keys = 0;
  let overhead = state.memoryStartup + clientsNormal + clientsReplicas;
  for (const db of server.keyspace.dbs) {
    if (db.dict.size === 0) continue;
    const main = db.dict.size * MAIN_TABLE_BYTES_PER_KEY;
    const expires = db.expires.size * EXPIRES_TABLE_BYTES_PER_KEY;
    dbs.push({ id: db.id, main, expires });
    keys += db.dict.size;
    overhead += main + expires;
  }
  return {
    used,
    peak: state.memoryPeak,
    startup: state.memoryStartup,
    rss: mem.rss,
    active: mem.heapTotal + mem.external,
    notCountedForEvict,
    clientsNormal,
    clientsReplicas,
    normalClientCount: server.clients.size - replicaCount,
    replicaCount,
    dbs,
    keys,
    overhead,
    dataset: Math.max(used - overhead, 0),
    netUsed: used - state.memoryStartup,
  };
}

function memorySection(server: Server): string[] {
  const m = memoryOverhead(server);
  const { used, rss, active, overhead, dataset, netUsed, clientsNormal, clientsReplicas, notCountedForEvict } = m;
  const maxmemory = server.config.int('maxmemory');
  const total = os.totalmem();
  const ratio = (a: number, b: number): string => (b > 0 ? a / b : 0).toFixed(2);
  return [
    `used_memory:${used}`,
    `used_memory_human:${bytesToHuman(used)}`,
    `used_memory_rss:${rss}`,
    `used_memory_rss_human:${bytesToHuman(rss)}`,
    `used_memory_peak:${m.peak}`,
    `used_memory_peak_human:${bytesToHuman(m.peak)}`,
    `used_memory_peak_perc:${((used / m.peak) * 100).toFixed(2)}%`,
    `used_memory_overhead:${overhead}`,
    `used_memory_startup:${m.startup}`,
    `used_memory_dataset:${dataset}`,
    `used_memory_dataset_perc:${netUsed > 0 ? ((dataset * 100) / netUsed).toFixed(2) : '0.00'}%`,
    `allocator_allocated:${used}`,
    `allocator_active:${active}`,
    `allocator_resident:${rss}`,
    `total_system_memory:${total}`,
    `total_system_memory_human:${bytesToHuman(total)}`,
    'used_memory_lua:0',
    'used_memory_vm_eval:0',
    'used_memory_lua_human:0B',
    'used_memory_scripts_eval:0',
    'number_of_cached_scripts:0',
    'number_of_functions:0',
    'number_of_libraries:0',
    'used_memory_vm_functions:0',
    'used_memory_vm_total:0',
    'used_memory_vm_total_human:0B',
    'used_memory_functions:0',
    'used_memory_scripts:0',
    'used_memory_scripts_human:0B',
    `maxmemory:${maxmemory}`,
    `maxmemory_human:${bytesToHuman(maxmemory)}`,
    `maxmemory_policy:${server.config.str('maxmemory-policy')}`,
    `allocator_frag_ratio:${ratio(active, used)}`,
    `allocator_frag_bytes:${active - used}`,
    `allocator_rss_ratio:${ratio(rss, active)}`,
    `allocator_rss_bytes:${rss - active}`,
    'rss_overhead_ratio:1.00',
    'rss_overhead_bytes:0',
    `mem_fragmentation_ratio:${ratio(rss, used)}`,
    `mem_fragmentation_bytes:${rss - used}`,
    `mem_not_counted_for_evict:${notCountedForEvict}`,
    'mem_replication_backlog:0',
    `mem_total_replication_buffers:${clientsReplicas}`,
    `mem_clients_slaves:${clientsReplicas}`,
    `mem_clients_normal:${clientsNormal}`,
    'mem_cluster_links:0',
    'mem_aof_buffer:0',
    'mem_allocator:v8',
    'active_defrag_running:0',
    'lazyfree_pending_objects:0',
    'lazyfreed_objects:0',
  ];
}

function statsSection(server: Server): string[] {
  const s = server.stats;
  const ks = server.keyspace;
  const repl = server.replStats;
  const expiry = expireCycleOf(server)?.stats;
  const pubsub = pubsubOf(server);
  return [
    `total_connections_received:${s.totalConnections}`,
    `total_commands_processed:${s.totalCommands}`,
    `instantaneous_ops_per_sec:${s.opsPerSec}`,
    `total_net_input_bytes:${s.netInputBytes}`,
    `total_net_output_bytes:${s.netOutputBytes}`,
    'total_net_repl_input_bytes:0',
    'total_net_repl_output_bytes:0',
    `instantaneous_input_kbps:${s.inputKbps.toFixed(2)}`,
    `instantaneous_output_kbps:${s.outputKbps.toFixed(2)}`,
    'instantaneous_input_repl_kbps:0.00',
    'instantaneous_output_repl_kbps:0.00',
    `rejected_connections:${s.rejectedConnections}`,
    `sync_full:${repl.syncFull}`,
    `sync_partial_ok:${repl.syncPartialOk}`,
    `sync_partial_err:${repl.syncPartialErr}`,
    `expired_keys:${ks.expiredKeys}`,
    `expired_stale_perc:${((expiry?.stalePerc ?? 0) * 100).toFixed(2)}`,
    `expired_time_cap_reached_count:${expiry?.timeCapReached ?? 0}`,
    `expire_cycle_cpu_milliseconds:${Math.round(expiry?.cpuMs ?? 0)}`,
    `evicted_keys:${s.evictedKeys}`,
    'evicted_clients:0',
    'total_eviction_exceeded_time:0',
    'current_eviction_exceeded_time:0',
    `keyspace_hits:${ks.hits}`,
    `keyspace_misses:${ks.misses}`,
    `pubsub_channels:${pubsub.channelCount}`,
    `pubsub_patterns:${pubsub.patternCount}`,
    `pubsubshard_channels:${pubsub.activeNames('shard', null).length}`,
    'latest_fork_usec:0',
    'total_forks:0',
    'migrate_cached_sockets:0',
    'slave_expires_tracked_keys:0',
    'active_defrag_hits:0',
    'active_defrag_misses:0',
    'active_defrag_key_hits:0',
    'active_defrag_key_misses:0',
    'total_active_defrag_time:0',
    'current_active_defrag_time:0',
    'tracking_total_keys:0',
    'tracking_total_items:0',
    'tracking_total_prefixes:0',
    'unexpected_error_replies:0',
    `total_error_replies:${s.totalErrorReplies}`,
    'dump_payload_sanitizations:0',
    'total_reads_processed:0',
    'total_writes_processed:0',
    'io_threaded_reads_processed:0',
    'io_threaded_writes_processed:0',
    'reply_buffer_shrinks:0',
    'reply_buffer_expands:0',
  ];
}

function cpuSection(): string[] {
  const u = process.cpuUsage();
  const sys = (u.system / 1e6).toFixed(6);
  const user = (u.user / 1e6).toFixed(6);
  return [
    `used_cpu_sys:${sys}`,
    `used_cpu_user:${user}`,
    'used_cpu_sys_children:0.000000',
    'used_cpu_user_children:0.000000',
    `used_cpu_sys_main_thread:${sys}`,
    `used_cpu_user_main_thread:${user}`,
  ];
}

function commandstatsSection(server: Server): string[] {
  const lines: string[] = [];
  for (const [name, st] of server.stats.commands) {
    if (st.calls === 0 && st.rejectedCalls === 0 && st.failedCalls === 0) continue;
    const perCall = st.calls === 0 ? 0 : st.usec / st.calls;
    lines.push(`cmdstat_${name}:calls=${st.calls},usec=${st.usec},usec_per_call=${perCall.toFixed(2)},rejected_calls=${st.rejectedCalls},failed_calls=${st.failedCalls}`);
  }
  return lines;
}

function errorstatsSection(server: Server): string[] {
  const lines: string[] = [];
  for (const [code, count] of server.stats.errors) lines.push(`errorstat_${code}:count=${count}`);
  return lines;
}

function keyspaceSection(server: Server): string[] {
  const lines: string[] = [];
  const now = server.clock.now();
  for (const db of server.keyspace.dbs) {
    if (db.dict.size === 0) continue;
    lines.push(`db${db.id}:keys=${db.dict.size},expires=${db.expires.size},avg_ttl=${averageTtl(db.expires, now)}`);
  }
  return lines;
}

/** avg_ttl: the mean remaining TTL (ms) of a sample of volatile keys, as Redis estimates it. */
function averageTtl(expires: Map<string, number>, now: number): number {
  let sum = 0;
  let n = 0;
  for (const when of expires.values()) {
    if (n === TTL_SAMPLE) break;
    sum += Math.max(when - now, 0);
    n++;
  }
  return n === 0 ? 0 : Math.round(sum / n);
}

/** The sections this module prints itself; persistence and replication come from their modules. */
const BUILTIN: Partial<Record<string, (server: Server) => string[]>> = {
  server: serverSection,
  clients: clientsSection,
  memory: memorySection,
  stats: statsSection,
  cpu: cpuSection,
  modules: () => [],
  commandstats: commandstatsSection,
  errorstats: errorstatsSection,
  latencystats: () => [],
  cluster: () => ['cluster_enabled:0'],
  keyspace: keyspaceSection,
};
