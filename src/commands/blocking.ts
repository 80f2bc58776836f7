// Blocking list and sorted-set commands: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX
// BZMPOP. Each first tries its non-blocking form with the list/zset primitives of lists.ts and
// zsets.ts; when every key is empty it blocks (server/blocking.ts) with a retry that runs the
// same primitive on the key that became ready.
//
// Inside EXEC (and for the master link) nothing blocks: the command answers as if it timed out
// at once, as Redis 7.0 does. Served commands propagate as what they did (BLPOP -> LPOP k,
// BLMOVE -> LMOVE, BZPOPMIN -> ZPOPMIN k, BLMPOP -> LPOP k n).

import { command, CommandSpec } from './command';
import { parseDouble } from './args';
import type { Client } from '../server/client';
import { ListValue, ZSetValue } from '../keyspace/values';
import { blockingOf, BlockRequest } from '../server/blocking';
import { isWrongType, lookupWrite, numkeysKeys } from './type-helpers';
import { ListEnd, listEndArg, listMove, listPop, mpopFirstNonEmpty, parseLmpopArgs } from './lists';
import { parseZmpopArgs, zmpopFirstNonEmpty, zsetPop, ZPopWhere } from './zsets';
import { formatDouble } from './format-double';

/** Timeouts at or past 2^63 ms overflow in Redis and read as negative. */
const TIMEOUT_LIMIT_MS = 2 ** 63;

/**
 * Parses a timeout in (fractional) seconds into an absolute deadline in ms, 0 for "forever";
 * null after replying Redis's error.
 */
function timeoutArg(c: Client, s: string): number | null {
  const seconds = parseDouble(s);
  if (seconds === null) {
    c.reply.error('ERR timeout is not a float or out of range');
    return null;
  }
  const ms = Math.ceil(seconds * 1000);
  if (!(ms >= 0 && ms < TIMEOUT_LIMIT_MS)) {
    c.reply.error('ERR timeout is negative');
    return null;
  }
  return ms === 0 ? 0 : Date.now() + ms;
}

/**
 * Runs `attempt` now; if it found nothing, blocks on `keys` with it as the retry, or when
 * blocking is not possible (inside EXEC) replies `notServed` at once.
 */
function popOrBlock(c: Client, keys: readonly string[], deadline: number, attempt: () => boolean, retry: NonNullable<BlockRequest['retry']>, onTimeout: (c: Client) => void, notServed = onTimeout, alsoWrites: readonly string[] = []): void {
  if (attempt()) return;
  const blocking = blockingOf(c.server);
  if (!blocking.canBlock(c)) {
    notServed(c);
    return;
  }
  blocking.block(c, { keys, deadline, retry, onTimeout, alsoWrites });
}

const replyNullArray = (c: Client): void => c.reply.nullArray();

/**
 * BLPOP/BRPOP/BZPOPMIN/BZPOPMAX `key... timeout`: `popOne` pops from a key of type `kind` and
 * replies, or returns false when the key is missing. A woken client skips a key that now holds
 * another type and keeps waiting, as in Redis 7.0.
 */
function popFirstOrBlock(c: Client, argv: string[], kind: typeof ListValue | typeof ZSetValue, popOne: (c: Client, key: string) => boolean): void {
  const deadline = timeoutArg(c, argv[argv.length - 1]);
  if (deadline === null) return;
  const keys = argv.slice(1, -1);
  popOrBlock(
    c, keys, deadline,
    () => keys.some((key) => popOne(c, key)),
    (c, key) => !isWrongType(c, key, kind) && popOne(c, key),
    replyNullArray,
  );
}

/**
 * BLMPOP/BZMPOP `timeout numkeys key... where [COUNT n]`, with the LMPOP/ZMPOP parser and pop of
 * lists.ts / zsets.ts (which reply and set the propagated effect).
 */
function mpopOrBlock<A extends { keys: string[] }>(
  c: Client, argv: string[], kind: typeof ListValue | typeof ZSetValue,
  parse: (c: Client, argv: string[], numkeysIndex: number) => A | null,
  popFirst: (c: Client, args: A) => boolean | null,
): void {
  const deadline = timeoutArg(c, argv[1]);
  if (deadline === null) return;
  const args = parse(c, argv, 2);
  if (args === null) return;
  popOrBlock(
    c, args.keys, deadline,
    () => popFirst(c, args) !== false,
    (c, key) => !isWrongType(c, key, kind) && popFirst(c, { ...args, keys: [key] }) === true,
    replyNullArray,
  );
}

// ---------------------------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------------------------

/** Pops one element from `key` if it is a non-empty list, replying [key, element]. */
function popOne(c: Client, key: string, where: ListEnd): boolean {
  const list = lookupWrite(c, key, ListValue);
  if (list === null) return true;
  if (list === undefined) return false;
  const [element] = listPop(c.server, c.db, key, list, where, 1);
  c.server.dirty++;
  c.propagateArgv = [where === 'left' ? 'LPOP' : 'RPOP', key];
  c.reply.arrayHeader(2);
  c.reply.bulk(key);
  c.reply.bulk(element);
  return true;
}

/** LMOVE's effect when `src` is a non-empty list and `dst` is not of another type. */
function moveOne(c: Client, src: string, dst: string, from: ListEnd, to: ListEnd, effect: string[]): boolean {
  const list = lookupWrite(c, src, ListValue);
  if (list === null) return true;
  if (list === undefined) return false;
  if (lookupWrite(c, dst, ListValue) === null) return true;
  const element = listMove(c.server, c.db, src, list, dst, from, to);
  c.server.dirty++;
  c.propagateArgv = effect;
  c.reply.bulk(element);
  return true;
}

/**
 * BLMOVE/BRPOPLPUSH. `effect` is what a move propagates as: done at once, Redis rewrites the
 * command with the arguments as sent (LMOVE s d RIGHT left); served after blocking, it builds
 * LMOVE with lowercase ends, so `effect` is told which.
 */
function blmove(c: Client, src: string, dst: string, from: ListEnd, to: ListEnd, timeout: string, effect: (served: boolean) => string[]): void {
  const deadline = timeoutArg(c, timeout);
  if (deadline === null) return;
  popOrBlock(
    c, [src], deadline,
    () => moveOne(c, src, dst, from, to, effect(false)),
    (c) => !isWrongType(c, src, ListValue) && !isWrongType(c, dst, ListValue) && moveOne(c, src, dst, from, to, effect(true)),
    replyNullArray,
    (c) => c.reply.nullBulk(),
    [dst],
  );
}

// ---------------------------------------------------------------------------------------------
// Sorted sets
// ---------------------------------------------------------------------------------------------

/** Pops one member from `key` if it is a non-empty sorted set, replying [key, member, score]. */
function zpopOne(c: Client, key: string, where: ZPopWhere): boolean {
  const z = lookupWrite(c, key, ZSetValue);
  if (z === null) return true;
  if (z === undefined) return false;
  const [[member, score]] = zsetPop(c, key, z, where, 1);
  c.propagateArgv = [where === 'min' ? 'ZPOPMIN' : 'ZPOPMAX', key];
  c.reply.arrayHeader(3);
  c.reply.bulk(key);
  c.reply.bulk(member);
  c.reply.double(formatDouble(score));
  return true;
}

const L = { categories: ['list'], group: 'list' };
const Z = { categories: ['sortedset'], group: 'sorted-set' };

export const BLOCKING_COMMANDS: CommandSpec[] = [
  command({
    ...L, name: 'blpop', arity: -3, flags: ['write', 'noscript', 'blocking'], firstKey: 1, lastKey: -2, step: 1,
    summary: 'Remove and get the first element in a list, or block until one is available', since: '2.0.0', complexity: 'O(N) where N is the number of provided keys.',
    handler: (c, argv) => popFirstOrBlock(c, argv, ListValue, (c, key) => popOne(c, key, 'left')),
  }),
  command({
    ...L, name: 'brpop', arity: -3, flags: ['write', 'noscript', 'blocking'], firstKey: 1, lastKey: -2, step: 1,
    summary: 'Remove and get the last element in a list, or block until one is available', since: '2.0.0', complexity: 'O(N) where N is the number of provided keys.',
    handler: (c, argv) => popFirstOrBlock(c, argv, ListValue, (c, key) => popOne(c, key, 'right')),
  }),
  command({
    ...L, name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'noscript', 'blocking'], firstKey: 1, lastKey: 2, step: 1,
    summary: 'Pop an element from a list, push it to another list and return it; or block until one is available', since: '6.2.0', complexity: 'O(1)',
    handler: (c, argv) => {
      const from = listEndArg(c, argv[3]);
      if (from === null) return;
      const to = listEndArg(c, argv[4]);
      if (to === null) return;
      blmove(c, argv[1], argv[2], from, to, argv[5], (served) => ['LMOVE', argv[1], argv[2], served ? from : argv[3], served ? to : argv[4]]);
    },
  }),
  command({
    ...L, name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'noscript', 'blocking'], firstKey: 1, lastKey: 2, step: 1,
    summary: 'Pop an element from a list, push it to another list and return it; or block until one is available', since: '2.2.0', complexity: 'O(1)',
    handler: (c, argv) => blmove(c, argv[1], argv[2], 'right', 'left', argv[3], () => ['RPOPLPUSH', argv[1], argv[2]]),
  }),
  command({
    ...L, name: 'blmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'],
    summary: 'Pop elements from a list, or block until one is available', since: '7.0.0', complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
    getKeys: (argv) => numkeysKeys(argv, 2),
    handler: (c, argv) => mpopOrBlock(c, argv, ListValue, parseLmpopArgs, mpopFirstNonEmpty),
  }),
  command({
    ...Z, name: 'bzpopmin', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], firstKey: 1, lastKey: -2, step: 1,
    summary: 'Remove and return the member with the lowest score from one or more sorted sets, or block until one is available', since: '5.0.0', complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
    handler: (c, argv) => popFirstOrBlock(c, argv, ZSetValue, (c, key) => zpopOne(c, key, 'min')),
  }),
  command({
    ...Z, name: 'bzpopmax', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], firstKey: 1, lastKey: -2, step: 1,
    summary: 'Remove and return the member with the highest score from one or more sorted sets, or block until one is available', since: '5.0.0', complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
    handler: (c, argv) => popFirstOrBlock(c, argv, ZSetValue, (c, key) => zpopOne(c, key, 'max')),
  }),
  command({
    ...Z, name: 'bzmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'],
    summary: 'Remove and return members with scores in a sorted set or block until one is available', since: '7.0.0', complexity: 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
    getKeys: (argv) => numkeysKeys(argv, 2),
    handler: (c, argv) => mpopOrBlock(c, argv, ZSetValue, parseZmpopArgs, zmpopFirstNonEmpty),
  }),
];
