// Hash commands (HSET ... HSCAN). A hash is a Map from field to value (both latin1 strings); its
// insertion order is the order Redis's listpack encoding returns fields in. HINCRBYFLOAT adds in
// emulated long double (strings.ts), as Redis does, so its text matches byte for byte.

import { command, CommandSpec } from './command';
import { ERR_NOT_INTEGER, ERR_SYNTAX, parseInt64 } from './args';
import type { Client } from '../server/client';
import { HashValue } from '../keyspace/values';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from './strings';
import { NOTIFY } from '../pubsub/notify';
import { afterChange, hashSet, notify, longArg, lookupRead, lookupWrite, fewRandomMembers, randomMember, randomPicks, replyBulks, scanAggregate, scanTarget, Sized } from './type-helpers';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * Stores a created hash or signals an in-place change, and publishes `event`. Writers look the
 * hash up with lookupWrite and create it, unstored, when missing (`found` undefined): no
 * { hash, created } object per write.
 */
function commit(c: Client, key: string, h: HashValue, found: HashValue | undefined, event: string): void {
  const created = found === undefined;
  if (created) c.server.keyspace.set(c.db, key, h);
  else c.server.keyspace.modified(c.db, key);
  notify(c, NOTIFY.HASH, event, key);
}

function setPairs(c: Client, argv: string[]): number | null {
  if (argv.length % 2 === 1) {
    c.reply.error(`ERR wrong number of arguments for '${argv[0].toLowerCase()}' command`);
    return null;
  }
  const found = lookupWrite(c, argv[1], HashValue);
  if (found === null) return null;
  const h = found ?? new HashValue();
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (hashSet(c, h, argv[i], argv[i + 1])) created++;
  commit(c, argv[1], h, found, 'hset');
  c.server.dirty += (argv.length - 2) / 2;
  return created;
}

function hset(c: Client, argv: string[]): void {
  const created = setPairs(c, argv);
  if (created !== null) c.reply.int(created);
}

function hmset(c: Client, argv: string[]): void {
  if (setPairs(c, argv) !== null) c.reply.ok();
}

function hsetnx(c: Client, argv: string[]): void {
  const found = lookupWrite(c, argv[1], HashValue);
  if (found === null) return;
  const h = found ?? new HashValue();
  if (h.map.has(argv[2])) {
    c.reply.int(0);
    return;
  }
  hashSet(c, h, argv[2], argv[3]);
  commit(c, argv[1], h, found, 'hset');
  c.server.dirty++;
  c.reply.int(1);
}

function hget(c: Client, argv: string[]): void {
  const h = lookupRead(c, argv[1], HashValue);
  if (h === null) return;
  c.reply.bulkOrNull(h?.map.get(argv[2]));
}

function hmget(c: Client, argv: string[]): void {
  const h = lookupRead(c, argv[1], HashValue);
  if (h === null) return;
  c.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.bulkOrNull(h?.map.get(argv[i]));
}

function hdel(c: Client, argv: string[]): void {
  const h = lookupWrite(c, argv[1], HashValue);
  if (h === null) return;
  let deleted = 0;
  if (h !== undefined) {
    for (let i = 2; i < argv.length; i++) {
      if (h.map.delete(argv[i])) deleted++;
      if (h.size === 0) break;
    }
    if (deleted > 0) afterChange(c, argv[1], h, NOTIFY.HASH, 'hdel');
  }
  c.server.dirty += deleted;
  c.reply.int(deleted);
}

function hlen(c: Client, argv: string[]): void {
  const h = lookupRead(c, argv[1], HashValue);
  if (h === null) return;
  c.reply.int(h?.size ?? 0);
}

function hstrlen(c: Client, argv: string[]): void {
  const h = lookupRead(c, argv[1], HashValue);
  if (h === null) return;
  c.reply.int(h?.map.get(argv[2])?.length ?? 0);
}

function hexists(c: Client, argv: string[]): void {
  const h = lookupRead(c, argv[1], HashValue);
  if (h === null) return;
  c.reply.int(h?.map.has(argv[2]) ? 1 : 0);
}

function hkeys(c: Client, argv: string[]): void {
  const h = lookupRead(c, argv[1], HashValue);
  if (h === null) return;
  replyBulks(c, '*' + (h?.size ?? 0), h?.map.keys() ?? []);
}

function hvals(c: Client, argv: string[]): void {
  const h = lookupRead(c, argv[1], HashValue);
  if (h === null) return;
  replyBulks(c, '*' + (h?.size ?? 0), h?.map.values() ?? []);
}

function hgetall(c: Client, argv: string[]): void {
  const h = lookupRead(c, argv[1], HashValue);
  if (h === null) return;
  const n = h?.size ?? 0;
  const flat: string[] = [];
  if (h !== undefined) for (const [f, v] of h.map) flat.push(f, v);
  replyBulks(c, c.resp === 3 ? '%' + n : '*' + n * 2, flat);
}

function hincrby(c: Client, argv: string[]): void {
  const incr = parseInt64(argv[3]);
  if (incr === null) {
    c.reply.error(ERR_NOT_INTEGER);
    return;
  }
  const found = lookupWrite(c, argv[1], HashValue);
  if (found === null) return;
  const h = found ?? new HashValue();
  const cur = h.map.get(argv[2]);
  let value = 0n;
  if (cur !== undefined) {
    const v = parseInt64(cur);
    if (v === null) {
      c.reply.error('ERR hash value is not an integer');
      return;
    }
    value = v;
  }
  const result = value + incr;
  if (result > INT64_MAX || result < INT64_MIN) {
    c.reply.error('ERR increment or decrement would overflow');
    return;
  }
  hashSet(c, h, argv[2], String(result));
  commit(c, argv[1], h, found, 'hincrby');
  c.server.dirty++;
  c.reply.int(result);
}

function hincrbyfloat(c: Client, argv: string[]): void {
  const incr = parseLongDouble(argv[3]);
  if (incr === null) {
    c.reply.error('ERR value is not a valid float');
    return;
  }
  // LongDouble marks an infinity with m = -1.
  if (incr.m < 0n) {
    c.reply.error('ERR value is NaN or Infinity');
    return;
  }
  const found = lookupWrite(c, argv[1], HashValue);
  if (found === null) return;
  const h = found ?? new HashValue();
  const cur = h.map.get(argv[2]);
  const value = cur === undefined ? incr : parseLongDouble(cur);
  if (value === null) {
    c.reply.error('ERR hash value is not a float');
    return;
  }
  const result = cur === undefined ? incr : addLongDouble(value, incr);
  if (result === null) {
    c.reply.error('ERR increment would produce NaN or Infinity');
    return;
  }
  const text = formatLongDoubleHuman(result);
  hashSet(c, h, argv[2], text);
  commit(c, argv[1], h, found, 'hincrbyfloat');
  c.server.dirty++;
  // Propagated as the resulting value so replicas never redo float arithmetic.
  c.propagateArgv = ['HSET', argv[1], argv[2], text];
  c.reply.bulk(text);
}

/** Replies field(s) with or without values: RESP3 nests each pair, RESP2 flattens. */
function replyFields(c: Client, pairs: Sized<[string, string]>, withValues: boolean): void {
  if (!withValues) {
    c.reply.arrayHeader(pairs.length);
    for (const [f] of pairs) c.reply.bulk(f);
    return;
  }
  c.reply.arrayHeader(c.resp === 3 ? pairs.length : pairs.length * 2);
  for (const [f, v] of pairs) {
    if (c.resp === 3) c.reply.arrayHeader(2);
    c.reply.bulk(f);
    c.reply.bulk(v);
  }
}

function hrandfield(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    const h = lookupRead(c, argv[1], HashValue);
    if (h === null) return;
    if (h === undefined) {
      c.reply.nullBulk();
      return;
    }
    c.reply.bulk(randomMember(h, h.map));
    return;
  }
  const count = longArg(c, argv[2]);
  if (count === null) return;
  if (argv.length > 4 || (argv.length === 4 && argv[3].toLowerCase() !== 'withvalues')) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  const withValues = argv.length === 4;
  if (withValues && Math.abs(count) > Number.MAX_SAFE_INTEGER / 2) {
    c.reply.error('ERR value is out of range');
    return;
  }
  const h = lookupRead(c, argv[1], HashValue);
  if (h === null) return;
  if (h === undefined || count === 0) {
    c.reply.arrayHeader(0);
    return;
  }
  const few = fewRandomMembers(h, h.map, count);
  replyFields(c, few !== null ? few.map((f) => [f, h.map.get(f)!] as [string, string]) : randomPicks([...h.map], count), withValues);
}

function hscan(c: Client, argv: string[]): void {
  const t = scanTarget(c, argv, HashValue);
  if (t === null) return;
  const [h, cursor] = t;
  scanAggregate(c, argv, cursor, h.map, h.encoding === 'listpack', () => h.map.entries());
}

const W = { firstKey: 1, lastKey: 1, step: 1, categories: ['hash'], group: 'hash' };

export const HASH_COMMANDS: CommandSpec[] = [
  command({ name: 'hset', arity: -4, flags: ['write', 'denyoom', 'fast'], ...W, summary: 'Set the string value of a hash field', since: '2.0.0', complexity: 'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.', handler: hset }),
  command({ name: 'hsetnx', arity: 4, flags: ['write', 'denyoom', 'fast'], ...W, summary: 'Set the value of a hash field, only if the field does not exist', since: '2.0.0', complexity: 'O(1)', handler: hsetnx }),
  command({ name: 'hget', arity: 3, flags: ['readonly', 'fast'], ...W, summary: 'Get the value of a hash field', since: '2.0.0', complexity: 'O(1)', handler: hget }),
  command({ name: 'hmget', arity: -3, flags: ['readonly', 'fast'], ...W, summary: 'Get the values of all the given hash fields', since: '2.0.0', complexity: 'O(N) where N is the number of fields being requested.', handler: hmget }),
  command({ name: 'hmset', arity: -4, flags: ['write', 'denyoom', 'fast'], ...W, summary: 'Set multiple hash fields to multiple values', since: '2.0.0', complexity: 'O(N) where N is the number of fields being set.', handler: hmset }),
  command({ name: 'hdel', arity: -3, flags: ['write', 'fast'], ...W, summary: 'Delete one or more hash fields', since: '2.0.0', complexity: 'O(N) where N is the number of fields to be removed.', handler: hdel }),
  command({ name: 'hlen', arity: 2, flags: ['readonly', 'fast'], ...W, summary: 'Get the number of fields in a hash', since: '2.0.0', complexity: 'O(1)', handler: hlen }),
  command({ name: 'hstrlen', arity: 3, flags: ['readonly', 'fast'], ...W, summary: 'Get the length of the value of a hash field', since: '3.2.0', complexity: 'O(1)', handler: hstrlen }),
  command({ name: 'hexists', arity: 3, flags: ['readonly', 'fast'], ...W, summary: 'Determine if a hash field exists', since: '2.0.0', complexity: 'O(1)', handler: hexists }),
  command({ name: 'hkeys', arity: 2, flags: ['readonly'], ...W, summary: 'Get all the fields in a hash', since: '2.0.0', complexity: 'O(N) where N is the size of the hash.', tips: ['nondeterministic_output_order'], handler: hkeys }),
  command({ name: 'hvals', arity: 2, flags: ['readonly'], ...W, summary: 'Get all the values in a hash', since: '2.0.0', complexity: 'O(N) where N is the size of the hash.', tips: ['nondeterministic_output_order'], handler: hvals }),
  command({ name: 'hgetall', arity: 2, flags: ['readonly'], ...W, summary: 'Get all the fields and values in a hash', since: '2.0.0', complexity: 'O(N) where N is the size of the hash.', tips: ['nondeterministic_output_order'], handler: hgetall }),
  command({ name: 'hincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], ...W, summary: 'Increment the integer value of a hash field by the given number', since: '2.0.0', complexity: 'O(1)', handler: hincrby }),
  command({ name: 'hincrbyfloat', arity: 4, flags: ['write', 'denyoom', 'fast'], ...W, summary: 'Increment the float value of a hash field by the given amount', since: '2.6.0', complexity: 'O(1)', handler: hincrbyfloat }),
  command({ name: 'hrandfield', arity: -2, flags: ['readonly'], ...W, summary: 'Get one or multiple random fields from a hash', since: '6.2.0', complexity: 'O(N) where N is the number of fields returned', tips: ['nondeterministic_output'], handler: hrandfield }),
  command({ name: 'hscan', arity: -3, flags: ['readonly'], ...W, summary: 'Incrementally iterate hash fields and associated values', since: '2.8.0', complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..', tips: ['nondeterministic_output'], handler: hscan }),
];
