// Generic key commands: DEL UNLINK EXISTS TYPE RENAME RENAMENX COPY KEYS SCAN RANDOMKEY TOUCH,
// and the TTL family (EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST).
//
// SCAN cursors. Redis's reverse-binary bucket cursor guarantees that a key present for the whole
// scan is returned at least once. A JS Map has no buckets, but its iterators are live: they
// survive inserts, deletes and rehashes, visit entries in insertion order, and never skip an
// entry that stays in the map. So a cursor names a parked Map iterator: each SCAN call resumes
// it, takes COUNT keys, and parks it again under a fresh random cursor. A cursor that is unknown
// (never issued, already used once, evicted, or issued for another database) restarts from the
// first key, which may repeat keys but never misses one, so the guarantee holds for every
// client. At most SCAN_CURSOR_CAPACITY iterators are parked (least recently used evicted first).
// A parked iterator is a few dozen bytes, but it keeps the hash table it was created on alive
// until it advances past a rehash; tables only double or halve, so that stays within about the
// Map's own size, and FLUSHDB/FLUSHALL/SWAPDB drop the parked scans of the databases they empty.
// HSCAN/SSCAN/ZSCAN can park their iterators the same way.

import * as crypto from 'node:crypto';
import { command, CommandSpec } from './command';
import { ERR_NOT_INTEGER, ERR_SYNTAX, intArg } from './args';
import { dbArg, ERR_SAME_OBJECT } from './databases';
import { alreadyExpired, parseStrictInt64 } from './strings';
import { globMatch } from '../keyspace/glob';
import { samplerOf } from '../keyspace/sampler';
import { NOTIFY, notifyKeyspaceEvent } from '../pubsub/notify';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import type { Database } from '../keyspace/keyspace';
import { HashValue, ListValue, SetValue, TypeName, typeOf, Value, ZSetValue } from '../keyspace/values';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const ERR_NO_SUCH_KEY = 'ERR no such key';

function del(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    if (!ks.delete(c.db, argv[i])) continue;
    notifyKeyspaceEvent(c.server, NOTIFY.GENERIC, 'del', argv[i], c.db.id);
    n++;
  }
  c.server.dirty += n;
  c.reply.int(n);
}

function exists(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (ks.lookupRead(c.db, argv[i], false) !== undefined) n++;
  c.reply.int(n);
}

function touch(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (ks.lookupRead(c.db, argv[i]) !== undefined) n++;
  c.reply.int(n);
}

function type(c: Client, argv: string[]): void {
  const v = c.server.keyspace.lookupRead(c.db, argv[1], false);
  c.reply.simple(v === undefined ? 'none' : typeOf(v));
}

function renameGeneric(c: Client, argv: string[], nx: boolean): void {
  const ks = c.server.keyspace;
  const [, src, dst] = argv;
  const v = ks.lookup(c.db, src);
  if (v === undefined) {
    c.reply.error(ERR_NO_SUCH_KEY);
    return;
  }
  if (src === dst) {
    if (nx) c.reply.int(0);
    else c.reply.ok();
    return;
  }
  const expire = ks.getExpire(c.db, src);
  if (ks.lookup(c.db, dst) !== undefined) {
    if (nx) {
      c.reply.int(0);
      return;
    }
    ks.delete(c.db, dst);
  }
  ks.set(c.db, dst, v);
  if (expire !== -1) ks.setExpire(c.db, dst, expire);
  ks.delete(c.db, src);
  notifyKeyspaceEvent(c.server, NOTIFY.GENERIC, 'rename_from', src, c.db.id);
  notifyKeyspaceEvent(c.server, NOTIFY.GENERIC, 'rename_to', dst, c.db.id);
  c.server.dirty++;
  if (nx) c.reply.int(1);
  else c.reply.ok();
}

/** A deep copy of a value for COPY (same encoding). */
export function cloneValue(v: Value): Value {
  if (typeof v === 'string') return v;
  if (v instanceof ListValue) {
    const l = new ListValue();
    for (const item of v.items.toArray()) l.items.push(item);
    return l;
  }
  if (v instanceof HashValue) {
    const h = new HashValue();
    for (const [f, val] of v.map) h.map.set(f, val);
    h.encoding = v.encoding;
    return h;
  }
  if (v instanceof SetValue) {
    const s = new SetValue();
    for (const m of v.set) s.set.add(m);
    s.encoding = v.encoding;
    return s;
  }
  const z = new ZSetValue();
  for (const [m, score] of (v as ZSetValue).zset.entries()) z.zset.add(m, score);
  z.encoding = (v as ZSetValue).encoding;
  return z;
}

function copy(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  let dst: Database = c.db;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    if (opt === 'replace') {
      replace = true;
    } else if (opt === 'db' && j + 1 < argv.length) {
      const db = dbArg(c, argv[++j]);
      if (db === undefined) return;
      dst = db;
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const [, key, newKey] = argv;
  if (dst === c.db && key === newKey) {
    c.reply.error(ERR_SAME_OBJECT);
    return;
  }
  const v = ks.lookupRead(c.db, key);
  if (v === undefined) {
    c.reply.int(0);
    return;
  }
  const expire = ks.getExpire(c.db, key);
  if (ks.lookup(dst, newKey) !== undefined) {
    if (!replace) {
      c.reply.int(0);
      return;
    }
    ks.delete(dst, newKey);
  }
  ks.set(dst, newKey, cloneValue(v));
  if (expire !== -1) ks.setExpire(dst, newKey, expire);
  notifyKeyspaceEvent(c.server, NOTIFY.GENERIC, 'copy_to', newKey, dst.id);
  c.server.dirty++;
  c.reply.int(1);
}

function keys(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const pattern = argv[1];
  const out: string[] = [];
  const checkTtl = c.db.expires.size > 0 && ks.expiryMode !== 'ignore';
  for (const key of c.db.dict.keys()) {
    if (checkTtl && ks.isLogicallyExpired(c.db, key)) continue;
    if (globMatch(pattern, key)) out.push(key);
  }
  c.reply.arrayOfBulks(out);
}

function randomkey(c: Client): void {
  const ks = c.server.keyspace;
  const db = c.db;
  const sampler = samplerOf(db, db.dict, 0)!;
  // Redis's dbRandomKey: an expired key drawn is deleted (by the lookup) and another drawn; a
  // replica cannot delete, so when every key has a TTL it answers an expired one after 100 draws.
  let tries = 100;
  for (;;) {
    const key = sampler.pick((k) => db.dict.has(k));
    if (key === undefined) return c.reply.nullBulk();
    if (ks.lookup(db, key, false) !== undefined) return c.reply.bulk(key);
    if (ks.expiryMode !== 'delete' && db.expires.size === db.dict.size && --tries === 0) return c.reply.bulk(key);
  }
}

// -------------------------------------------------------------------------------------------
// SCAN
// -------------------------------------------------------------------------------------------

const SCAN_CURSOR_CAPACITY = 1024;
const ULONG_MAX = 18446744073709551615n;

interface ParkedScan {
  owner: object;
  it: Iterator<unknown>;
}

/** Parked scan iterators by cursor, least recently parked first. */
export class ScanCursors {
  private readonly parked = new Map<string, ParkedScan>();

  constructor(private readonly capacity = SCAN_CURSOR_CAPACITY) {}

  /**
   * The iterator to continue for `cursor` over `owner` (the Map or Set being scanned); a fresh
   * one from `start` for cursor "0" or a cursor that does not name a parked scan of `owner`.
   */
  resume<T>(cursor: string, owner: object, start: () => Iterator<T>): Iterator<T> {
    const p = this.parked.get(cursor);
    if (p !== undefined) this.parked.delete(cursor);
    return p !== undefined && p.owner === owner ? (p.it as Iterator<T>) : start();
  }

  /** Parks a partly consumed iterator and returns the cursor that resumes it. */
  park(owner: object, it: Iterator<unknown>): string {
    let cursor: string;
    do cursor = String(crypto.randomInt(1, 2 ** 48 - 1));
    while (this.parked.has(cursor));
    this.parked.set(cursor, { owner, it });
    if (this.parked.size > this.capacity) this.parked.delete(this.parked.keys().next().value as string);
    return cursor;
  }

  /** Drops the scans of `owner` (its contents were flushed: keep no old hash table alive). */
  forget(owner: object): void {
    for (const [cursor, p] of this.parked) if (p.owner === owner) this.parked.delete(cursor);
  }

  get size(): number {
    return this.parked.size;
  }
}

const scanCursorTables = new WeakMap<Server, ScanCursors>();

/** The server's table of parked scan iterators (shared by SCAN, HSCAN, SSCAN, ZSCAN). */
export function scanCursors(server: Server): ScanCursors {
  let t = scanCursorTables.get(server);
  if (t === undefined) {
    const table = new ScanCursors();
    t = table;
    scanCursorTables.set(server, table);
    server.addKeyspaceListener({ keyModified: () => undefined, keyExpired: () => undefined, dbReplaced: (db) => table.forget(db.dict) });
  }
  return t;
}

/**
 * parseScanCursorOrReply: Redis reads the cursor with strtoul, so "", "-1" and "+7" are valid
 * cursors, while spaces, other text and values past 2^64-1 are "invalid cursor". Returns the
 * cursor text ("0" for ""), or null after replying.
 */
export function scanCursorArg(c: Client, s: string): string | null {
  const m = /^[+-]?(\d*)$/.exec(s);
  if (s === '') return '0';
  if (m !== null && m[1] !== '' && BigInt(m[1]) <= ULONG_MAX) return s;
  c.reply.error('ERR invalid cursor');
  return null;
}

export interface ScanOptions {
  count: number;
  pattern: string | null;
  type: string | null;
}

/** SCAN's options from argv[from..]; TYPE only when `allowType`. Null after replying. */
export function parseScanOptions(c: Client, argv: string[], from: number, allowType: boolean): ScanOptions | null {
  const o: ScanOptions = { count: 10, pattern: null, type: null };
  for (let i = from; i < argv.length; i += 2) {
    const opt = argv[i].toLowerCase();
    const hasValue = i + 1 < argv.length;
    if (opt === 'count' && hasValue) {
      const n = intArg(c, argv[i + 1]);
      if (n === null) return null;
      if (n < 1) {
        c.reply.error(ERR_SYNTAX);
        return null;
      }
      o.count = n;
    } else if (opt === 'match' && hasValue) {
      o.pattern = argv[i + 1] === '*' ? null : argv[i + 1];
    } else if (opt === 'type' && allowType && hasValue) {
      o.type = argv[i + 1];
    } else {
      c.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return o;
}

function scan(c: Client, argv: string[]): void {
  const cursor = scanCursorArg(c, argv[1]);
  if (cursor === null) return;
  const o = parseScanOptions(c, argv, 2, true);
  if (o === null) return;
  const ks = c.server.keyspace;
  const db = c.db;
  const dict = db.dict;
  const cursors = scanCursors(c.server);
  const it = cursors.resume(cursor, dict, () => dict.keys());
  const out: string[] = [];
  let done = false;
  for (let n = 0; n < o.count; n++) {
    const r = it.next();
    if (r.done) {
      done = true;
      break;
    }
    const key = r.value;
    if (o.pattern !== null && !globMatch(o.pattern, key)) continue;
    const v = ks.lookup(db, key, false);
    if (v === undefined) continue;
    if (o.type !== null && typeOf(v) !== (o.type.toLowerCase() as TypeName)) continue;
    out.push(key);
  }
  c.reply.arrayHeader(2);
  c.reply.bulk(done ? '0' : cursors.park(dict, it));
  c.reply.arrayOfBulks(out);
}

// -------------------------------------------------------------------------------------------
// TTLs
// -------------------------------------------------------------------------------------------

interface ExpireFlags {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
}

/** parseExtendedExpireArgumentsOrReply. */
function parseExpireFlags(c: Client, argv: string[]): ExpireFlags | null {
  const f: ExpireFlags = { nx: false, xx: false, gt: false, lt: false };
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    if (opt === 'nx' || opt === 'xx' || opt === 'gt' || opt === 'lt') f[opt] = true;
    else {
      c.reply.error(`ERR Unsupported option ${argv[j]}`);
      return null;
    }
  }
  if (f.nx && (f.xx || f.gt || f.lt)) {
    c.reply.error('ERR NX and XX, GT or LT options at the same time are not compatible');
    return null;
  }
  if (f.gt && f.lt) {
    c.reply.error('ERR GT and LT options at the same time are not compatible');
    return null;
  }
  return f;
}

/** expireGenericCommand: `relative` adds the current time; `seconds` scales by 1000. */
function expireCommand(relative: boolean, seconds: boolean, name: string) {
  return (c: Client, argv: string[]): void => {
    const f = parseExpireFlags(c, argv);
    if (f === null) return;
    const arg = parseStrictInt64(argv[2]);
    if (arg === null) {
      c.reply.error(ERR_NOT_INTEGER);
      return;
    }
    const ks = c.server.keyspace;
    let when = arg;
    if (seconds) {
      if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) {
        c.reply.error(`ERR invalid expire time in '${name}' command`);
        return;
      }
      when *= 1000n;
    }
    const base = relative ? BigInt(ks.now) : 0n;
    if (when > INT64_MAX - base) {
      c.reply.error(`ERR invalid expire time in '${name}' command`);
      return;
    }
    when += base;
    const key = argv[1];
    if (ks.lookup(c.db, key) === undefined) {
      c.reply.int(0);
      return;
    }
    const whenMs = Number(when);
    const current = ks.getExpire(c.db, key);
    const refused =
      (f.nx && current !== -1) ||
      (f.xx && current === -1) ||
      (f.gt && (current === -1 || whenMs <= current)) ||
      (f.lt && current !== -1 && whenMs >= current);
    if (refused) {
      c.reply.int(0);
      return;
    }
    c.server.dirty++;
    if (alreadyExpired(c, whenMs)) {
      ks.delete(c.db, key);
      notifyKeyspaceEvent(c.server, NOTIFY.GENERIC, 'del', key, c.db.id);
      c.propagateArgv = [c.server.config.bool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key];
    } else {
      ks.setExpire(c.db, key, whenMs);
      notifyKeyspaceEvent(c.server, NOTIFY.GENERIC, 'expire', key, c.db.id);
      c.propagateArgv = ['PEXPIREAT', key, String(when), ...argv.slice(3)];
    }
    c.reply.int(1);
  };
}

/** ttlGenericCommand: remaining (or absolute) time in ms or rounded seconds; -2 missing, -1 none. */
function ttlCommand(ms: boolean, absolute: boolean) {
  return (c: Client, argv: string[]): void => {
    const ks = c.server.keyspace;
    if (ks.lookupRead(c.db, argv[1], false) === undefined) {
      c.reply.int(-2);
      return;
    }
    const expire = ks.getExpire(c.db, argv[1]);
    if (expire === -1) {
      c.reply.int(-1);
      return;
    }
    const t = Math.max(absolute ? expire : expire - ks.now, 0);
    c.reply.int(ms ? t : Math.floor((t + 500) / 1000));
  };
}

function persist(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  if (ks.lookup(c.db, argv[1]) !== undefined && ks.persist(c.db, argv[1])) {
    notifyKeyspaceEvent(c.server, NOTIFY.GENERIC, 'persist', argv[1], c.db.id);
    c.server.dirty++;
    c.reply.int(1);
  } else {
    c.reply.int(0);
  }
}

// -------------------------------------------------------------------------------------------
// Definitions (flags, key specs and categories as Redis 7.0's COMMAND INFO shows them)
// -------------------------------------------------------------------------------------------

/** A generic command whose only key is its first argument. */
export const KEY1 = { firstKey: 1, lastKey: 1, step: 1, categories: ['keyspace'], group: 'generic' };
const KEYS_ALL = { firstKey: 1, lastKey: -1, step: 1, categories: ['keyspace'], group: 'generic' };
const KEY12 = { firstKey: 1, lastKey: 2, step: 1, categories: ['keyspace'], group: 'generic' };
const MULTI_SUM = ['request_policy:multi_shard', 'response_policy:agg_sum'];

export const KEY_COMMANDS: CommandSpec[] = [
  command({ name: 'del', arity: -2, flags: ['write'], ...KEYS_ALL, summary: 'Delete a key', since: '1.0.0', complexity: 'O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).', tips: MULTI_SUM, handler: del }),
  command({ name: 'unlink', arity: -2, flags: ['write', 'fast'], ...KEYS_ALL, summary: 'Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.', since: '4.0.0', complexity: 'O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.', tips: MULTI_SUM, handler: del }),
  command({ name: 'exists', arity: -2, flags: ['readonly', 'fast'], ...KEYS_ALL, summary: 'Determine if a key exists', since: '1.0.0', complexity: 'O(N) where N is the number of keys to check.', tips: MULTI_SUM, handler: exists }),
  command({ name: 'touch', arity: -2, flags: ['readonly', 'fast'], ...KEYS_ALL, summary: 'Alters the last access time of a key(s). Returns the number of existing keys specified.', since: '3.2.1', complexity: 'O(N) where N is the number of keys that will be touched.', tips: MULTI_SUM, handler: touch }),
  command({ name: 'type', arity: 2, flags: ['readonly', 'fast'], ...KEY1, summary: 'Determine the type stored at key', since: '1.0.0', complexity: 'O(1)', handler: type }),
  command({ name: 'rename', arity: 3, flags: ['write'], ...KEY12, summary: 'Rename a key', since: '1.0.0', complexity: 'O(1)', handler: (c, a) => renameGeneric(c, a, false) }),
  command({ name: 'renamenx', arity: 3, flags: ['write', 'fast'], ...KEY12, summary: 'Rename a key, only if the new key does not exist', since: '1.0.0', complexity: 'O(1)', handler: (c, a) => renameGeneric(c, a, true) }),
  command({ name: 'copy', arity: -3, flags: ['write', 'denyoom'], ...KEY12, summary: 'Copy a key', since: '6.2.0', complexity: 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.', handler: copy }),
  command({ name: 'keys', arity: 2, flags: ['readonly'], categories: ['keyspace', 'dangerous'], group: 'generic', summary: 'Find all keys matching the given pattern', since: '1.0.0', complexity: 'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.', tips: ['request_policy:all_shards', 'nondeterministic_output_order'], handler: keys }),
  command({ name: 'scan', arity: -2, flags: ['readonly'], categories: ['keyspace'], group: 'generic', summary: 'Incrementally iterate the keys space', since: '2.8.0', complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.', tips: ['nondeterministic_output', 'request_policy:special'], handler: scan }),
  command({ name: 'randomkey', arity: 1, flags: ['readonly'], categories: ['keyspace'], group: 'generic', summary: 'Return a random key from the keyspace', since: '1.0.0', complexity: 'O(1)', tips: ['request_policy:all_shards', 'nondeterministic_output'], handler: randomkey }),
  command({ name: 'expire', arity: -3, flags: ['write', 'fast'], ...KEY1, summary: 'Set a key\'s time to live in seconds', since: '1.0.0', complexity: 'O(1)', handler: expireCommand(true, true, 'expire') }),
  command({ name: 'pexpire', arity: -3, flags: ['write', 'fast'], ...KEY1, summary: 'Set a key\'s time to live in milliseconds', since: '2.6.0', complexity: 'O(1)', handler: expireCommand(true, false, 'pexpire') }),
  command({ name: 'expireat', arity: -3, flags: ['write', 'fast'], ...KEY1, summary: 'Set the expiration for a key as a UNIX timestamp', since: '1.2.0', complexity: 'O(1)', handler: expireCommand(false, true, 'expireat') }),
  command({ name: 'pexpireat', arity: -3, flags: ['write', 'fast'], ...KEY1, summary: 'Set the expiration for a key as a UNIX timestamp specified in milliseconds', since: '2.6.0', complexity: 'O(1)', handler: expireCommand(false, false, 'pexpireat') }),
  command({ name: 'ttl', arity: 2, flags: ['readonly', 'fast'], ...KEY1, summary: 'Get the time to live for a key in seconds', since: '1.0.0', complexity: 'O(1)', tips: ['nondeterministic_output'], handler: ttlCommand(false, false) }),
  command({ name: 'pttl', arity: 2, flags: ['readonly', 'fast'], ...KEY1, summary: 'Get the time to live for a key in milliseconds', since: '2.6.0', complexity: 'O(1)', tips: ['nondeterministic_output'], handler: ttlCommand(true, false) }),
  command({ name: 'expiretime', arity: 2, flags: ['readonly', 'fast'], ...KEY1, summary: 'Get the expiration Unix timestamp for a key', since: '7.0.0', complexity: 'O(1)', handler: ttlCommand(false, true) }),
  command({ name: 'pexpiretime', arity: 2, flags: ['readonly', 'fast'], ...KEY1, summary: 'Get the expiration Unix timestamp for a key in milliseconds', since: '7.0.0', complexity: 'O(1)', handler: ttlCommand(true, true) }),
  command({ name: 'persist', arity: 2, flags: ['write', 'fast'], ...KEY1, summary: 'Remove the expiration from a key', since: '2.2.0', complexity: 'O(1)', handler: persist }),
];
