// DEBUG: the testing and introspection subcommands (gated by enable-debug-command, as in Redis).
// DIGEST and DIGEST-VALUE fingerprint the data exactly as Redis 7.0 does (keyspace/digest.ts).
//
// Subcommands live in one table, name -> { argument counts, handler }; a module that owns a
// subcommand (RELOAD: persistence, CHANGE-REPL-ID: replication) adds its entry with
// `DEBUG_SUBCOMMANDS.set(...)`. A wrong name or argument count gets Redis's one error.

import { command, CommandSpec } from './command';
import type { Client } from '../server/client';
import { helpReply } from './command-docs';
import { parseSafeInt } from './args';
import { parseMemory } from '../config/config';
import { datasetDigest, keyValueDigest } from '../keyspace/digest';
import { typeOf, Value } from '../keyspace/values';

export interface DebugSubcommand {
  /** Allowed argument counts after the subcommand name: exact, or at least `min` when `max` is Infinity. */
  min: number;
  max: number;
  handler: (c: Client, args: string[]) => void;
}

/** Redis's atof: the longest numeric prefix, 0 when there is none. */
function atof(s: string): number {
  const n = parseFloat(s);
  return Number.isFinite(n) ? n : 0;
}

/** Blocks the whole process, as DEBUG SLEEP stops Redis's only thread. */
function sleepSync(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** POPULATE: count keys "<prefix>:<n>" = "value:<n>" (cut or zero-padded to size), skipping existing keys. */
function populate(c: Client, args: string[]): void {
  const count = parseSafeInt(args[0]);
  if (count === null || count < 0) {
    c.reply.error('ERR value is out of range, must be positive');
    return;
  }
  const prefix = args[1] ?? 'key';
  let size = 0;
  if (args.length === 3) {
    const s = parseSafeInt(args[2]);
    if (s === null || s < 0) {
      c.reply.error('ERR value is out of range, must be positive');
      return;
    }
    size = s;
  }
  const ks = c.server.keyspace;
  // Padded values are cut from a zeroed scratch buffer: a concatenation would be a V8 cons
  // string, bigger in memory and copied by the first save, unlike values that come off the wire.
  const scratch = size > 0 ? Buffer.alloc(size) : null;
  for (let i = 0; i < count; i++) {
    const key = `${prefix}:${i}`;
    if (ks.lookup(c.db, key) !== undefined) continue;
    let val = `value:${i}`;
    if (scratch !== null) {
      const n = scratch.latin1Write(val, 0, size);
      val = scratch.latin1Slice(0, size);
      scratch.fill(0, 0, n);
    }
    ks.set(c.db, key, val);
  }
  c.reply.ok();
}

/** The encoding OBJECT ENCODING reports, for DEBUG OBJECT. */
function encodingOf(v: Value): string {
  if (typeof v === 'string') {
    if (v.length <= 20 && /^-?(0|[1-9][0-9]*)$/.test(v) && BigInt(v) >= -(2n ** 63n) && BigInt(v) < 2n ** 63n) return 'int';
    return v.length <= 44 ? 'embstr' : 'raw';
  }
  if (typeOf(v) === 'list') return 'quicklist';
  return (v as { encoding: string }).encoding;
}

function debugObject(c: Client, args: string[]): void {
  const v = c.server.keyspace.lookup(c.db, args[0]);
  if (v === undefined) {
    c.reply.error('ERR no such key');
    return;
  }
  const lru = Math.floor(Date.now() / 1000) & ((1 << 24) - 1);
  const serialized = typeof v === 'string' ? v.length : v.size;
  c.reply.simple(`Value at:0x0 refcount:1 encoding:${encodingOf(v)} serializedlength:${serialized} lru:${lru} lru_seconds_idle:0`);
}

function setActiveExpire(c: Client, args: string[]): void {
  c.server.activeExpireEnabled = atof(args[0]) !== 0;
  c.reply.ok();
}

function quicklistPackedThreshold(c: Client, args: string[]): void {
  const n = parseMemory(args[0]);
  if (n === null || n < 0 || n >= 2 ** 32) {
    c.reply.error('ERR argument must be a memory value bigger than 1 and smaller than 4gb');
    return;
  }
  c.reply.ok();
}

const PROTOCOL_TYPES = 'string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false';
const BIGNUM = '1234567999999999999999999999999999999';

/** PROTOCOL <type>: a sample reply of each RESP type, degraded for RESP2 as Redis does, for client tests. */
function protocol(c: Client, args: string[]): void {
  const r = c.reply;
  const resp3 = r.resp === 3;
  const ints = (n: number): void => {
    for (let j = 0; j < n; j++) r.int(j);
  };
  switch (args[0].toLowerCase()) {
    case 'string':
      return r.bulk('Hello World');
    case 'integer':
      return r.int(12345);
    case 'double':
      return r.double('3.141');
    case 'bignum':
      return resp3 ? r.raw(`(${BIGNUM}\r\n`) : r.bulk(BIGNUM);
    case 'null':
      return r.nullBulk();
    case 'array':
      r.arrayHeader(3);
      return ints(3);
    case 'set':
      r.setHeader(3);
      return ints(3);
    case 'map':
      r.mapHeader(3);
      for (let j = 0; j < 3; j++) {
        r.int(j);
        r.bool(j === 1);
      }
      return;
    case 'attrib':
      if (resp3) r.raw('|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n');
      return r.bulk('Some real reply following the attribute');
    case 'push':
      if (!resp3) return r.error('ERR RESP2 is not supported by this command');
      r.pushHeader(2);
      r.bulk('server-cpu-usage');
      r.int(42);
      return r.bulk('Some real reply following the push reply');
    case 'verbatim':
      return r.verbatim('This is a verbatim\nstring');
    case 'true':
      return r.bool(true);
    case 'false':
      return r.bool(false);
    default:
      r.error(`ERR Wrong protocol type name. Please use one of the following: ${PROTOCOL_TYPES}`);
  }
}

const HELP = [
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  '    Dangerous: should be used only for testing the replication subsystem.',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'POPULATE <count> [<prefix>] [<size>]',
  "    Create <count> string keys named key:<num>. If <prefix> is specified then",
  "    it is used instead of the 'key' prefix. These are not propagated to",
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  '    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
];

export const DEBUG_SUBCOMMANDS = new Map<string, DebugSubcommand>([
  ['help', { min: 0, max: 0, handler: (c) => helpReply(c, 'DEBUG', HELP) }],
  ['digest', { min: 0, max: 0, handler: (c) => c.reply.simple(datasetDigest(c.server.keyspace.dbs)) }],
  [
    'digest-value',
    {
      min: 0,
      max: Infinity,
      handler: (c, args) => {
        c.reply.arrayHeader(args.length);
        for (const key of args) c.reply.simple(keyValueDigest(c.db, key, c.server.keyspace.lookup(c.db, key)));
      },
    },
  ],
  [
    'sleep',
    {
      min: 1,
      max: 1,
      handler: (c, args) => {
        sleepSync(atof(args[0]) * 1000);
        c.reply.ok();
      },
    },
  ],
  ['populate', { min: 1, max: 3, handler: populate }],
  ['object', { min: 1, max: 1, handler: debugObject }],
  [
    'log',
    {
      min: 1,
      max: 1,
      handler: (c, args) => {
        c.server.log.warning(`DEBUG LOG: ${args[0]}`);
        c.reply.ok();
      },
    },
  ],
  ['set-active-expire', { min: 1, max: 1, handler: setActiveExpire }],
  ['protocol', { min: 1, max: 1, handler: protocol }],
  ['error', { min: 1, max: 1, handler: (c, args) => c.reply.error(args[0]) }],
  ['quicklist-packed-threshold', { min: 1, max: 1, handler: quicklistPackedThreshold }],
]);

function debug(c: Client, argv: string[]): void {
  const sub = DEBUG_SUBCOMMANDS.get(argv[1].toLowerCase());
  const args = argv.slice(2);
  if (sub === undefined || args.length < sub.min || args.length > sub.max) {
    c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try DEBUG HELP.`);
    return;
  }
  sub.handler(c, args);
}

export const DEBUG_COMMANDS: CommandSpec[] = [
  command({
    name: 'debug', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale', 'protected'], group: 'server', summary: 'A container for debugging commands',
    since: '1.0.0', complexity: 'Depends on subcommand.', handler: debug,
  }),
];
