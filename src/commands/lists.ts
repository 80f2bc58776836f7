// List commands (LPUSH ... LMPOP). A list is a Denque of latin1 strings; Redis 7.0 always reports
// it as a quicklist.
//
// listPush/listPop/listMove are the primitives: they change the list, delete the key when it
// empties, notify the keyspace and publish the keyspace events ("lpush", "rpop", "del"), so the
// blocking commands (BLPOP, BLMOVE, BLMPOP) reuse them and wake-ups happen from the keyspace
// listeners.

import { command, CommandSpec } from './command';
import { ERR_SYNTAX } from './args';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import type { Database } from '../keyspace/keyspace';
import { ListValue } from '../keyspace/values';
import { afterChange, changedInPlace, longArg, lookupRead, lookupWrite, nonNegativeArg, notify, MultiPopArgs, multiPop, NO_COUNT, numkeysKeys, parseMultiPopArgs, popCountArg, popFromFirstExisting } from './type-helpers';
import { NOTIFY, notifyKeyspaceEvent } from '../pubsub/notify';

export type ListEnd = 'left' | 'right';

/**
 * Pushes elements[from..] one by one at an end of `list`, the key's current value as the caller
 * looked it up (undefined: created here); returns the new length.
 */
export function listPush(server: Server, db: Database, key: string, list: ListValue | undefined, where: ListEnd, elements: readonly string[], from = 0): number {
  const ks = server.keyspace;
  const created = list === undefined;
  if (list === undefined) list = new ListValue();
  const items = list.items;
  const n = elements.length;
  if (where === 'left') for (let i = from; i < n; i++) items.unshift(elements[i]);
  else for (let i = from; i < n; i++) items.push(elements[i]);
  if (created) ks.set(db, key, list);
  else ks.modified(db, key);
  notifyKeyspaceEvent(server, NOTIFY.LIST, where === 'left' ? 'lpush' : 'rpush', key, db.id);
  return list.size;
}

/** Pops up to `count` elements from an end of an existing list; deletes the key when emptied. */
export function listPop(server: Server, db: Database, key: string, list: ListValue, where: ListEnd, count: number): string[] {
  const n = Math.min(count, list.size);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = (where === 'left' ? list.items.shift() : list.items.pop())!;
  changedInPlace(server, db, key, list, NOTIFY.LIST, where === 'left' ? 'lpop' : 'rpop');
  return out;
}

/**
 * LMOVE's effect on a non-empty source list: pops from `from`, pushes to `to` of `dstKey` (which
 * the caller checked is a list or missing) and returns the element.
 */
export function listMove(server: Server, db: Database, srcKey: string, src: ListValue, dstKey: string, from: ListEnd, to: ListEnd): string {
  // Redis pushes (and publishes the push) before it publishes the pop and deletes an emptied
  // source; a rotation of one list never empties it, so the key and its TTL stay.
  const element = (from === 'left' ? src.items.shift() : src.items.pop())!;
  listPush(server, db, dstKey, server.keyspace.lookup(db, dstKey) as ListValue | undefined, to, [element]);
  changedInPlace(server, db, srcKey, src, NOTIFY.LIST, from === 'left' ? 'lpop' : 'rpop');
  return element;
}

/** Parses LEFT/RIGHT; null after replying a syntax error. */
export function listEndArg(c: Client, s: string): ListEnd | null {
  const l = s.toLowerCase();
  if (l === 'left' || l === 'right') return l;
  c.reply.error(ERR_SYNTAX);
  return null;
}

function push(c: Client, argv: string[], where: ListEnd, onlyIfExists: boolean): void {
  const list = lookupWrite(c, argv[1], ListValue);
  if (list === null) return;
  if (list === undefined && onlyIfExists) {
    c.reply.int(0);
    return;
  }
  const len = listPush(c.server, c.db, argv[1], list, where, argv, 2);
  c.server.dirty += argv.length - 2;
  c.reply.int(len);
}

function pop(c: Client, argv: string[], where: ListEnd): void {
  if (argv.length > 3) {
    c.reply.error(`ERR wrong number of arguments for '${argv[0].toLowerCase()}' command`);
    return;
  }
  const countArg = popCountArg(c, argv);
  if (countArg === null) return;
  const hasCount = countArg !== NO_COUNT;
  const count = hasCount ? countArg : 1;
  const list = lookupWrite(c, argv[1], ListValue);
  if (list === null) return;
  if (list === undefined) {
    if (hasCount) c.reply.nullArray();
    else c.reply.nullBulk();
    return;
  }
  if (hasCount && count === 0) {
    // Redis replies an empty array and changes nothing.
    c.reply.arrayHeader(0);
    return;
  }
  const items = listPop(c.server, c.db, argv[1], list, where, count);
  c.server.dirty++;
  if (hasCount) c.reply.arrayOfBulks(items);
  else c.reply.bulk(items[0]);
}

function llen(c: Client, argv: string[]): void {
  const list = lookupRead(c, argv[1], ListValue);
  if (list === null) return;
  c.reply.int(list?.size ?? 0);
}

/** Clamps Redis-style start/end indexes; null when the range is empty. */
function clampRange(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  if (end >= len) end = len - 1;
  return [start, end];
}

function lrange(c: Client, argv: string[]): void {
  const start = longArg(c, argv[2]);
  if (start === null) return;
  const end = longArg(c, argv[3]);
  if (end === null) return;
  const list = lookupRead(c, argv[1], ListValue);
  if (list === null) return;
  const r = list === undefined ? null : clampRange(start, end, list.size);
  if (r === null) {
    c.reply.arrayHeader(0);
    return;
  }
  // Element by element into the reply buffer: it encodes short bulks in JS without a call into
  // native code, half the cost of one concatenated string (LRANGE_100 in-process: 10.5 -> 5.0 us).
  const items = list!.items;
  c.reply.arrayHeader(r[1] - r[0] + 1);
  for (let i = r[0]; i <= r[1]; i++) c.reply.bulk(items.peekAt(i)!);
}

function lindex(c: Client, argv: string[]): void {
  const list = lookupRead(c, argv[1], ListValue);
  if (list === null) return;
  if (list === undefined) {
    c.reply.nullBulk();
    return;
  }
  const index = longArg(c, argv[2]);
  if (index === null) return;
  const i = index < 0 ? list.size + index : index;
  c.reply.bulkOrNull(i >= 0 && i < list.size ? list.items.peekAt(i) : undefined);
}

function lset(c: Client, argv: string[]): void {
  const list = lookupWrite(c, argv[1], ListValue);
  if (list === null) return;
  if (list === undefined) {
    c.reply.error('ERR no such key');
    return;
  }
  const index = longArg(c, argv[2]);
  if (index === null) return;
  const i = index < 0 ? list.size + index : index;
  if (i < 0 || i >= list.size) {
    c.reply.error('ERR index out of range');
    return;
  }
  list.items.splice(i, 1, argv[3]);
  c.server.keyspace.modified(c.db, argv[1]);
  notify(c, NOTIFY.LIST, 'lset', argv[1]);
  c.server.dirty++;
  c.reply.ok();
}

function linsert(c: Client, argv: string[]): void {
  const where = argv[2].toLowerCase();
  if (where !== 'before' && where !== 'after') {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  const list = lookupWrite(c, argv[1], ListValue);
  if (list === null) return;
  if (list === undefined) {
    c.reply.int(0);
    return;
  }
  const pivot = argv[3];
  const len = list.size;
  for (let i = 0; i < len; i++) {
    if (list.items.peekAt(i) === pivot) {
      list.items.splice(where === 'before' ? i : i + 1, 0, argv[4]);
      c.server.keyspace.modified(c.db, argv[1]);
      notify(c, NOTIFY.LIST, 'linsert', argv[1]);
      c.server.dirty++;
      c.reply.int(list.size);
      return;
    }
  }
  c.reply.int(-1);
}

function lrem(c: Client, argv: string[]): void {
  const count = longArg(c, argv[2]);
  if (count === null) return;
  const list = lookupWrite(c, argv[1], ListValue);
  if (list === null) return;
  if (list === undefined) {
    c.reply.int(0);
    return;
  }
  const element = argv[3];
  const limit = count === 0 ? Infinity : Math.abs(count);
  const all = list.items.toArray();
  const keep = new Array<boolean>(all.length).fill(true);
  let removed = 0;
  if (count >= 0) {
    for (let i = 0; i < all.length && removed < limit; i++) if (all[i] === element) (keep[i] = false), removed++;
  } else {
    for (let i = all.length - 1; i >= 0 && removed < limit; i--) if (all[i] === element) (keep[i] = false), removed++;
  }
  if (removed > 0) {
    list.items.clear();
    for (let i = 0; i < all.length; i++) if (keep[i]) list.items.push(all[i]);
    afterChange(c, argv[1], list, NOTIFY.LIST, 'lrem');
    c.server.dirty += removed;
  }
  c.reply.int(removed);
}

function ltrim(c: Client, argv: string[]): void {
  const start = longArg(c, argv[2]);
  if (start === null) return;
  const end = longArg(c, argv[3]);
  if (end === null) return;
  const list = lookupWrite(c, argv[1], ListValue);
  if (list === null) return;
  if (list === undefined) {
    c.reply.ok();
    return;
  }
  const len = list.size;
  const r = clampRange(start, end, len);
  const left = r === null ? len : r[0];
  const right = r === null ? 0 : len - r[1] - 1;
  if (left > 0) list.items.remove(0, left);
  if (right > 0) list.items.remove(list.size - right, right);
  // Redis signals the key and publishes "ltrim" even when nothing was trimmed.
  afterChange(c, argv[1], list, NOTIFY.LIST, 'ltrim');
  c.server.dirty += left + right;
  c.reply.ok();
}

function lpos(c: Client, argv: string[]): void {
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    const more = j + 1 < argv.length;
    if (opt === 'rank' && more) {
      const r = longArg(c, argv[++j]);
      if (r === null) return;
      if (r === 0) {
        c.reply.error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
        return;
      }
      rank = r;
    } else if (opt === 'count' && more) {
      const n = nonNegativeArg(c, argv[++j], "ERR COUNT can't be negative");
      if (n === null) return;
      count = n;
    } else if (opt === 'maxlen' && more) {
      const n = nonNegativeArg(c, argv[++j], "ERR MAXLEN can't be negative");
      if (n === null) return;
      maxlen = n;
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const list = lookupRead(c, argv[1], ListValue);
  if (list === null) return;
  if (list === undefined) {
    if (count !== -1) c.reply.arrayHeader(0);
    else c.reply.nullBulk();
    return;
  }
  const element = argv[2];
  const len = list.size;
  const wanted = count === -1 ? 1 : count === 0 ? Infinity : count;
  const matches: number[] = [];
  let skip = Math.abs(rank) - 1;
  const step = rank > 0 ? 1 : -1;
  const limit = maxlen === 0 ? len : Math.min(maxlen, len);
  for (let n = 0, i = rank > 0 ? 0 : len - 1; n < limit && matches.length < wanted; n++, i += step) {
    if (list.items.peekAt(i) !== element) continue;
    if (skip > 0) skip--;
    else matches.push(i);
  }
  if (count === -1) {
    if (matches.length > 0) c.reply.int(matches[0]);
    else c.reply.nullBulk();
    return;
  }
  c.reply.arrayHeader(matches.length);
  for (const m of matches) c.reply.int(m);
}

/** LMOVE / RPOPLPUSH once the ends are parsed. */
function move(c: Client, srcKey: string, dstKey: string, from: ListEnd, to: ListEnd): void {
  const src = lookupWrite(c, srcKey, ListValue);
  if (src === null) return;
  if (src === undefined) {
    c.reply.nullBulk();
    return;
  }
  if (lookupWrite(c, dstKey, ListValue) === null) return;
  const element = listMove(c.server, c.db, srcKey, src, dstKey, from, to);
  c.server.dirty++;
  c.reply.bulk(element);
}

function lmove(c: Client, argv: string[]): void {
  const from = listEndArg(c, argv[3]);
  if (from === null) return;
  const to = listEndArg(c, argv[4]);
  if (to === null) return;
  move(c, argv[1], argv[2], from, to);
}

/** Parsed arguments of LMPOP (and BLMPOP after its timeout). */
export type MpopArgs = MultiPopArgs<ListEnd>;

/** Parses LMPOP's arguments starting at the numkeys index; null after replying the error. */
export function parseLmpopArgs(c: Client, argv: string[], numkeysIndex: number): MpopArgs | null {
  return parseMultiPopArgs(c, argv, numkeysIndex, listEndArg);
}

/**
 * Pops from the first non-empty list among `keys`, replying [key, [elements]] and setting the
 * propagated effect to LPOP/RPOP key count. Returns false when every key was missing (nothing
 * replied) and null after a WRONGTYPE error.
 */
export function mpopFirstNonEmpty(c: Client, args: MpopArgs): boolean | null {
  return popFromFirstExisting(c, args.keys, ListValue, (key, list) => {
    const items = listPop(c.server, c.db, key, list, args.where, args.count);
    c.server.dirty++;
    c.propagateArgv = [args.where === 'left' ? 'LPOP' : 'RPOP', key, String(items.length)];
    c.reply.arrayHeader(2);
    c.reply.bulk(key);
    c.reply.arrayOfBulks(items);
  });
}

const W = { firstKey: 1, lastKey: 1, step: 1, categories: ['list'], group: 'list' };

export const LIST_COMMANDS: CommandSpec[] = [
  command({ ...W, name: 'lpush', arity: -3, flags: ['write', 'denyoom', 'fast'], summary: 'Prepend one or multiple elements to a list', since: '1.0.0', complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', handler: (c, argv) => push(c, argv, 'left', false) }),
  command({ ...W, name: 'rpush', arity: -3, flags: ['write', 'denyoom', 'fast'], summary: 'Append one or multiple elements to a list', since: '1.0.0', complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', handler: (c, argv) => push(c, argv, 'right', false) }),
  command({ ...W, name: 'lpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], summary: 'Prepend an element to a list, only if the list exists', since: '2.2.0', complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', handler: (c, argv) => push(c, argv, 'left', true) }),
  command({ ...W, name: 'rpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], summary: 'Append an element to a list, only if the list exists', since: '2.2.0', complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', handler: (c, argv) => push(c, argv, 'right', true) }),
  command({ ...W, name: 'lpop', arity: -2, flags: ['write', 'fast'], summary: 'Remove and get the first elements in a list', since: '1.0.0', complexity: 'O(N) where N is the number of elements returned', handler: (c, argv) => pop(c, argv, 'left') }),
  command({ ...W, name: 'rpop', arity: -2, flags: ['write', 'fast'], summary: 'Remove and get the last elements in a list', since: '1.0.0', complexity: 'O(N) where N is the number of elements returned', handler: (c, argv) => pop(c, argv, 'right') }),
  command({ ...W, name: 'llen', arity: 2, flags: ['readonly', 'fast'], summary: 'Get the length of a list', since: '1.0.0', complexity: 'O(1)', handler: llen }),
  command({ ...W, name: 'lrange', arity: 4, flags: ['readonly'], summary: 'Get a range of elements from a list', since: '1.0.0', complexity: 'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.', handler: lrange }),
  command({ ...W, name: 'lindex', arity: 3, flags: ['readonly'], summary: 'Get an element from a list by its index', since: '1.0.0', complexity: 'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).', handler: lindex }),
  command({ ...W, name: 'lset', arity: 4, flags: ['write', 'denyoom'], summary: 'Set the value of an element in a list by its index', since: '1.0.0', complexity: 'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).', handler: lset }),
  command({ ...W, name: 'linsert', arity: 5, flags: ['write', 'denyoom'], summary: 'Insert an element before or after another element in a list', since: '2.2.0', complexity: 'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).', handler: linsert }),
  command({ ...W, name: 'lrem', arity: 4, flags: ['write'], summary: 'Remove elements from a list', since: '1.0.0', complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.', handler: lrem }),
  command({ ...W, name: 'ltrim', arity: 4, flags: ['write'], summary: 'Trim a list to the specified range', since: '1.0.0', complexity: 'O(N) where N is the number of elements to be removed by the operation.', handler: ltrim }),
  command({ ...W, name: 'lpos', arity: -3, flags: ['readonly'], summary: 'Return the index of matching elements on a list', since: '6.0.6', complexity: 'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.', handler: lpos }),
  command({ ...W, name: 'lmove', arity: 5, flags: ['write', 'denyoom'], lastKey: 2, summary: 'Pop an element from a list, push it to another list and return it', since: '6.2.0', complexity: 'O(1)', handler: lmove }),
  command({ ...W, name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], lastKey: 2, summary: 'Remove the last element in a list, prepend it to another list and return it', since: '1.2.0', complexity: 'O(1)', handler: (c, argv) => move(c, argv[1], argv[2], 'right', 'left') }),
  command({ ...W, name: 'lmpop', arity: -4, flags: ['write', 'movablekeys'], firstKey: 0, lastKey: 0, step: 0, summary: 'Pop elements from a list', since: '7.0.0', complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.', getKeys: (argv) => numkeysKeys(argv, 1), handler: (c, argv) => multiPop(c, argv, parseLmpopArgs, mpopFirstNonEmpty) }),
];
