// Sorted-set commands (ZADD ... ZSCAN) over keyspace/sorted-set.ts (Map + skiplist with spans).
//
// Replies follow Redis 7.0: scores go out through addReplyDouble ("%.17g", a RESP3 double), and
// member/score pairs are flat in RESP2 but nested [member, score] arrays in RESP3 (ZRANGE
// WITHSCORES, ZPOPMIN with a count, ZMPOP, ZRANDMEMBER, ZUNION ...). ZMPOP propagates as
// ZPOPMIN/ZPOPMAX key count so replicas pop from the same key.

import { command, CommandSpec } from './command';
import { ERR_NOT_FLOAT, ERR_SYNTAX, isShortInteger, parseDouble } from './args';
import type { Client } from '../server/client';
import { SetValue, ZSetValue } from '../keyspace/values';
import { aboveMin, belowMax, lexAboveMin, lexBelowMax, LexRange, ScoreRange, ZNode } from '../keyspace/sorted-set';
import { formatDouble } from './format-double';
import { setMembers } from './sets';
import { NOTIFY } from '../pubsub/notify';
import { afterChange, longArg, lookupRead, lookupWrite, newZSetFor, notify, nonNegativeArg, MultiPopArgs, multiPop, NO_COUNT, numkeysKeys, parseMultiPopArgs, popCountArg, popFromFirstExisting, randomPicks, scanAggregate, scanTarget, settleZSetEncoding, Sized, storeResult, zsetAdd } from './type-helpers';

type Pair = [string, number];

const ERR_RANGE_FLOAT = 'ERR min or max is not a float';
const ERR_RANGE_LEX = 'ERR min or max not valid string range item';

/** A score argument as getDoubleFromObject reads it: no spaces, no NaN, no overflow/underflow. */
function parseScore(s: string): number | null {
  const d = parseDouble(s);
  if (d === null) return null;
  if (!Number.isFinite(d) && !/^[+-]?inf(inity)?$/i.test(s)) return null;
  // An underflow to 0 ("1e-400"): not a plain integer such as redis-benchmark's score "0", which
  // would otherwise pay the two regular expressions on every ZADD.
  if (d === 0 && !isShortInteger(s) && /^[^e]*[1-9]/i.test(s.replace(/^[+-]?0x/i, ''))) return null;
  return d;
}

/** A bound as strtod reads it inside zslParseRange: leading spaces ok, "" is 0, overflow is inf. */
function parseBound(s: string): number | null {
  const t = s.replace(/^[ \t\n\v\f\r]+/, '');
  return t === '' ? 0 : parseDouble(t);
}

function parseScoreRange(minArg: string, maxArg: string): ScoreRange | null {
  const minex = minArg.startsWith('(');
  const maxex = maxArg.startsWith('(');
  const min = parseBound(minex ? minArg.slice(1) : minArg);
  const max = parseBound(maxex ? maxArg.slice(1) : maxArg);
  if (min === null || max === null) return null;
  return { min, max, minex, maxex };
}

function parseLexBound(s: string): { v: string; ex: boolean; inf: -1 | 0 | 1 } | null {
  if (s === '+') return { v: '', ex: false, inf: 1 };
  if (s === '-') return { v: '', ex: false, inf: -1 };
  if (s.startsWith('(')) return { v: s.slice(1), ex: true, inf: 0 };
  if (s.startsWith('[')) return { v: s.slice(1), ex: false, inf: 0 };
  return null;
}

function parseLexRange(minArg: string, maxArg: string): LexRange | null {
  const min = parseLexBound(minArg);
  const max = parseLexBound(maxArg);
  if (min === null || max === null) return null;
  return { min: min.v, max: max.v, minex: min.ex, maxex: max.ex, minInf: min.inf, maxInf: max.inf };
}

function replyScore(c: Client, score: number): void {
  c.reply.double(formatDouble(score));
}

/** Members with optional scores: flat in RESP2, [member, score] pairs in RESP3. */
function replyPairs(c: Client, pairs: Sized<Pair>, withScores: boolean, nestInResp3 = true): void {
  const nested = withScores && nestInResp3 && c.resp === 3;
  c.reply.arrayHeader(withScores && !nested ? pairs.length * 2 : pairs.length);
  for (const [m, s] of pairs) {
    if (nested) c.reply.arrayHeader(2);
    c.reply.bulk(m);
    if (withScores) replyScore(c, s);
  }
}

// ---- ZADD / ZINCRBY --------------------------------------------------------------------------

function zaddGeneric(c: Client, argv: string[], forceIncr: boolean): void {
  let nx = false, xx = false, gt = false, lt = false, ch = false, incr = forceIncr;
  let idx = 2;
  for (; idx < argv.length; idx++) {
    // Every flag starts with a letter; a score (digit, sign, '.') ends them without a lowercase copy.
    if (argv[idx].charCodeAt(0) < 0x41) break;
    const o = argv[idx].toLowerCase();
    if (o === 'nx') nx = true;
    else if (o === 'xx') xx = true;
    else if (o === 'ch') ch = true;
    else if (o === 'incr') incr = true;
    else if (o === 'gt') gt = true;
    else if (o === 'lt') lt = true;
    else break;
  }
  const elements = argv.length - idx;
  if (elements % 2 !== 0 || elements === 0) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  if (nx && xx) {
    c.reply.error('ERR XX and NX options at the same time are not compatible');
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    c.reply.error('ERR GT, LT, and/or NX options at the same time are not compatible');
    return;
  }
  if (incr && elements > 2) {
    c.reply.error('ERR INCR option supports a single increment-element pair');
    return;
  }
  // Scores by pair; member i is argv[idx + 2i + 1] (no [member, score] array per pair).
  const scores: number[] = [];
  for (let j = idx; j < argv.length; j += 2) {
    const score = parseScore(argv[j]);
    if (score === null) {
      c.reply.error(ERR_NOT_FLOAT);
      return;
    }
    scores.push(score);
  }
  const key = argv[1];
  let z = lookupWrite(c, key, ZSetValue);
  if (z === null) return;
  let added = 0, updated = 0, processed = 0;
  let lastScore = 0;
  if (z === undefined && !xx) {
    z = newZSetFor(c, argv[idx + 1]);
    c.server.keyspace.set(c.db, key, z);
  }
  if (z !== undefined) {
    for (let i = 0; i < scores.length; i++) {
      const member = argv[idx + 2 * i + 1];
      const cur = z.zset.score(member);
      let score = scores[i];
      if (cur !== undefined) {
        if (nx) continue;
        if (incr) {
          score += cur;
          if (Number.isNaN(score)) {
            // Only reachable with INCR, which takes one pair: nothing was changed.
            c.reply.error('ERR resulting score is not a number (NaN)');
            return;
          }
        }
        if ((lt && score >= cur) || (gt && score <= cur)) continue;
        processed++;
        lastScore = score;
        if (score !== cur) {
          zsetAdd(c, z, member, score);
          updated++;
        }
      } else if (!xx) {
        zsetAdd(c, z, member, score);
        added++;
        processed++;
        lastScore = score;
      }
    }
    if (added + updated > 0) {
      c.server.keyspace.modified(c.db, key);
      notify(c, NOTIFY.ZSET, incr ? 'zincr' : 'zadd', key);
    }
    c.server.dirty += added + updated;
  }
  if (incr) {
    if (processed > 0) replyScore(c, lastScore);
    else c.reply.nullBulk();
  } else {
    c.reply.int(ch ? added + updated : added);
  }
}

// ---- Single-key reads --------------------------------------------------------------------------

function zrem(c: Client, argv: string[]): void {
  const z = lookupWrite(c, argv[1], ZSetValue);
  if (z === null) return;
  let removed = 0;
  if (z !== undefined) {
    for (let i = 2; i < argv.length && z.size > 0; i++) if (z.zset.remove(argv[i])) removed++;
    if (removed > 0) afterChange(c, argv[1], z, NOTIFY.ZSET, 'zrem');
  }
  c.server.dirty += removed;
  c.reply.int(removed);
}

function zcard(c: Client, argv: string[]): void {
  const z = lookupRead(c, argv[1], ZSetValue);
  if (z === null) return;
  c.reply.int(z?.size ?? 0);
}

function zscore(c: Client, argv: string[]): void {
  const z = lookupRead(c, argv[1], ZSetValue);
  if (z === null) return;
  const s = z?.zset.score(argv[2]);
  if (s === undefined) c.reply.nullBulk();
  else replyScore(c, s);
}

function zmscore(c: Client, argv: string[]): void {
  const z = lookupRead(c, argv[1], ZSetValue);
  if (z === null) return;
  c.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const s = z?.zset.score(argv[i]);
    if (s === undefined) c.reply.nullBulk();
    else replyScore(c, s);
  }
}

function zrank(c: Client, argv: string[], rev: boolean): void {
  const z = lookupRead(c, argv[1], ZSetValue);
  if (z === null) return;
  const r = z?.zset.rank(argv[2]);
  if (r === undefined) c.reply.nullBulk();
  else c.reply.int(rev ? z!.size - 1 - r : r);
}

/** Number of nodes from `first` to `last` inclusive (both in range, ascending). */
function countBetween(z: ZSetValue, first: ZNode | null, last: ZNode | null): number {
  if (first === null || last === null) return 0;
  const a = z.zset.rank(first.member)!;
  const b = z.zset.rank(last.member)!;
  return b >= a ? b - a + 1 : 0;
}

function zcount(c: Client, argv: string[]): void {
  const r = parseScoreRange(argv[2], argv[3]);
  if (r === null) {
    c.reply.error(ERR_RANGE_FLOAT);
    return;
  }
  const z = lookupRead(c, argv[1], ZSetValue);
  if (z === null) return;
  c.reply.int(z === undefined ? 0 : countBetween(z, z.zset.firstInRange(r), z.zset.lastInRange(r)));
}

/** ZLEXCOUNT as Redis computes it per encoding (they differ only when scores are mixed). */
function lexCount(z: ZSetValue, r: LexRange): number {
  const linear = z.encoding === 'listpack';
  const first = z.zset.firstInLexRange(r, linear);
  if (first === null) return 0;
  if (linear) {
    let n = 0;
    for (let x: ZNode | null = first; x !== null && lexBelowMax(x.member, r); x = x.forward) n++;
    return n;
  }
  const size = z.size;
  let count = size - z.zset.rank(first.member)!;
  const last = z.zset.lastInLexRange(r, false);
  if (last !== null) count -= size - 1 - z.zset.rank(last.member)!;
  return count;
}

function zlexcount(c: Client, argv: string[]): void {
  const r = parseLexRange(argv[2], argv[3]);
  if (r === null) {
    c.reply.error(ERR_RANGE_LEX);
    return;
  }
  const z = lookupRead(c, argv[1], ZSetValue);
  if (z === null) return;
  c.reply.int(z === undefined ? 0 : lexCount(z, r));
}

// ---- ZRANGE family -----------------------------------------------------------------------------

type RangeKind = 'rank' | 'score' | 'lex';

interface RangeSpec {
  kind: RangeKind;
  rev: boolean;
  withScores: boolean;
  offset: number;
  /** -1: no LIMIT. */
  limit: number;
  start: number;
  end: number;
  score: ScoreRange | null;
  lex: LexRange | null;
}

/**
 * Parses ZRANGE-style arguments (`fixedKind`/`fixedRev` for the legacy commands, which take no
 * BYSCORE/BYLEX/REV); `srcIndex` is where the source key is. Null after replying the error.
 */
function parseRange(c: Client, argv: string[], srcIndex: number, store: boolean, fixedKind: RangeKind | null, fixedRev: boolean | null): RangeSpec | null {
  let kind: RangeKind | null = fixedKind;
  let rev: boolean | null = fixedRev;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = srcIndex + 3; j < argv.length; j++) {
    const o = argv[j].toLowerCase();
    const left = argv.length - j - 1;
    if (!store && o === 'withscores') withScores = true;
    else if (o === 'limit' && left >= 2) {
      const off = longArg(c, argv[j + 1]);
      if (off === null) return null;
      const lim = longArg(c, argv[j + 2]);
      if (lim === null) return null;
      offset = off;
      limit = lim;
      j += 2;
    } else if (rev === null && o === 'rev') rev = true;
    else if (kind === null && o === 'bylex') kind = 'lex';
    else if (kind === null && o === 'byscore') kind = 'score';
    else {
      c.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  rev ??= false;
  kind ??= 'rank';
  if (limit !== -1 && kind === 'rank') {
    c.reply.error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
    return null;
  }
  if (withScores && kind === 'lex') {
    c.reply.error('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
    return null;
  }
  let minArg = argv[srcIndex + 1];
  let maxArg = argv[srcIndex + 2];
  if (rev && kind !== 'rank') [minArg, maxArg] = [maxArg, minArg];
  const spec: RangeSpec = { kind, rev, withScores, offset, limit, start: 0, end: 0, score: null, lex: null };
  if (kind === 'rank') {
    const s = longArg(c, minArg);
    if (s === null) return null;
    const e = longArg(c, maxArg);
    if (e === null) return null;
    spec.start = s;
    spec.end = e;
  } else if (kind === 'score') {
    spec.score = parseScoreRange(minArg, maxArg);
    if (spec.score === null) {
      c.reply.error(ERR_RANGE_FLOAT);
      return null;
    }
  } else {
    spec.lex = parseLexRange(minArg, maxArg);
    if (spec.lex === null) {
      c.reply.error(ERR_RANGE_LEX);
      return null;
    }
  }
  return spec;
}

/** The members a parsed range selects, in reply order. */
function collectRange(z: ZSetValue, q: RangeSpec): Pair[] {
  const out: Pair[] = [];
  const size = z.size;
  if (q.kind === 'rank') {
    let start = q.start < 0 ? size + q.start : q.start;
    let end = q.end < 0 ? size + q.end : q.end;
    if (start < 0) start = 0;
    if (start > end || start >= size) return out;
    if (end >= size) end = size - 1;
    let n = q.rev ? z.zset.at(size - 1 - start) : z.zset.at(start);
    for (let i = start; i <= end && n !== null; i++) {
      out.push([n.member, n.score]);
      n = q.rev ? n.prev : n.forward;
    }
    return out;
  }
  if (q.offset > 0 && q.offset >= size) return out;
  let n: ZNode | null;
  if (q.kind === 'score') n = q.rev ? z.zset.lastInRange(q.score!) : z.zset.firstInRange(q.score!);
  else n = q.rev ? z.zset.lastInLexRange(q.lex!, z.encoding === 'listpack') : z.zset.firstInLexRange(q.lex!, z.encoding === 'listpack');
  // Redis skips `offset` nodes without checking the range; a negative offset never ends.
  if (q.offset < 0) return out;
  for (let skip = q.offset; n !== null && skip > 0; skip--) n = q.rev ? n.prev : n.forward;
  let limit = q.limit;
  while (n !== null && limit-- !== 0) {
    if (q.kind === 'score') {
      if (q.rev ? !aboveMin(n.score, q.score!) : !belowMax(n.score, q.score!)) break;
    } else if (q.rev ? !lexAboveMin(n.member, q.lex!) : !lexBelowMax(n.member, q.lex!)) break;
    out.push([n.member, n.score]);
    n = q.rev ? n.prev : n.forward;
  }
  return out;
}

function zrangeGeneric(c: Client, argv: string[], kind: RangeKind | null, rev: boolean | null): void {
  const q = parseRange(c, argv, 1, false, kind, rev);
  if (q === null) return;
  const z = lookupRead(c, argv[1], ZSetValue);
  if (z === null) return;
  replyPairs(c, z === undefined ? [] : collectRange(z, q), q.withScores);
}

/** Builds a sorted set from pairs with the encoding Redis would end up with. */
function buildZSet(c: Client, pairs: Iterable<Pair>): ZSetValue {
  const z = new ZSetValue();
  for (const [m, s] of pairs) zsetAdd(c, z, m, s);
  return z;
}

/** Stores a computed sorted set (or deletes the destination when empty) and replies its size. */
function storeZSet(c: Client, dst: string, z: ZSetValue, event: string): void {
  if (storeResult(c, dst, z, NOTIFY.ZSET, event)) c.server.dirty++;
  c.reply.int(z.size);
}

function zrangestore(c: Client, argv: string[]): void {
  const q = parseRange(c, argv, 2, true, null, null);
  if (q === null) return;
  const z = lookupRead(c, argv[2], ZSetValue);
  if (z === null) return;
  storeZSet(c, argv[1], buildZSet(c, z === undefined ? [] : collectRange(z, q)), 'zrangestore');
}

function zremrange(c: Client, argv: string[], kind: RangeKind): void {
  let q: RangeSpec;
  if (kind === 'rank') {
    const start = longArg(c, argv[2]);
    if (start === null) return;
    const end = longArg(c, argv[3]);
    if (end === null) return;
    q = { kind, rev: false, withScores: false, offset: 0, limit: -1, start, end, score: null, lex: null };
  } else if (kind === 'score') {
    const score = parseScoreRange(argv[2], argv[3]);
    if (score === null) {
      c.reply.error(ERR_RANGE_FLOAT);
      return;
    }
    q = { kind, rev: false, withScores: false, offset: 0, limit: -1, start: 0, end: 0, score, lex: null };
  } else {
    const lex = parseLexRange(argv[2], argv[3]);
    if (lex === null) {
      c.reply.error(ERR_RANGE_LEX);
      return;
    }
    q = { kind, rev: false, withScores: false, offset: 0, limit: -1, start: 0, end: 0, score: null, lex };
  }
  const z = lookupWrite(c, argv[1], ZSetValue);
  if (z === null) return;
  if (z === undefined) {
    c.reply.int(0);
    return;
  }
  const doomed = collectRange(z, q);
  for (const [m] of doomed) z.zset.remove(m);
  if (doomed.length > 0) afterChange(c, argv[1], z, NOTIFY.ZSET, `zremrangeby${kind}`);
  c.server.dirty += doomed.length;
  c.reply.int(doomed.length);
}

// ---- Pops --------------------------------------------------------------------------------------

export type ZPopWhere = 'min' | 'max';

/** Pops up to `count` members from an end of a non-empty sorted set; deletes the key if emptied. */
export function zsetPop(c: Client, key: string, z: ZSetValue, where: ZPopWhere, count: number): Pair[] {
  const out: Pair[] = [];
  while (out.length < count && z.size > 0) {
    const n = where === 'min' ? z.zset.first()! : z.zset.last()!;
    out.push([n.member, n.score]);
    z.zset.remove(n.member);
  }
  afterChange(c, key, z, NOTIFY.ZSET, where === 'min' ? 'zpopmin' : 'zpopmax');
  c.server.dirty += out.length;
  return out;
}

function zpop(c: Client, argv: string[], where: ZPopWhere): void {
  if (argv.length > 3) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  const countArg = popCountArg(c, argv);
  if (countArg === null) return;
  const hasCount = countArg !== NO_COUNT;
  const count = hasCount ? countArg : 1;
  const z = lookupWrite(c, argv[1], ZSetValue);
  if (z === null) return;
  if (z === undefined || count === 0) {
    c.reply.arrayHeader(0);
    return;
  }
  replyPairs(c, zsetPop(c, argv[1], z, where, count), true, hasCount);
}

/** Parsed arguments of ZMPOP (and BZMPOP after its timeout). */
export type ZMpopArgs = MultiPopArgs<ZPopWhere>;

function zpopWhereArg(c: Client, s: string): ZPopWhere | null {
  const w = s.toLowerCase();
  if (w === 'min' || w === 'max') return w;
  c.reply.error(ERR_SYNTAX);
  return null;
}

/** Parses ZMPOP's arguments starting at the numkeys index; null after replying the error. */
export function parseZmpopArgs(c: Client, argv: string[], numkeysIndex: number): ZMpopArgs | null {
  return parseMultiPopArgs(c, argv, numkeysIndex, zpopWhereArg);
}

/**
 * Pops from the first non-empty sorted set among `keys`, replying [key, [[member, score]...]]
 * and propagating ZPOPMIN/ZPOPMAX key count. False when all were missing (nothing replied),
 * null after WRONGTYPE.
 */
export function zmpopFirstNonEmpty(c: Client, args: ZMpopArgs): boolean | null {
  return popFromFirstExisting(c, args.keys, ZSetValue, (key, z) => {
    const popped = zsetPop(c, key, z, args.where, args.count);
    c.propagateArgv = [args.where === 'min' ? 'ZPOPMIN' : 'ZPOPMAX', key, String(args.count)];
    c.reply.arrayHeader(2);
    c.reply.bulk(key);
    c.reply.arrayHeader(popped.length);
    for (const [m, s] of popped) {
      c.reply.arrayHeader(2);
      c.reply.bulk(m);
      replyScore(c, s);
    }
  });
}

// ---- ZUNION / ZINTER / ZDIFF -------------------------------------------------------------------

type ZOp = 'union' | 'inter' | 'diff';

/** One input of ZUNION & co: a sorted set, a plain set (scores 1), or a missing key. */
interface ZSource {
  value: ZSetValue | SetValue | undefined;
  weight: number;
}

function sourceSize(s: ZSource): number {
  return s.value?.size ?? 0;
}

function sourceScore(s: ZSource, member: string): number | undefined {
  if (s.value === undefined) return undefined;
  if (s.value instanceof SetValue) return s.value.set.has(member) ? 1 : undefined;
  return s.value.zset.score(member);
}

function sourcePairs(s: ZSource): Iterable<Pair> {
  if (s.value === undefined) return [];
  if (s.value instanceof SetValue) return setMembers(s.value).map((m): Pair => [m, 1]);
  return s.value.zset.entries();
}

type Aggregate = 'sum' | 'min' | 'max';

function aggregate(acc: number, v: number, how: Aggregate): number {
  if (how === 'sum') {
    const r = acc + v;
    return Number.isNaN(r) ? 0 : r;
  }
  return how === 'min' ? (v < acc ? v : acc) : v > acc ? v : acc;
}

function weighted(score: number, weight: number): number {
  const r = score * weight;
  return Number.isNaN(r) ? 0 : r;
}

interface ZOpArgs {
  sources: ZSource[];
  aggregate: Aggregate;
  withScores: boolean;
  limit: number;
}

/**
 * Parses `numkeys key... [WEIGHTS ...] [AGGREGATE ...] [WITHSCORES]` (or LIMIT for ZINTERCARD),
 * looking keys up (WRONGTYPE) before the options, as Redis does. Null after replying an error.
 */
function parseZOp(c: Client, argv: string[], numkeysIndex: number, op: ZOp, store: boolean, cardOnly: boolean): ZOpArgs | null {
  const name = argv[0].toLowerCase();
  const setnum = longArg(c, argv[numkeysIndex]);
  if (setnum === null) return null;
  if (setnum < 1) {
    c.reply.error(`ERR at least 1 input key is needed for '${name}' command`);
    return null;
  }
  if (setnum > argv.length - numkeysIndex - 1) {
    c.reply.error(ERR_SYNTAX);
    return null;
  }
  const sources: ZSource[] = [];
  for (let i = 0; i < setnum; i++) {
    const key = argv[numkeysIndex + 1 + i];
    // Sources are reads even for the *STORE forms (they count keyspace hits/misses in Redis).
    const v = c.server.keyspace.lookupRead(c.db, key);
    if (v !== undefined && !(v instanceof ZSetValue) && !(v instanceof SetValue)) {
      c.reply.error('WRONGTYPE Operation against a key holding the wrong kind of value');
      return null;
    }
    sources.push({ value: v, weight: 1 });
  }
  const out: ZOpArgs = { sources, aggregate: 'sum', withScores: false, limit: 0 };
  for (let j = numkeysIndex + 1 + setnum; j < argv.length; ) {
    const o = argv[j].toLowerCase();
    const remaining = argv.length - j;
    if (op !== 'diff' && !cardOnly && remaining >= setnum + 1 && o === 'weights') {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const w = parseScore(argv[j]);
        if (w === null) {
          c.reply.error('ERR weight value is not a float');
          return null;
        }
        sources[i].weight = w;
      }
    } else if (op !== 'diff' && !cardOnly && remaining >= 2 && o === 'aggregate') {
      const a = argv[j + 1].toLowerCase();
      if (a !== 'sum' && a !== 'min' && a !== 'max') {
        c.reply.error(ERR_SYNTAX);
        return null;
      }
      out.aggregate = a;
      j += 2;
    } else if (cardOnly && remaining >= 2 && o === 'limit') {
      const n = nonNegativeArg(c, argv[j + 1], "ERR LIMIT can't be negative");
      if (n === null) return null;
      out.limit = n;
      j += 2;
    } else if (!store && !cardOnly && o === 'withscores') {
      out.withScores = true;
      j++;
    } else {
      c.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return out;
}

/** The result of ZUNION/ZINTER/ZDIFF as (member, score) pairs, unordered. */
function computeZOp(args: ZOpArgs, op: ZOp): Map<string, number> {
  const result = new Map<string, number>();
  const srcs = args.sources;
  if (op === 'diff') {
    for (const [m, s] of sourcePairs(srcs[0])) if (!srcs.some((x, i) => i > 0 && sourceScore(x, m) !== undefined)) result.set(m, s);
    return result;
  }
  // Smallest first, as Redis orders its inputs (its float sums follow this order).
  const sorted = srcs.slice().sort((a, b) => sourceSize(a) - sourceSize(b));
  if (op === 'inter') {
    if (sourceSize(sorted[0]) === 0) return result;
    outer: for (const [m, s] of sourcePairs(sorted[0])) {
      let score = weighted(s, sorted[0].weight);
      for (let j = 1; j < sorted.length; j++) {
        const v = sourceScore(sorted[j], m);
        if (v === undefined) continue outer;
        score = aggregate(score, weighted(v, sorted[j].weight), args.aggregate);
      }
      result.set(m, score);
      if (args.limit > 0 && result.size >= args.limit) break;
    }
    return result;
  }
  for (const src of sorted) {
    for (const [m, s] of sourcePairs(src)) {
      const v = weighted(s, src.weight);
      const acc = result.get(m);
      result.set(m, acc === undefined ? v : aggregate(acc, v, args.aggregate));
    }
  }
  return result;
}

function sortedPairs(m: Map<string, number>): Pair[] {
  const pairs = [...m];
  pairs.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs;
}

function zop(c: Client, argv: string[], op: ZOp): void {
  const args = parseZOp(c, argv, 1, op, false, false);
  if (args === null) return;
  replyPairs(c, sortedPairs(computeZOp(args, op)), args.withScores);
}

function zopStore(c: Client, argv: string[], op: ZOp): void {
  const args = parseZOp(c, argv, 2, op, true, false);
  if (args === null) return;
  const z = new ZSetValue();
  for (const [m, s] of computeZOp(args, op)) z.zset.add(m, s);
  settleZSetEncoding(c, z);
  storeZSet(c, argv[1], z, `z${op}store`);
}

function zintercard(c: Client, argv: string[]): void {
  const args = parseZOp(c, argv, 1, 'inter', false, true);
  if (args === null) return;
  c.reply.int(computeZOp(args, 'inter').size);
}

// ---- Random, scan ------------------------------------------------------------------------------

function zrandmember(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    const z = lookupRead(c, argv[1], ZSetValue);
    if (z === null) return;
    c.reply.bulkOrNull(z === undefined ? undefined : z.zset.at(Math.floor(Math.random() * z.size))!.member);
    return;
  }
  const count = longArg(c, argv[2]);
  if (count === null) return;
  if (argv.length > 4 || (argv.length === 4 && argv[3].toLowerCase() !== 'withscores')) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  const withScores = argv.length === 4;
  if (withScores && Math.abs(count) > Number.MAX_SAFE_INTEGER / 2) {
    c.reply.error('ERR value is out of range');
    return;
  }
  const z = lookupRead(c, argv[1], ZSetValue);
  if (z === null) return;
  if (z === undefined || count === 0) {
    c.reply.arrayHeader(0);
    return;
  }
  // Asking for at least the whole set returns it highest score first, as Redis does.
  const all = [...z.zset.entries()];
  replyPairs(c, count >= all.length ? all.reverse() : randomPicks(all, count), withScores);
}

function zscan(c: Client, argv: string[]): void {
  const t = scanTarget(c, argv, ZSetValue);
  if (t === null) return;
  const [z, cursor] = t;
  const compact = z.encoding === 'listpack';
  scanAggregate(c, argv, cursor, z, compact, function* () {
    for (const [m, s] of compact ? z.zset.entries() : z.zset.liveEntries()) yield [m, formatDouble(s)];
  });
}

const W = { firstKey: 1, lastKey: 1, step: 1, categories: ['sortedset'], group: 'sorted-set' };
const MOVABLE = { firstKey: 0, lastKey: 0, step: 0 };
const storeKeys = (argv: string[]): number[] => [1, ...numkeysKeys(argv, 2)];

export const ZSET_COMMANDS: CommandSpec[] = [
  command({ name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], ...W, summary: 'Add one or more members to a sorted set, or update its score if it already exists', since: '1.2.0', complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.', handler: (c, argv) => zaddGeneric(c, argv, false) }),
  command({ name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], ...W, summary: 'Increment the score of a member in a sorted set', since: '1.2.0', complexity: 'O(log(N)) where N is the number of elements in the sorted set.', handler: (c, argv) => zaddGeneric(c, argv, true) }),
  command({ name: 'zrem', arity: -3, flags: ['write', 'fast'], ...W, summary: 'Remove one or more members from a sorted set', since: '1.2.0', complexity: 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.', handler: zrem }),
  command({ name: 'zcard', arity: 2, flags: ['readonly', 'fast'], ...W, summary: 'Get the number of members in a sorted set', since: '1.2.0', complexity: 'O(1)', handler: zcard }),
  command({ name: 'zscore', arity: 3, flags: ['readonly', 'fast'], ...W, summary: 'Get the score associated with the given member in a sorted set', since: '1.2.0', complexity: 'O(1)', handler: zscore }),
  command({ name: 'zmscore', arity: -3, flags: ['readonly', 'fast'], ...W, summary: 'Get the score associated with the given members in a sorted set', since: '6.2.0', complexity: 'O(N) where N is the number of members being requested.', handler: zmscore }),
  command({ name: 'zrank', arity: 3, flags: ['readonly', 'fast'], ...W, summary: 'Determine the index of a member in a sorted set', since: '2.0.0', complexity: 'O(log(N))', handler: (c, argv) => zrank(c, argv, false) }),
  command({ name: 'zrevrank', arity: 3, flags: ['readonly', 'fast'], ...W, summary: 'Determine the index of a member in a sorted set, with scores ordered from high to low', since: '2.0.0', complexity: 'O(log(N))', handler: (c, argv) => zrank(c, argv, true) }),
  command({ name: 'zcount', arity: 4, flags: ['readonly', 'fast'], ...W, summary: 'Count the members in a sorted set with scores within the given values', since: '2.0.0', complexity: 'O(log(N)) with N being the number of elements in the sorted set.', handler: zcount }),
  command({ name: 'zlexcount', arity: 4, flags: ['readonly', 'fast'], ...W, summary: 'Count the number of members in a sorted set between a given lexicographical range', since: '2.8.9', complexity: 'O(log(N)) with N being the number of elements in the sorted set.', handler: zlexcount }),
  command({ name: 'zrange', arity: -4, flags: ['readonly'], ...W, summary: 'Return a range of members in a sorted set', since: '1.2.0', complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.', handler: (c, argv) => zrangeGeneric(c, argv, null, null) }),
  command({ name: 'zrangestore', arity: -5, flags: ['write', 'denyoom'], ...W, lastKey: 2, summary: 'Store a range of members from sorted set into another key', since: '6.2.0', complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.', handler: zrangestore }),
  command({ name: 'zrangebyscore', arity: -4, flags: ['readonly'], ...W, summary: 'Return a range of members in a sorted set, by score', since: '1.0.5', complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).', handler: (c, argv) => zrangeGeneric(c, argv, 'score', false) }),
  command({ name: 'zrevrangebyscore', arity: -4, flags: ['readonly'], ...W, summary: 'Return a range of members in a sorted set, by score, with scores ordered from high to low', since: '2.2.0', complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).', handler: (c, argv) => zrangeGeneric(c, argv, 'score', true) }),
  command({ name: 'zrangebylex', arity: -4, flags: ['readonly'], ...W, summary: 'Return a range of members in a sorted set, by lexicographical range', since: '2.8.9', complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).', handler: (c, argv) => zrangeGeneric(c, argv, 'lex', false) }),
  command({ name: 'zrevrangebylex', arity: -4, flags: ['readonly'], ...W, summary: 'Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.', since: '2.8.9', complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).', handler: (c, argv) => zrangeGeneric(c, argv, 'lex', true) }),
  command({ name: 'zrevrange', arity: -4, flags: ['readonly'], ...W, summary: 'Return a range of members in a sorted set, by index, with scores ordered from high to low', since: '1.2.0', complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.', handler: (c, argv) => zrangeGeneric(c, argv, 'rank', true) }),
  command({ name: 'zremrangebyrank', arity: 4, flags: ['write'], ...W, summary: 'Remove all members in a sorted set within the given indexes', since: '2.0.0', complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.', handler: (c, argv) => zremrange(c, argv, 'rank') }),
  command({ name: 'zremrangebyscore', arity: 4, flags: ['write'], ...W, summary: 'Remove all members in a sorted set within the given scores', since: '1.2.0', complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.', handler: (c, argv) => zremrange(c, argv, 'score') }),
  command({ name: 'zremrangebylex', arity: 4, flags: ['write'], ...W, summary: 'Remove all members in a sorted set between the given lexicographical range', since: '2.8.9', complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.', handler: (c, argv) => zremrange(c, argv, 'lex') }),
  command({ name: 'zpopmin', arity: -2, flags: ['write', 'fast'], ...W, summary: 'Remove and return members with the lowest scores in a sorted set', since: '5.0.0', complexity: 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.', handler: (c, argv) => zpop(c, argv, 'min') }),
  command({ name: 'zpopmax', arity: -2, flags: ['write', 'fast'], ...W, summary: 'Remove and return members with the highest scores in a sorted set', since: '5.0.0', complexity: 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.', handler: (c, argv) => zpop(c, argv, 'max') }),
  command({ name: 'zmpop', arity: -4, flags: ['write', 'movablekeys'], ...W, ...MOVABLE, summary: 'Remove and return members with scores in a sorted set', since: '7.0.0', complexity: 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.', getKeys: (argv) => numkeysKeys(argv, 1), handler: (c, argv) => multiPop(c, argv, parseZmpopArgs, zmpopFirstNonEmpty) }),
  command({ name: 'zunion', arity: -3, flags: ['readonly', 'movablekeys'], ...W, ...MOVABLE, summary: 'Add multiple sorted sets', since: '6.2.0', complexity: 'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.', getKeys: (argv) => numkeysKeys(argv, 1), handler: (c, argv) => zop(c, argv, 'union') }),
  command({ name: 'zunionstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], ...W, summary: 'Add multiple sorted sets and store the resulting sorted set in a new key', since: '2.0.0', complexity: 'O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.', getKeys: storeKeys, handler: (c, argv) => zopStore(c, argv, 'union') }),
  command({ name: 'zinter', arity: -3, flags: ['readonly', 'movablekeys'], ...W, ...MOVABLE, summary: 'Intersect multiple sorted sets', since: '6.2.0', complexity: 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.', getKeys: (argv) => numkeysKeys(argv, 1), handler: (c, argv) => zop(c, argv, 'inter') }),
  command({ name: 'zinterstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], ...W, summary: 'Intersect multiple sorted sets and store the resulting sorted set in a new key', since: '2.0.0', complexity: 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.', getKeys: storeKeys, handler: (c, argv) => zopStore(c, argv, 'inter') }),
  command({ name: 'zintercard', arity: -3, flags: ['readonly', 'movablekeys'], ...W, ...MOVABLE, summary: 'Intersect multiple sorted sets and return the cardinality of the result', since: '7.0.0', complexity: 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.', getKeys: (argv) => numkeysKeys(argv, 1), handler: zintercard }),
  command({ name: 'zdiff', arity: -3, flags: ['readonly', 'movablekeys'], ...W, ...MOVABLE, summary: 'Subtract multiple sorted sets', since: '6.2.0', complexity: 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.', getKeys: (argv) => numkeysKeys(argv, 1), handler: (c, argv) => zop(c, argv, 'diff') }),
  command({ name: 'zdiffstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], ...W, summary: 'Subtract multiple sorted sets and store the resulting sorted set in a new key', since: '6.2.0', complexity: 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.', getKeys: storeKeys, handler: (c, argv) => zopStore(c, argv, 'diff') }),
  command({ name: 'zrandmember', arity: -2, flags: ['readonly'], ...W, summary: 'Get one or multiple random elements from a sorted set', since: '6.2.0', complexity: 'O(N) where N is the number of elements returned', tips: ['nondeterministic_output'], handler: zrandmember }),
  command({ name: 'zscan', arity: -3, flags: ['readonly'], ...W, summary: 'Incrementally iterate sorted sets elements and associated scores', since: '2.8.0', complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..', tips: ['nondeterministic_output'], handler: zscan }),
];
