// Lookups and encoding rules shared by the list, hash, set, sorted-set and SORT commands.
//
// Typed lookups reply WRONGTYPE themselves and return null, so handlers read
//   const h = lookupRead(c, key, HashValue); if (h === null) return;
// Encodings follow Redis 7.0: a value starts compact (listpack / intset) and moves to the big
// encoding, never back, once a *-max-* limit from the config is passed. Also here: the
// "changed in place / store a result" steps that delete emptied keys and publish keyspace
// events, argument parsers for C `long` counts, random picks, and HSCAN/SSCAN/ZSCAN.

import type { Client } from '../server/client';
import type { Database } from '../keyspace/keyspace';
import type { Server } from '../server/server';
import { NOTIFY, notifyKeyspaceEvent } from '../pubsub/notify';
import { HashValue, ListValue, SetValue, ZSetValue } from '../keyspace/values';
import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE, parseInt64 } from './args';
import { globMatch } from '../keyspace/glob';
import { Sampled, samplerOf } from '../keyspace/sampler';
import { parseScanOptions, scanCursorArg, scanCursors } from './keys';
import type { Config, LiveValue } from '../config/config';

type Aggregate = ListValue | HashValue | SetValue | ZSetValue;
type AggregateClass<T extends Aggregate> = new () => T;

/** A typed value for a reading command (counts hits/misses); null after replying WRONGTYPE. */
export function lookupRead<T extends Aggregate>(c: Client, key: string, kind: AggregateClass<T>): T | undefined | null {
  const v = c.server.keyspace.lookupRead(c.db, key);
  if (v === undefined || v instanceof kind) return v;
  c.reply.error(ERR_WRONGTYPE);
  return null;
}

/** A typed value for a writing command; null after replying WRONGTYPE. */
export function lookupWrite<T extends Aggregate>(c: Client, key: string, kind: AggregateClass<T>): T | undefined | null {
  const v = c.server.keyspace.lookup(c.db, key);
  if (v === undefined || v instanceof kind) return v;
  c.reply.error(ERR_WRONGTYPE);
  return null;
}

/** Like lookupWrite but without replying: whether the key holds another type. */
export function isWrongType(c: Client, key: string, kind: AggregateClass<Aggregate>): boolean {
  const v = c.server.keyspace.lookup(c.db, key);
  return v !== undefined && !(v instanceof kind);
}

/** Publishes a keyspace event (notify-keyspace-events) about a key of the client's database. */
export function notify(c: Client, type: number, event: string, key: string): void {
  notifyKeyspaceEvent(c.server, type, event, key, c.db.id);
}

/**
 * After an aggregate changed in place: publishes `event`, then deletes the key when it became
 * empty (Redis never keeps empty aggregates; that also publishes "del") or tells the keyspace it
 * was modified. Returns whether the key was deleted.
 */
export function changedInPlace(server: Server, db: Database, key: string, value: Aggregate, type: number, event: string): boolean {
  notifyKeyspaceEvent(server, type, event, key, db.id);
  if (value.size === 0) {
    server.keyspace.delete(db, key);
    notifyKeyspaceEvent(server, NOTIFY.GENERIC, 'del', key, db.id);
    return true;
  }
  server.keyspace.modified(db, key);
  return false;
}

/** changedInPlace for a key of the client's database. */
export function afterChange(c: Client, key: string, value: Aggregate, type: number, event: string): boolean {
  return changedInPlace(c.server, c.db, key, value, type, event);
}

/**
 * Stores a freshly built aggregate (the *STORE commands), or deletes the destination when the
 * result is empty, with their events. Returns whether the dataset changed.
 */
export function storeResult(c: Client, key: string, value: Aggregate, type: number, event: string): boolean {
  if (value.size === 0) {
    if (!c.server.keyspace.delete(c.db, key)) return false;
    notify(c, NOTIFY.GENERIC, 'del', key);
    return true;
  }
  c.server.keyspace.set(c.db, key, value);
  notify(c, type, event, key);
  return true;
}

/**
 * The *-max-listpack-* / set-max-intset-entries limits as live config holders (kept current by
 * every CONFIG SET), for the encoding checks that run on every HSET/ZADD/SADD: a config.int()
 * is a Map lookup, two per HSET (~2% of HSET -P 16 busy time). Kept for the last Config asked
 * about, so a process holding several servers (the tests) still reads each one's own values.
 */
interface EncodingLimits {
  hashEntries: LiveValue;
  hashValue: LiveValue;
  setIntsetEntries: LiveValue;
  zsetEntries: LiveValue;
  zsetValue: LiveValue;
}

let limitsConfig: Config | null = null;
let limits: EncodingLimits | null = null;

function limitsOf(c: Client): EncodingLimits {
  const config = c.server.config;
  if (config !== limitsConfig || limits === null) {
    limits = {
      hashEntries: config.live('hash-max-listpack-entries'),
      hashValue: config.live('hash-max-listpack-value'),
      setIntsetEntries: config.live('set-max-intset-entries'),
      zsetEntries: config.live('zset-max-listpack-entries'),
      zsetValue: config.live('zset-max-listpack-value'),
    };
    limitsConfig = config;
  }
  return limits;
}

/** Whether a member can live in an intset: a strict 64-bit integer, as string2ll accepts. */
export function isIntsetMember(s: string): boolean {
  return s.length <= 20 && parseInt64(s) !== null;
}

/** Adds a set member, moving intset -> hashtable as SADD does; returns true when it was new. */
export function setAdd(c: Client, s: SetValue, member: string): boolean {
  // The size tells a new member apart: one hash lookup, not has() then add().
  const sizeBefore = s.set.size;
  s.set.add(member);
  if (s.set.size === sizeBefore) return false;
  if (s.sampler !== null) s.sampler.added(member);
  if (s.encoding === 'intset' && (!isIntsetMember(member) || s.set.size > (limitsOf(c).setIntsetEntries.value as number))) s.encoding = 'hashtable';
  return true;
}

/** A new empty set with the encoding Redis would create for its first member. */
export function newSetFor(firstMember: string): SetValue {
  const s = new SetValue();
  if (!isIntsetMember(firstMember)) s.encoding = 'hashtable';
  return s;
}

/** Sets a hash field, moving listpack -> hashtable on a long field/value or too many entries. */
export function hashSet(c: Client, h: HashValue, field: string, value: string): boolean {
  // The size tells a new field apart: one hash lookup, not has() then set().
  const sizeBefore = h.map.size;
  h.map.set(field, value);
  const isNew = h.map.size !== sizeBefore;
  if (isNew && h.sampler !== null) h.sampler.added(field);
  if (h.encoding === 'listpack') {
    const lim = limitsOf(c);
    const maxValue = lim.hashValue.value as number;
    if (field.length > maxValue || value.length > maxValue || h.map.size > (lim.hashEntries.value as number)) h.encoding = 'hashtable';
  }
  return isNew;
}

/** A new empty sorted set with the encoding ZADD would create for a first member. */
export function newZSetFor(c: Client, firstMember: string): ZSetValue {
  const z = new ZSetValue();
  const lim = limitsOf(c);
  if (lim.zsetEntries.value === 0 || firstMember.length > (lim.zsetValue.value as number)) z.encoding = 'skiplist';
  return z;
}

/** Adds or updates a sorted-set member, moving listpack -> skiplist as zsetAdd does. */
export function zsetAdd(c: Client, z: ZSetValue, member: string, score: number): boolean {
  // Redis converts before inserting a member that would not fit, so the new member already
  // lands in the skiplist; a listpack stores -0 as the integer 0 and reads it back as 0.
  if (z.encoding === 'listpack' && !z.zset.has(member)) {
    const lim = limitsOf(c);
    if (z.zset.size + 1 > (lim.zsetEntries.value as number) || member.length > (lim.zsetValue.value as number)) z.encoding = 'skiplist';
  }
  return z.zset.add(member, z.encoding === 'listpack' && score === 0 ? 0 : score);
}

/** The encoding a sorted set built by a *STORE command ends with (zsetConvertToListpackIfNeeded). */
export function settleZSetEncoding(c: Client, z: ZSetValue): void {
  let maxLen = 0;
  for (const [m] of z.zset.entries()) if (m.length > maxLen) maxLen = m.length;
  const lim = limitsOf(c);
  z.encoding = z.size <= (lim.zsetEntries.value as number) && maxLen <= (lim.zsetValue.value as number) ? 'listpack' : 'skiplist';
  if (z.encoding !== 'listpack') return;
  for (const [m, s] of [...z.zset.entries()]) {
    if (Object.is(s, -0)) {
      z.zset.remove(m);
      z.zset.add(m, 0);
    }
  }
}

/**
 * Replies `count` bulk strings under a ready-made aggregate header ("*3" or "~3") as one string:
 * one copy into the reply buffer instead of one per element, ~2.5x cheaper for the short
 * elements of LRANGE/HGETALL/SMEMBERS replies.
 */
export function replyBulks(c: Client, header: string, items: Iterable<string>): void {
  let out = header + '\r\n';
  for (const e of items) out += '$' + e.length + '\r\n' + e + '\r\n';
  c.reply.raw(out);
}

/** Random integer in [0, n). */
export function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}

/** A sequence that knows its length up front (a reply header needs it before the items). */
export interface Sized<T> extends Iterable<T> {
  readonly length: number;
}

/**
 * `count` distinct (count > 0) or possibly repeated (count < 0) random picks from `items`, as
 * HRANDFIELD/SRANDMEMBER/ZRANDMEMBER: a positive count at least the size returns everything in
 * the collection's order. Repeated picks are drawn lazily, so a huge negative count costs no
 * array of its own.
 */
export function randomPicks<T>(items: T[], count: number): Sized<T> {
  if (count < 0) {
    return {
      length: -count,
      *[Symbol.iterator]() {
        for (let i = 0; i < -count; i++) yield items[randomIndex(items.length)];
      },
    };
  }
  if (count >= items.length) return items;
  const pool = items.slice();
  for (let i = 0; i < count; i++) {
    const j = i + randomIndex(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}

/**
 * One random member of a non-empty Set (or key of a Map): O(1) through the owner's sampler once
 * the collection is big, else a walk. `take`: the caller removes it (SPOP), so the sampler
 * forgets it too.
 */
export function randomMember<K>(owner: Sampled<K>, source: Set<K> | Map<K, unknown>, take = false): K {
  const sampler = samplerOf(owner, source);
  return sampler === null ? randomElement(source.keys(), source.size) : sampler.pick((m) => source.has(m), take)!;
}

/**
 * `count` distinct random members (count > 0) or |count| with repeats (count < 0), drawn one by
 * one through the sampler in O(|count|) when that is few next to the size (|count| * 3 <= size,
 * Redis's threshold for drawing rather than copying); null otherwise, for randomPicks over a copy.
 */
export function fewRandomMembers<K>(owner: Sampled<K>, source: Set<K> | Map<K, unknown>, count: number, take = false): K[] | null {
  const n = Math.abs(count);
  if (n * 3 > source.size) return null;
  const sampler = samplerOf(owner, source);
  if (sampler === null) return null;
  const live = (m: K): boolean => source.has(m);
  if (count < 0) return Array.from({ length: n }, () => sampler.pick(live)!);
  const chosen = new Set<K>();
  // With `take` a chosen member is gone for the sampler too; otherwise a repeat is just drawn again.
  const eligible = take ? (m: K): boolean => live(m) && !chosen.has(m) : live;
  while (chosen.size < n) chosen.add(sampler.pick(eligible, take)!);
  return [...chosen];
}

/** One random element of a non-empty collection, without copying it. */
export function randomElement<T>(items: Iterable<T>, size: number): T {
  let skip = randomIndex(size);
  for (const x of items) if (skip-- === 0) return x;
  throw new Error('randomElement: size larger than the collection');
}

/**
 * A C `long` argument (getLongFromObjectOrReply): any int64, as a JS number (indexes and counts
 * beyond 2^53 only ever get clamped, so the lost precision does not matter); null after replying.
 */
export function longArg(c: Client, s: string, err = ERR_NOT_INTEGER): number | null {
  const v = parseInt64(s);
  if (v === null) {
    c.reply.error(err);
    return null;
  }
  return Number(v);
}

/** A count that must be >= 0 (getPositiveLongFromObjectOrReply); null after replying `err`. */
export function nonNegativeArg(c: Client, s: string, err: string): number | null {
  const v = parseInt64(s);
  if (v === null || v < 0n) {
    c.reply.error(err);
    return null;
  }
  return Number(v);
}

/** popCountArg's "no count given" (the commands then reply one element, not an array). */
export const NO_COUNT = -1;

/** NO_COUNT or the count of LPOP/RPOP/ZPOPMIN/ZPOPMAX `key [count]`; null after replying its error. */
export function popCountArg(c: Client, argv: string[]): number | null {
  return argv.length === 3 ? nonNegativeArg(c, argv[2], 'ERR value is out of range, must be positive') : NO_COUNT;
}

/** A count in [1, LONG_MAX] (getRangeLongFromObjectOrReply with a message); null after replying. */
export function positiveArg(c: Client, s: string, err: string): number | null {
  const v = parseInt64(s);
  if (v === null || v < 1n) {
    c.reply.error(err);
    return null;
  }
  return Number(v);
}

/** Parsed `numkeys key... <where> [COUNT n]` of LMPOP / ZMPOP (and their blocking forms). */
export interface MultiPopArgs<W> {
  keys: string[];
  where: W;
  count: number;
}

/**
 * Parses `numkeys key... <where> [COUNT n]` starting at the numkeys index, with `whereArg`
 * reading the direction (LEFT|RIGHT, MIN|MAX); null after replying the error.
 */
export function parseMultiPopArgs<W>(c: Client, argv: string[], numkeysIndex: number, whereArg: (c: Client, s: string) => W | null): MultiPopArgs<W> | null {
  const numkeys = positiveArg(c, argv[numkeysIndex], 'ERR numkeys should be greater than 0');
  if (numkeys === null) return null;
  const whereIndex = numkeysIndex + numkeys + 1;
  if (whereIndex >= argv.length) {
    c.reply.error(ERR_SYNTAX);
    return null;
  }
  const where = whereArg(c, argv[whereIndex]);
  if (where === null) return null;
  let count = -1;
  for (let j = whereIndex + 1; j < argv.length; j++) {
    if (count === -1 && argv[j].toLowerCase() === 'count' && j + 1 < argv.length) {
      const n = positiveArg(c, argv[++j], 'ERR count should be greater than 0');
      if (n === null) return null;
      count = n;
    } else {
      c.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return { keys: argv.slice(numkeysIndex + 1, whereIndex), where, count: count === -1 ? 1 : count };
}

/**
 * The pop of LMPOP / ZMPOP (and of BLMPOP / BZMPOP when they need not block): `pop` pops from the
 * first of `keys` that holds a `kind` value, replying [key, popped] and setting the propagated
 * effect. False when every key was missing (nothing replied), null after replying WRONGTYPE.
 */
export function popFromFirstExisting<T extends Aggregate>(c: Client, keys: string[], kind: AggregateClass<T>, pop: (key: string, value: T) => void): boolean | null {
  for (const key of keys) {
    const value = lookupWrite(c, key, kind);
    if (value === null) return null;
    if (value === undefined) continue;
    pop(key, value);
    return true;
  }
  return false;
}

/** LMPOP / ZMPOP: parse, then pop from the first non-empty key, or reply a null array. */
export function multiPop<A extends MultiPopArgs<unknown>>(c: Client, argv: string[], parse: (c: Client, argv: string[], numkeysIndex: number) => A | null, popFirst: (c: Client, args: A) => boolean | null): void {
  const args = parse(c, argv, 1);
  if (args === null) return;
  if (popFirst(c, args) === false) c.reply.nullArray();
}

/** Key positions of `numkeys key...` commands (LMPOP, ZUNION, SINTERCARD, ...). */
export function numkeysKeys(argv: string[], numkeysIndex: number): number[] {
  const n = Number(argv[numkeysIndex]);
  const keys: number[] = [];
  if (!Number.isInteger(n) || n < 1) return keys;
  for (let i = 0; i < n && numkeysIndex + 1 + i < argv.length; i++) keys.push(numkeysIndex + 1 + i);
  return keys;
}

/**
 * The HSCAN/SSCAN/ZSCAN reply for one aggregate. Each item is [name, ...reply strings]; MATCH
 * tests the name. Compact encodings (listpack, intset) return everything at once with cursor 0,
 * as Redis does; big ones resume a parked live iterator (see SCAN in keys.ts).
 */
export function scanAggregate(c: Client, argv: string[], cursor: string, owner: object, compact: boolean, items: () => Iterator<string[]>): void {
  const o = parseScanOptions(c, argv, 3, false);
  if (o === null) return;
  const cursors = scanCursors(c.server);
  const it = compact ? items() : cursors.resume(cursor, owner, items);
  const out: string[] = [];
  let done = false;
  for (let n = 0; compact || n < o.count; n++) {
    const r = it.next();
    if (r.done) {
      done = true;
      break;
    }
    if (o.pattern !== null && !globMatch(o.pattern, r.value[0])) continue;
    for (let i = 0; i < r.value.length; i++) out.push(r.value[i]);
  }
  c.reply.arrayHeader(2);
  c.reply.bulk(done ? '0' : cursors.park(owner, it));
  c.reply.arrayOfBulks(out);
}

/**
 * Parses a *SCAN cursor and looks the key up (options are parsed later, so a missing key never
 * reports them, as in Redis); [aggregate, cursor], or null when already replied.
 */
export function scanTarget<T extends Aggregate>(c: Client, argv: string[], kind: AggregateClass<T>): [T, string] | null {
  const cursor = scanCursorArg(c, argv[2]);
  if (cursor === null) return null;
  const v = lookupRead(c, argv[1], kind);
  if (v === null) return null;
  if (v === undefined) {
    c.reply.arrayHeader(2);
    c.reply.bulk('0');
    c.reply.arrayHeader(0);
    return null;
  }
  return [v, cursor];
}
