// Commands across the numbered databases: MOVE, SWAPDB, FLUSHDB, FLUSHALL, DBSIZE (SELECT lives
// with the connection commands).
//
// FLUSHDB/FLUSHALL always propagate, even on an empty dataset, as Redis 7.0 forces them into the
// replication stream. ASYNC is accepted and runs synchronously: dropping a JS Map is already a
// constant-time unlink, the memory is reclaimed by the garbage collector off the command path.

import { command, CommandSpec } from './command';
import { ERR_NOT_INTEGER, ERR_SYNTAX, parseInt64 } from './args';
import type { Client } from '../server/client';
import type { Database } from '../keyspace/keyspace';
import { NOTIFY, notifyKeyspaceEvent } from '../pubsub/notify';

export const ERR_SAME_OBJECT = 'ERR source and destination objects are the same';
const ERR_DB_RANGE = 'ERR DB index is out of range';
const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;

/** A C int as getIntFromObject reads it (strict decimal, 32-bit), or null. */
function parseCInt(s: string): number | null {
  const n = s === '-0' ? null : parseInt64(s);
  return n === null || n > INT_MAX || n < INT_MIN ? null : Number(n);
}

/** The database numbered `index`, or undefined (selectDb's range check). */
function dbByIndex(c: Client, index: number): Database | undefined {
  return index < 0 ? undefined : c.server.db(index);
}

/** A DB index argument (getIntFromObjectOrReply + selectDb), or undefined after replying. */
export function dbArg(c: Client, s: string): Database | undefined {
  const n = parseCInt(s);
  if (n === null) {
    c.reply.error(ERR_NOT_INTEGER);
    return undefined;
  }
  const db = dbByIndex(c, n);
  if (db === undefined) c.reply.error(ERR_DB_RANGE);
  return db;
}

function move(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const dst = dbArg(c, argv[2]);
  if (dst === undefined) return;
  if (dst === c.db) {
    c.reply.error(ERR_SAME_OBJECT);
    return;
  }
  const key = argv[1];
  const v = ks.lookup(c.db, key);
  if (v === undefined || ks.lookup(dst, key) !== undefined) {
    c.reply.int(0);
    return;
  }
  const expire = ks.getExpire(c.db, key);
  ks.set(dst, key, v);
  if (expire !== -1) ks.setExpire(dst, key, expire);
  ks.delete(c.db, key);
  notifyKeyspaceEvent(c.server, NOTIFY.GENERIC, 'move_from', key, c.db.id);
  notifyKeyspaceEvent(c.server, NOTIFY.GENERIC, 'move_to', key, dst.id);
  c.server.dirty++;
  c.reply.int(1);
}

function swapdb(c: Client, argv: string[]): void {
  const a = parseCInt(argv[1]);
  if (a === null) {
    c.reply.error('ERR invalid first DB index');
    return;
  }
  const b = parseCInt(argv[2]);
  if (b === null) {
    c.reply.error('ERR invalid second DB index');
    return;
  }
  const dbA = dbByIndex(c, a);
  const dbB = dbByIndex(c, b);
  if (dbA === undefined || dbB === undefined) {
    c.reply.error(ERR_DB_RANGE);
    return;
  }
  if (dbA !== dbB) c.server.keyspace.swap(dbA, dbB);
  c.server.dirty++;
  c.reply.ok();
}

/** getFlushCommandFlags: only a lone SYNC or ASYNC is accepted. */
function flushArgsOk(c: Client, argv: string[]): boolean {
  if (argv.length === 1) return true;
  const mode = argv[1].toLowerCase();
  if (argv.length === 2 && (mode === 'sync' || mode === 'async')) return true;
  c.reply.error(ERR_SYNTAX);
  return false;
}

function flushdb(c: Client, argv: string[]): void {
  if (!flushArgsOk(c, argv)) return;
  c.server.dirty += c.server.keyspace.flush(c.db) + 1;
  c.reply.ok();
}

function flushall(c: Client, argv: string[]): void {
  if (!flushArgsOk(c, argv)) return;
  c.server.dirty += c.server.keyspace.flush() + 1;
  c.reply.ok();
}

const DANGEROUS = { categories: ['keyspace', 'dangerous'], group: 'server' };

export const DATABASE_COMMANDS: CommandSpec[] = [
  command({ name: 'move', arity: 3, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1, categories: ['keyspace'], group: 'generic', summary: 'Move a key to another database', since: '1.0.0', complexity: 'O(1)', handler: move }),
  command({ name: 'swapdb', arity: 3, flags: ['write', 'fast'], ...DANGEROUS, summary: 'Swaps two Redis databases', since: '4.0.0', complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.', handler: swapdb }),
  command({ name: 'flushdb', arity: -1, flags: ['write'], ...DANGEROUS, summary: 'Remove all keys from the current database', since: '1.0.0', complexity: 'O(N) where N is the number of keys in the selected database', tips: ['request_policy:all_shards', 'response_policy:all_succeeded'], handler: flushdb }),
  command({ name: 'flushall', arity: -1, flags: ['write'], ...DANGEROUS, summary: 'Remove all keys from all databases', since: '1.0.0', complexity: 'O(N) where N is the total number of keys in all databases', tips: ['request_policy:all_shards', 'response_policy:all_succeeded'], handler: flushall }),
  command({ name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], categories: ['keyspace'], group: 'server', summary: 'Return the number of keys in the selected database', since: '1.0.0', complexity: 'O(1)', tips: ['request_policy:all_shards', 'response_policy:agg_sum'], handler: (c) => c.reply.int(c.db.dict.size) }),
];
