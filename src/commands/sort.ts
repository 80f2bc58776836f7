// SORT and SORT_RO, following Redis 7.0's sort.c: BY pattern (a pattern without '*' means "do not
// sort"), GET patterns ('#' is the element itself, "key*->field" a hash field), LIMIT, ASC/DESC,
// ALPHA and STORE (the result becomes a list; an empty result deletes the destination).
//
// Numeric sorting reads each weight with strtod's rules and breaks ties by comparing the
// elements' bytes, so results are deterministic; ALPHA compares bytes (strcoll in the C locale).

import { command, CommandSpec } from './command';
import { ERR_SYNTAX, ERR_WRONGTYPE, parseDouble } from './args';
import type { Client } from '../server/client';
import { HashValue, ListValue, SetValue, ZSetValue } from '../keyspace/values';
import { setMembers } from './sets';
import { longArg, storeResult } from './type-helpers';
import { NOTIFY } from '../pubsub/notify';

interface SortItem {
  element: string;
  score: number;
  /** The BY value for ALPHA sorting with a pattern; null when the weight key is missing. */
  cmp: string | null;
}

/**
 * Resolves a SORT pattern for one element: '#' is the element, "pre*post" names a string key,
 * "pre*post->field" a hash field. Undefined when there is no such value.
 */
function lookupByPattern(c: Client, pattern: string, element: string): string | undefined {
  if (pattern === '#') return element;
  const star = pattern.indexOf('*');
  if (star < 0) return undefined;
  const arrow = pattern.indexOf('->', star + 1);
  const hasField = arrow >= 0 && arrow + 2 < pattern.length;
  const keyEnd = hasField ? arrow : pattern.length;
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, keyEnd);
  const v = c.server.keyspace.lookupRead(c.db, key);
  if (v === undefined) return undefined;
  if (hasField) return v instanceof HashValue ? v.map.get(pattern.slice(arrow + 2)) : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** strtod as SORT uses it: leading spaces skipped, "" is 0; null on junk, overflow or NaN. */
function sortWeight(s: string): number | null {
  const t = s.replace(/^[ \t\n\v\f\r]+/, '');
  if (t === '') return 0;
  const d = parseDouble(t);
  if (d === null) return null;
  if (!Number.isFinite(d) && !/^[+-]?inf(inity)?$/i.test(t)) return null;
  return d;
}

function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortGeneric(c: Client, argv: string[], readonly: boolean): void {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let sortBy: string | null = null;
  let dontSort = false;
  let storeKey: string | null = null;
  const gets: string[] = [];
  for (let j = 2; j < argv.length; j++) {
    const o = argv[j].toLowerCase();
    const left = argv.length - j - 1;
    if (o === 'asc') desc = false;
    else if (o === 'desc') desc = true;
    else if (o === 'alpha') alpha = true;
    else if (o === 'limit' && left >= 2) {
      const s = longArg(c, argv[j + 1]);
      if (s === null) return;
      const n = longArg(c, argv[j + 2]);
      if (n === null) return;
      limitStart = s;
      limitCount = n;
      j += 2;
    } else if (!readonly && o === 'store' && left >= 1) {
      storeKey = argv[++j];
    } else if (o === 'by' && left >= 1) {
      sortBy = argv[++j];
      dontSort = !sortBy.includes('*');
    } else if (o === 'get' && left >= 1) {
      gets.push(argv[++j]);
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }

  const v = c.server.keyspace.lookupRead(c.db, argv[1]);
  if (v !== undefined && !(v instanceof ListValue) && !(v instanceof SetValue) && !(v instanceof ZSetValue)) {
    c.reply.error(ERR_WRONGTYPE);
    return;
  }
  // An unsorted set would come out in hash order, which a stored copy must not depend on.
  if (dontSort && v instanceof SetValue && storeKey !== null) {
    dontSort = false;
    alpha = true;
    sortBy = null;
  }

  // Redis converts a listpack sorted set to a skiplist before sorting it, and it stays so.
  if (v instanceof ZSetValue) v.encoding = 'skiplist';
  let elements: string[];
  if (v === undefined) elements = [];
  else if (v instanceof ListValue) elements = v.items.toArray();
  else if (v instanceof SetValue) elements = setMembers(v);
  else elements = [...v.zset.entries()].map((e) => e[0]);
  const len = elements.length;

  let start = limitStart < 0 ? 0 : limitStart;
  let end = limitCount < 0 ? len - 1 : start + limitCount - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  let items: SortItem[] = elements.map((element) => ({ element, score: 0, cmp: null }));
  if (dontSort) {
    // Lists and sorted sets keep their order, reversed by DESC; sets stay in iteration order.
    if (desc && !(v instanceof SetValue)) items.reverse();
  } else {
    // Every weight is looked up even after a bad one, as Redis does (keyspace hits/misses).
    let badWeight = false;
    for (const it of items) {
      let by: string | undefined = it.element;
      if (sortBy !== null) {
        by = lookupByPattern(c, sortBy, it.element);
        if (by === undefined) continue;
      }
      if (alpha) {
        if (sortBy !== null) it.cmp = by;
      } else {
        const w = sortWeight(by);
        if (w === null) badWeight = true;
        else it.score = w;
      }
    }
    if (badWeight) {
      c.reply.error("ERR One or more scores can't be converted into double");
      return;
    }
    const sign = desc ? -1 : 1;
    items.sort((a, b) => {
      let cmp: number;
      if (!alpha) cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : byteCompare(a.element, b.element);
      else if (sortBy !== null) cmp = a.cmp === null || b.cmp === null ? (a.cmp === b.cmp ? 0 : a.cmp === null ? -1 : 1) : byteCompare(a.cmp, b.cmp);
      else cmp = byteCompare(a.element, b.element);
      return sign * cmp;
    });
  }
  items = start <= end ? items.slice(start, end + 1) : [];

  const outputLen = gets.length > 0 ? gets.length * items.length : items.length;
  if (storeKey === null) {
    c.reply.arrayHeader(outputLen);
    for (const it of items) {
      if (gets.length === 0) c.reply.bulk(it.element);
      for (const g of gets) c.reply.bulkOrNull(lookupByPattern(c, g, it.element));
    }
    return;
  }
  const list = new ListValue();
  for (const it of items) {
    if (gets.length === 0) list.items.push(it.element);
    for (const g of gets) list.items.push(lookupByPattern(c, g, it.element) ?? '');
  }
  if (storeResult(c, storeKey, list, NOTIFY.LIST, 'sortstore')) c.server.dirty += Math.max(outputLen, 1);
  c.reply.int(outputLen);
}

/** SORT's keys: the sorted key and, when given, the STORE destination. */
function sortKeys(argv: string[]): number[] {
  const keys = [1];
  let store = -1;
  for (let j = 2; j < argv.length; j++) {
    const o = argv[j].toLowerCase();
    if (o === 'limit') j += 2;
    else if (o === 'get' || o === 'by') j++;
    else if (o === 'store' && j + 1 < argv.length) store = ++j;
  }
  if (store > 0) keys.push(store);
  return keys;
}

export const SORT_COMMANDS: CommandSpec[] = [
  command({ name: 'sort', arity: -2, flags: ['write', 'denyoom', 'movablekeys'], firstKey: 1, lastKey: 1, step: 1, categories: ['set', 'sortedset', 'list', 'dangerous'], group: 'generic', summary: 'Sort the elements in a list, set or sorted set', since: '1.0.0', complexity: 'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).', getKeys: sortKeys, handler: (c, argv) => sortGeneric(c, argv, false) }),
  command({ name: 'sort_ro', arity: -2, flags: ['readonly', 'movablekeys'], firstKey: 1, lastKey: 1, step: 1, categories: ['set', 'sortedset', 'list', 'dangerous'], group: 'generic', summary: 'Sort the elements in a list, set or sorted set. Read-only variant of SORT.', since: '7.0.0', complexity: 'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).', getKeys: () => [1], handler: (c, argv) => sortGeneric(c, argv, true) }),
];
