// The AOF base in command form, written when `aof-use-rdb-preamble no` (appendonly.aof.N.base.aof):
// what Redis 7.0's rewriteAppendOnlyFileRio writes. SELECT before each database's keys, then per
// key the commands that rebuild it: SET for a string, RPUSH / SADD / HMSET / ZADD for aggregates
// in batches of AOF_REWRITE_ITEMS_PER_CMD items (a ZADD item is a score and a member, an HMSET
// item a field and a value), zset scores as "%.17g", and PEXPIREAT with the absolute expiry
// after a key that has one. The snapshot engine drives it exactly as it drives RdbWriter, so the
// base is the same point-in-time walk.

import { Value, ListValue, HashValue, SetValue } from '../keyspace/values';
import { formatDouble } from '../commands/format-double';
import { ByteBuffer, SnapshotEncoder } from './rdb-writer';

/** Redis's AOF_REWRITE_ITEMS_PER_CMD. */
export const AOF_REWRITE_ITEMS_PER_CMD = 64;

export class AofBaseWriter extends ByteBuffer implements SnapshotEncoder {
  selectDb(id: number): void {
    this.header(2);
    this.bulk('SELECT');
    this.bulk(String(id));
  }

  keyValue(key: string, value: Value, expireAtMs: number | undefined): void {
    if (typeof value === 'string') {
      this.header(3);
      this.bulk('SET');
      this.bulk(key);
      this.bulk(value);
    } else if (value instanceof ListValue) {
      this.batches('RPUSH', key, value.items.toArray(), 1);
    } else if (value instanceof SetValue) {
      this.batches('SADD', key, value.set, 1);
    } else if (value instanceof HashValue) {
      this.batches('HMSET', key, pairs(value.map.entries(), (f, v) => [f, v]), 2);
    } else {
      this.batches('ZADD', key, pairs(value.zset.entries(), (m, score) => [formatDouble(score), m]), 2);
    }
    if (expireAtMs !== undefined) {
      this.header(3);
      this.bulk('PEXPIREAT');
      this.bulk(key);
      this.bulk(String(expireAtMs));
    }
  }

  /**
   * `name key arg...` commands of at most AOF_REWRITE_ITEMS_PER_CMD items each, an item being
   * `width` consecutive args of `args` (which holds items * width strings).
   */
  private batches(name: string, key: string, args: Iterable<string>, width: number): void {
    const it = args[Symbol.iterator]();
    const perCmd = AOF_REWRITE_ITEMS_PER_CMD * width;
    let pending: string[] = [];
    const flush = () => {
      this.header(2 + pending.length);
      this.bulk(name);
      this.bulk(key);
      for (const a of pending) this.bulk(a);
      pending = [];
    };
    for (let r = it.next(); !r.done; r = it.next()) {
      pending.push(r.value);
      if (pending.length === perCmd) flush();
    }
    if (pending.length > 0) flush();
  }

  private header(argc: number): void {
    this.latin1(`*${argc}\r\n`);
  }

  private bulk(s: string): void {
    this.latin1(`$${s.length}\r\n`);
    this.latin1(s);
    this.latin1('\r\n');
  }
}

/** Flattens [a, b] pairs of an iterator into a b a b ... through `order` (which puts them in command order). */
function* pairs<A, B>(entries: Iterable<[A, B]>, order: (a: A, b: B) => [string, string]): Generator<string> {
  for (const [a, b] of entries) {
    const [x, y] = order(a, b);
    yield x;
    yield y;
  }
}
