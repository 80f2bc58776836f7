// Set commands (SADD ... SSCAN). A set is a JS Set of latin1 strings. While its encoding is
// intset, Redis returns members in ascending integer order, so replies list them that way too;
// hashtable sets are returned in insertion order (Redis's order there is arbitrary).
//
// SPOP is random, so it propagates its effect: an SREM per popped member (several in one
// MULTI/EXEC), or DEL when it popped the whole set.

import { command, CommandSpec } from './command';
import { ERR_SYNTAX } from './args';
import type { Client } from '../server/client';
import { SetValue } from '../keyspace/values';
import { NOTIFY } from '../pubsub/notify';
import { PROPAGATED_BY_HANDLER } from '../server/dispatch';
import { afterChange, longArg, lookupRead, lookupWrite, newSetFor, notify, nonNegativeArg, numkeysKeys, positiveArg, fewRandomMembers, randomMember, randomPicks, replyBulks, scanAggregate, scanTarget, setAdd, storeResult } from './type-helpers';

/** Members in the order Redis replies them: ascending integers for an intset. */
export function setMembers(s: SetValue): string[] {
  const members = [...s.set];
  if (s.encoding !== 'intset') return members;
  const keyed = members.map((m) => [BigInt(m), m] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return keyed.map((k) => k[1]);
}

function replySet(c: Client, s: SetValue | undefined): void {
  if (s === undefined) {
    c.reply.setHeader(0);
    return;
  }
  const members = setMembers(s);
  replyBulks(c, (c.resp === 3 ? '~' : '*') + members.length, members);
}

function sadd(c: Client, argv: string[]): void {
  const existing = lookupWrite(c, argv[1], SetValue);
  if (existing === null) return;
  const s = existing ?? newSetFor(argv[2]);
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (setAdd(c, s, argv[i])) added++;
  if (existing === undefined) c.server.keyspace.set(c.db, argv[1], s);
  else if (added > 0) c.server.keyspace.modified(c.db, argv[1]);
  if (added > 0) notify(c, NOTIFY.SET, 'sadd', argv[1]);
  c.server.dirty += added;
  c.reply.int(added);
}

function srem(c: Client, argv: string[]): void {
  const s = lookupWrite(c, argv[1], SetValue);
  if (s === null) return;
  let removed = 0;
  if (s !== undefined) {
    for (let i = 2; i < argv.length && s.size > 0; i++) if (s.set.delete(argv[i])) removed++;
    if (removed > 0) afterChange(c, argv[1], s, NOTIFY.SET, 'srem');
  }
  c.server.dirty += removed;
  c.reply.int(removed);
}

function smove(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  // A missing source answers 0 before the destination's type is looked at, as in Redis.
  const src = lookupWrite(c, argv[1], SetValue);
  if (src === null) return;
  if (src === undefined) {
    c.reply.int(0);
    return;
  }
  const dst = lookupWrite(c, argv[2], SetValue);
  if (dst === null) return;
  const member = argv[3];
  if (src === dst) {
    c.reply.int(src.set.has(member) ? 1 : 0);
    return;
  }
  if (!src.set.delete(member)) {
    c.reply.int(0);
    return;
  }
  afterChange(c, argv[1], src, NOTIFY.SET, 'srem');
  c.server.dirty++;
  if (dst === undefined) {
    const created = newSetFor(member);
    setAdd(c, created, member);
    ks.set(c.db, argv[2], created);
  } else if (setAdd(c, dst, member)) {
    ks.modified(c.db, argv[2]);
  } else {
    c.reply.int(1);
    return;
  }
  c.server.dirty++;
  notify(c, NOTIFY.SET, 'sadd', argv[2]);
  c.reply.int(1);
}

function sismember(c: Client, argv: string[]): void {
  const s = lookupRead(c, argv[1], SetValue);
  if (s === null) return;
  c.reply.int(s?.set.has(argv[2]) ? 1 : 0);
}

function smismember(c: Client, argv: string[]): void {
  const s = lookupRead(c, argv[1], SetValue);
  if (s === null) return;
  c.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.int(s?.set.has(argv[i]) ? 1 : 0);
}

function scard(c: Client, argv: string[]): void {
  const s = lookupRead(c, argv[1], SetValue);
  if (s === null) return;
  c.reply.int(s?.size ?? 0);
}

function spop(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  const key = argv[1];
  if (argv.length === 2) {
    const s = lookupWrite(c, key, SetValue);
    if (s === null) return;
    if (s === undefined) {
      c.reply.nullBulk();
      return;
    }
    const member = randomMember(s, s.set, true);
    s.set.delete(member);
    afterChange(c, key, s, NOTIFY.SET, 'spop');
    c.server.dirty++;
    c.propagateArgv = ['SREM', key, member];
    c.reply.bulk(member);
    return;
  }
  const count = nonNegativeArg(c, argv[2], 'ERR value is out of range, must be positive');
  if (count === null) return;
  const s = lookupWrite(c, key, SetValue);
  if (s === null) return;
  if (s === undefined || count === 0) {
    c.reply.setHeader(0);
    return;
  }
  if (count >= s.size) {
    // Redis replies the whole set through SUNION's code, whose read lookup counts a keyspace hit.
    c.server.keyspace.lookupRead(c.db, key);
    const all = setMembers(s);
    s.set.clear();
    afterChange(c, key, s, NOTIFY.SET, 'spop');
    c.server.dirty++;
    c.propagateArgv = [c.server.config.bool('lazyfree-lazy-server-del') ? 'UNLINK' : 'DEL', key];
    c.reply.setHeader(all.length);
    for (const m of all) c.reply.bulk(m);
    return;
  }
  const popped = fewRandomMembers(s, s.set, count, true) ?? [...randomPicks([...s.set], count)];
  for (const m of popped) s.set.delete(m);
  afterChange(c, key, s, NOTIFY.SET, 'spop');
  c.server.dirty += popped.length;
  // Redis 7.0 propagates one SREM per popped member, as one transaction.
  const feed = c.server.feed;
  feed.hold();
  for (const m of popped) feed.propagate(c.db.id, ['SREM', key, m]);
  feed.releaseHeld();
  c.propagateArgv = PROPAGATED_BY_HANDLER;
  c.reply.setHeader(popped.length);
  for (const m of popped) c.reply.bulk(m);
}

function srandmember(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  if (argv.length === 2) {
    const s = lookupRead(c, argv[1], SetValue);
    if (s === null) return;
    c.reply.bulkOrNull(s === undefined ? undefined : randomMember(s, s.set));
    return;
  }
  const count = longArg(c, argv[2]);
  if (count === null) return;
  const s = lookupRead(c, argv[1], SetValue);
  if (s === null) return;
  if (s === undefined || count === 0) {
    c.reply.arrayHeader(0);
    return;
  }
  const picks = fewRandomMembers(s, s.set, count) ?? randomPicks(count >= s.size ? setMembers(s) : [...s.set], count);
  c.reply.arrayHeader(picks.length);
  for (const m of picks) c.reply.bulk(m);
}

/** The sets named by `keys` (undefined for missing ones); null after replying WRONGTYPE. */
function gatherSets(c: Client, keys: string[]): Array<SetValue | undefined> | null {
  const out: Array<SetValue | undefined> = [];
  for (const k of keys) {
    // Sources are reads even for the *STORE forms (they count keyspace hits/misses in Redis).
    const s = lookupRead(c, k, SetValue);
    if (s === null) return null;
    out.push(s);
  }
  return out;
}

type SetOp = 'inter' | 'union' | 'diff';

/** Computes an intersection/union/difference as a new set with Redis's result encoding. */
function compute(c: Client, sets: Array<SetValue | undefined>, op: SetOp): SetValue {
  const result = new SetValue();
  if (op === 'inter') {
    if (sets.some((s) => s === undefined)) return result;
    const ordered = (sets as SetValue[]).slice().sort((a, b) => a.size - b.size);
    for (const m of setMembers(ordered[0])) if (ordered.every((s) => s.set.has(m))) setAdd(c, result, m);
  } else if (op === 'union') {
    for (const s of sets) if (s !== undefined) for (const m of setMembers(s)) setAdd(c, result, m);
  } else if (sets[0] !== undefined) {
    for (const m of setMembers(sets[0])) if (!sets.some((s, i) => i > 0 && s !== undefined && s.set.has(m))) setAdd(c, result, m);
  }
  return result;
}

function setOp(c: Client, argv: string[], op: SetOp): void {
  const sets = gatherSets(c, argv.slice(1));
  if (sets === null) return;
  replySet(c, compute(c, sets, op));
}

function setOpStore(c: Client, argv: string[], op: SetOp): void {
  const sets = gatherSets(c, argv.slice(2));
  if (sets === null) return;
  const result = compute(c, sets, op);
  if (storeResult(c, argv[1], result, NOTIFY.SET, `s${op}store`)) c.server.dirty++;
  c.reply.int(result.size);
}

function sintercard(c: Client, argv: string[]): void {
  const numkeys = positiveArg(c, argv[1], 'ERR numkeys should be greater than 0');
  if (numkeys === null) return;
  if (numkeys > argv.length - 2) {
    c.reply.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    if (argv[j].toLowerCase() === 'limit' && j + 1 < argv.length) {
      const n = nonNegativeArg(c, argv[++j], "ERR LIMIT can't be negative");
      if (n === null) return;
      limit = n;
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const sets = gatherSets(c, argv.slice(2, 2 + numkeys));
  if (sets === null) return;
  if (sets.some((s) => s === undefined)) {
    c.reply.int(0);
    return;
  }
  const ordered = (sets as SetValue[]).slice().sort((a, b) => a.size - b.size);
  let n = 0;
  for (const m of ordered[0].set) {
    if (ordered.every((s) => s.set.has(m)) && ++n === limit) break;
  }
  c.reply.int(n);
}

function sscan(c: Client, argv: string[]): void {
  const t = scanTarget(c, argv, SetValue);
  if (t === null) return;
  const [s, cursor] = t;
  const compact = s.encoding === 'intset';
  scanAggregate(c, argv, cursor, s.set, compact, function* () {
    for (const m of compact ? setMembers(s) : s.set) yield [m];
  });
}

const W = { firstKey: 1, lastKey: 1, step: 1, categories: ['set'], group: 'set' };

export const SET_COMMANDS: CommandSpec[] = [
  command({ name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], ...W, summary: 'Add one or more members to a set', since: '1.0.0', complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', handler: sadd }),
  command({ name: 'srem', arity: -3, flags: ['write', 'fast'], ...W, summary: 'Remove one or more members from a set', since: '1.0.0', complexity: 'O(N) where N is the number of members to be removed.', handler: srem }),
  command({ name: 'sismember', arity: 3, flags: ['readonly', 'fast'], ...W, summary: 'Determine if a given value is a member of a set', since: '1.0.0', complexity: 'O(1)', handler: sismember }),
  command({ name: 'smismember', arity: -3, flags: ['readonly', 'fast'], ...W, summary: 'Returns the membership associated with the given elements for a set', since: '6.2.0', complexity: 'O(N) where N is the number of elements being checked for membership', handler: smismember }),
  command({ name: 'smembers', arity: 2, flags: ['readonly'], ...W, summary: 'Get all the members in a set', since: '1.0.0', complexity: 'O(N) where N is the set cardinality.', tips: ['nondeterministic_output_order'], handler: (c, argv) => setOp(c, argv, 'inter') }),
  command({ name: 'scard', arity: 2, flags: ['readonly', 'fast'], ...W, summary: 'Get the number of members in a set', since: '1.0.0', complexity: 'O(1)', handler: scard }),
  command({ name: 'spop', arity: -2, flags: ['write', 'fast'], ...W, summary: 'Remove and return one or multiple random members from a set', since: '1.0.0', complexity: 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.', tips: ['nondeterministic_output'], handler: spop }),
  command({ name: 'srandmember', arity: -2, flags: ['readonly'], ...W, summary: 'Get one or multiple random members from a set', since: '1.0.0', complexity: 'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.', tips: ['nondeterministic_output'], handler: srandmember }),
  command({ name: 'smove', arity: 4, flags: ['write', 'fast'], ...W, lastKey: 2, summary: 'Move a member from one set to another', since: '1.0.0', complexity: 'O(1)', handler: smove }),
  command({ name: 'sinter', arity: -2, flags: ['readonly'], ...W, lastKey: -1, summary: 'Intersect multiple sets', since: '1.0.0', complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.', tips: ['nondeterministic_output_order'], handler: (c, argv) => setOp(c, argv, 'inter') }),
  command({ name: 'sintercard', arity: -3, flags: ['readonly', 'movablekeys'], ...W, firstKey: 0, lastKey: 0, step: 0, summary: 'Intersect multiple sets and return the cardinality of the result', since: '7.0.0', complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.', getKeys: (argv) => numkeysKeys(argv, 1), handler: sintercard }),
  command({ name: 'sinterstore', arity: -3, flags: ['write', 'denyoom'], ...W, lastKey: -1, summary: 'Intersect multiple sets and store the resulting set in a key', since: '1.0.0', complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.', handler: (c, argv) => setOpStore(c, argv, 'inter') }),
  command({ name: 'sunion', arity: -2, flags: ['readonly'], ...W, lastKey: -1, summary: 'Add multiple sets', since: '1.0.0', complexity: 'O(N) where N is the total number of elements in all given sets.', tips: ['nondeterministic_output_order'], handler: (c, argv) => setOp(c, argv, 'union') }),
  command({ name: 'sunionstore', arity: -3, flags: ['write', 'denyoom'], ...W, lastKey: -1, summary: 'Add multiple sets and store the resulting set in a key', since: '1.0.0', complexity: 'O(N) where N is the total number of elements in all given sets.', handler: (c, argv) => setOpStore(c, argv, 'union') }),
  command({ name: 'sdiff', arity: -2, flags: ['readonly'], ...W, lastKey: -1, summary: 'Subtract multiple sets', since: '1.0.0', complexity: 'O(N) where N is the total number of elements in all given sets.', tips: ['nondeterministic_output_order'], handler: (c, argv) => setOp(c, argv, 'diff') }),
  command({ name: 'sdiffstore', arity: -3, flags: ['write', 'denyoom'], ...W, lastKey: -1, summary: 'Subtract multiple sets and store the resulting set in a key', since: '1.0.0', complexity: 'O(N) where N is the total number of elements in all given sets.', handler: (c, argv) => setOpStore(c, argv, 'diff') }),
  command({ name: 'sscan', arity: -3, flags: ['readonly'], ...W, summary: 'Incrementally iterate Set elements', since: '2.8.0', complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..', tips: ['nondeterministic_output'], handler: sscan }),
];
