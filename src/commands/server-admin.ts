// Server administration: MONITOR, SLOWLOG, LATENCY, TIME, SHUTDOWN and LOLWUT, with Redis 7.0's
// replies and errors.
//
// LATENCY is the minimal form: Tandem keeps no latency event history, so LATEST/HISTORY are
// empty, DOCTOR says what Redis says when nothing was observed, and HISTOGRAM reports the call
// counts it has without buckets.
//
// LOLWUT prints the version line every version prints; the computer art of versions 5 and 6
// (randomly drawn, so no client can depend on it) is not drawn.

import { command, CommandSpec, CommandFlag } from './command';
import type { Client } from '../server/client';
import type { Server, ShutdownOptions } from '../server/server';
import { helpReply } from './command-docs';
import { parseSafeInt, parseInt64, ERR_SYNTAX, ERR_NOT_INTEGER } from './args';
import { REDIS_COMPAT_VERSION } from '../server/version';
import { transactionsOf } from '../server/transactions';

/** SLOWLOG GET without a count. */
const SLOWLOG_DEFAULT_COUNT = 10;

/** LOLWUT [VERSION v ...]: a VERSION that is not an integer is refused, as in Redis. */
function lolwut(c: Client, argv: string[]): void {
  if (argv.length >= 3 && argv[1].toLowerCase() === 'version' && parseInt64(argv[2]) === null) return c.reply.error(ERR_NOT_INTEGER);
  c.reply.verbatim(`Redis ver. ${REDIS_COMPAT_VERSION}\n`);
}

function monitor(c: Client): void {
  // A client inside EXEC expects one reply per command, which MONITOR cannot give.
  if (transactionsOf(c.server).executing) {
    c.reply.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  // A replica link is already fed the stream and a monitor already is one: Redis ignores it.
  if (c.role === 'replica' || c.role === 'monitor') return;
  c.role = 'monitor';
  c.server.monitors.add(c);
  c.reply.ok();
}

/** Stops feeding a client that leaves MONITOR mode (RESET) or goes away. */
function stopMonitoring(c: Client): void {
  if (!c.server.monitors.delete(c)) return;
  c.role = 'normal';
}

/** Wires MONITOR into the server: leaving MONITOR mode on RESET or disconnect, and its gate. */
export function installServerAdmin(server: Server): void {
  server.hooks.clientReset.push(stopMonitoring);
  server.hooks.clientClosed.push(stopMonitoring);
  server.gates.addCheck(monitorCheck);
}

/**
 * The check Redis makes for replica and monitor connections: they may not run commands that
 * read or write the keyspace.
 */
function monitorCheck(c: Client, spec: CommandSpec): string | null {
  if (c.role !== 'monitor' && c.role !== 'replica') return null;
  const f = spec.flags;
  if (f.includes('write') || f.includes('readonly') || f.includes('may_replicate')) return "ERR Replica can't interact with the keyspace";
  return null;
}

function slowlogGet(c: Client, argv: string[]): void {
  let count = SLOWLOG_DEFAULT_COUNT;
  if (argv.length === 3) {
    const n = parseSafeInt(argv[2]);
    if (n === null || n < -1) {
      c.reply.error('ERR count should be greater than or equal to -1');
      return;
    }
    count = n === -1 ? Infinity : n;
  }
  const entries = c.server.slowlog.entries.slice(0, count);
  c.reply.arrayHeader(entries.length);
  for (const e of entries) {
    c.reply.arrayHeader(6);
    c.reply.int(e.id);
    c.reply.int(e.time);
    c.reply.int(e.usec);
    c.reply.arrayOfBulks(e.argv);
    c.reply.bulk(e.addr);
    c.reply.bulk(e.name);
  }
}

const SLOWLOG_HELP = [
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
];

const LATENCY_HELP = [
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
];

const DOCTOR_DISABLED =
  "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
const DOCTOR_NOTHING_OBSERVED =
  'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n';

function latencyDoctor(c: Client): void {
  c.reply.verbatim(c.server.config.int('latency-monitor-threshold') === 0 ? DOCTOR_DISABLED : DOCTOR_NOTHING_OBSERVED);
}

/** LATENCY HISTOGRAM: per command its call count; Tandem keeps no latency buckets. */
function latencyHistogram(c: Client, argv: string[]): void {
  const stats = c.server.stats.commands;
  const names = argv.length > 2 ? argv.slice(2).map((a) => a.toLowerCase()) : [...stats.keys()];
  const found = names.filter((n, i) => (stats.get(n)?.calls ?? 0) > 0 && names.indexOf(n) === i);
  c.reply.mapHeader(found.length);
  for (const name of found) {
    c.reply.bulk(name);
    c.reply.mapHeader(2);
    c.reply.bulk('calls');
    c.reply.int(stats.get(name)!.calls);
    c.reply.bulk('histogram_usec');
    c.reply.mapHeader(0);
  }
}

function time(c: Client): void {
  const usec = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  c.reply.arrayHeader(2);
  c.reply.bulk(String(Math.floor(usec / 1e6)));
  c.reply.bulk(String(usec % 1e6));
}

/** Parses SHUTDOWN's flags; null when they are not a valid combination. */
function parseShutdownFlags(args: string[]): (ShutdownOptions & { abort: boolean }) | null {
  const o = { save: null as boolean | null, now: false, force: false, abort: false };
  for (const raw of args) {
    const a = raw.toLowerCase();
    if (a === 'nosave' && o.save === null) o.save = false;
    else if (a === 'save' && o.save === null) o.save = true;
    else if (a === 'now') o.now = true;
    else if (a === 'force') o.force = true;
    else if (a === 'abort') o.abort = true;
    else return null;
  }
  if (o.abort && (o.save !== null || o.now || o.force)) return null;
  return o;
}

function shutdown(c: Client, argv: string[]): void {
  const opts = parseShutdownFlags(argv.slice(1));
  if (opts === null) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  // Tandem's shutdown completes synchronously (no waiting for replicas), so nothing is ever
  // in progress for ABORT to cancel.
  if (opts.abort) {
    c.reply.error('ERR No shutdown in progress.');
    return;
  }
  const err = c.server.shutdown(opts);
  if (err !== null) c.reply.error('ERR ' + err);
}

const ADMIN: CommandFlag[] = ['admin', 'loading', 'stale'];

export const SERVER_ADMIN_COMMANDS: CommandSpec[] = [
  command({
    name: 'monitor', arity: 1, flags: ['admin', 'noscript', 'loading', 'stale'], group: 'server',
    summary: 'Listen for all requests received by the server in real time', since: '1.0.0', handler: monitor,
  }),
  command({
    name: 'slowlog', arity: -2, flags: [], group: 'server', summary: 'A container for slow log commands', since: '2.2.12',
    complexity: 'Depends on subcommand.',
    subcommands: [
      command({ name: 'get', arity: -2, flags: ADMIN, group: 'server', summary: 'Get the slow log\'s entries', since: '2.2.12', complexity: 'O(N) where N is the number of entries returned', tips: ['request_policy:all_nodes', 'nondeterministic_output'], handler: slowlogGet }),
      command({ name: 'help', arity: 2, flags: ['loading', 'stale'], group: 'server', summary: 'Show helpful text about the different subcommands', since: '6.2.0', complexity: 'O(1)', handler: (c) => helpReply(c, 'SLOWLOG', SLOWLOG_HELP) }),
      command({ name: 'len', arity: 2, flags: ADMIN, group: 'server', summary: 'Get the slow log\'s length', since: '2.2.12', complexity: 'O(1)', tips: ['request_policy:all_nodes', 'response_policy:agg_sum', 'nondeterministic_output'], handler: (c) => c.reply.int(c.server.slowlog.entries.length) }),
      command({
        name: 'reset', arity: 2, flags: ADMIN, group: 'server', summary: 'Clear all entries from the slow log', since: '2.2.12', complexity: 'O(N) where N is the number of entries in the slowlog',
        tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
        handler: (c) => {
          c.server.slowlog.reset();
          c.reply.ok();
        },
      }),
    ],
  }),
  command({
    name: 'latency', arity: -2, flags: [], group: 'server', summary: 'A container for latency diagnostics commands', since: '2.8.13',
    complexity: 'Depends on subcommand.',
    subcommands: [
      command({ name: 'doctor', arity: 2, flags: ['admin', 'noscript', 'loading', 'stale'], group: 'server', summary: 'Return a human readable latency analysis report.', since: '2.8.13', complexity: 'O(1)', tips: ['nondeterministic_output', 'request_policy:all_nodes', 'response_policy:special'], handler: latencyDoctor }),
      command({
        name: 'graph', arity: 3, flags: ['admin', 'noscript', 'loading', 'stale'], group: 'server', summary: 'Return a latency graph for the event.', since: '2.8.13', complexity: 'O(1)',
        tips: ['nondeterministic_output', 'request_policy:all_nodes', 'response_policy:special'],
        handler: (c, argv) => c.reply.error(`ERR No samples available for event '${argv[2]}'`),
      }),
      command({ name: 'help', arity: 2, flags: ['loading', 'stale'], group: 'server', summary: 'Show helpful text about the different subcommands.', since: '2.8.13', complexity: 'O(1)', handler: (c) => helpReply(c, 'LATENCY', LATENCY_HELP) }),
      command({ name: 'histogram', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'], group: 'server', summary: 'Return the cumulative distribution of latencies of a subset of commands or all.', since: '7.0.0', complexity: 'O(N) where N is the number of commands with latency information being retrieved.', tips: ['nondeterministic_output', 'request_policy:all_nodes', 'response_policy:special'], handler: latencyHistogram }),
      command({ name: 'history', arity: 3, flags: ['admin', 'noscript', 'loading', 'stale'], group: 'server', summary: 'Return timestamp-latency samples for the event.', since: '2.8.13', complexity: 'O(1)', tips: ['nondeterministic_output', 'request_policy:all_nodes', 'response_policy:special'], handler: (c) => c.reply.arrayHeader(0) }),
      command({ name: 'latest', arity: 2, flags: ['admin', 'noscript', 'loading', 'stale'], group: 'server', summary: 'Return the latest latency samples for all events.', since: '2.8.13', complexity: 'O(1)', tips: ['nondeterministic_output', 'request_policy:all_nodes', 'response_policy:special'], handler: (c) => c.reply.arrayHeader(0) }),
      command({ name: 'reset', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'], group: 'server', summary: 'Reset latency data for one or more events.', since: '2.8.13', complexity: 'O(1)', tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'], handler: (c) => c.reply.int(0) }),
    ],
  }),
  command({
    name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], group: 'server', summary: 'Return the current server time', since: '2.6.0',
    complexity: 'O(1)', tips: ['nondeterministic_output'], handler: time,
  }),
  command({
    name: 'lolwut', arity: -1, flags: ['readonly', 'fast'], group: 'server', summary: 'Display some computer art and the Redis version', since: '5.0.0',
    handler: lolwut,
  }),
  command({
    name: 'shutdown', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'sentinel', 'allow_busy'], group: 'server',
    summary: 'Synchronously save the dataset to disk and then shut down the server', since: '1.0.0', complexity: 'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)',
    handler: shutdown,
  }),
];
