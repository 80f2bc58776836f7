// The keyspace: `databases` numbered databases, each a Map from key to value plus a Map of
// expiry times (absolute ms), as Redis keeps `dict` and `expires` apart so that keys without a
// TTL cost nothing extra.
//
// Expiry is lazy on access plus an active cycle (expire-cycle.ts). Who may delete an expired key
// depends on the role: a master deletes it and tells its listeners (propagated as DEL, keyspace
// event "expired"); a replica never deletes on its own, it only hides logically expired keys from
// its clients and waits for the master's DEL; commands arriving from the master see every key.
//
// Every change to a key goes through `modified()` so WATCH, client-side caching and the
// snapshot engine can hook one place.

import { Value } from './values';
import type { RandomSampler } from './sampler';

export class Database {
  dict = new Map<string, Value>();
  expires = new Map<string, number>();
  /** Random access to the keys once RANDOMKEY asked for it (sampler.ts). */
  sampler: RandomSampler<string> | null = null;
  constructor(readonly id: number) {}

  get size(): number {
    return this.dict.size;
  }
}

export interface KeyspaceListener {
  /**
   * A key's value changed, or the key was deleted (WATCH, snapshots). Left out by listeners
   * that only want the other two: every write calls each one that has it.
   */
  keyModified?(db: Database, key: string): void;
  /** A master expired a key: propagate a DEL and fire the "expired" event. */
  keyExpired(db: Database, key: string): void;
  /** Every key of a database is gone (FLUSHDB/FLUSHALL) or its contents were swapped (SWAPDB). */
  dbReplaced(db: Database): void;
}

export type ExpiryMode =
  /** Delete expired keys (a master, or a writable standalone server). */
  | 'delete'
  /** Hide expired keys but never delete them (a replica serving its own clients). */
  | 'hide'
  /** See every key as stored (a replica applying its master's stream). */
  | 'ignore';

export class Keyspace {
  dbs: Database[];
  expiryMode: ExpiryMode = 'delete';
  /** The clock `now` reads (the server sets its own; tests inject a fake one). */
  clock: () => number = Date.now;
  private nowMs = Date.now();
  private nowStale = false;
  expiredKeys = 0;
  /** keyspace_hits / keyspace_misses: lookups made on behalf of reading commands. */
  hits = 0;
  misses = 0;
  listeners: KeyspaceListener[] = [];
  /** Called on every touching lookup once access tracking is on (OBJECT IDLETIME, LRU/LFU). */
  accessHook: ((db: Database, key: string) => void) | null = null;
  /**
   * The 'new' and 'keymiss' keyspace events. Set only while notify-keyspace-events enables
   * them, so the hot paths pay one null check (telling a new key from an overwrite costs a
   * lookup).
   */
  newKeyHook: ((db: Database, key: string) => void) | null = null;
  missHook: ((db: Database, key: string) => void) | null = null;
  /**
   * The keyspace-event classes `notify-keyspace-events` enables (pubsub/notify.ts keeps it and
   * reads it on every write: a field here rather than a WeakMap lookup per write).
   */
  eventFlags = 0;

  constructor(count: number) {
    this.dbs = Array.from({ length: count }, (_, i) => new Database(i));
  }

  /**
   * The time commands see, in ms: one instant per command. Dispatch calls newInstant() before
   * each command and the clock is read at the first use, so the many commands that never ask
   * (while no key has a TTL, most of them) cost no clock read.
   */
  get now(): number {
    if (this.nowStale) {
      this.nowMs = this.clock();
      this.nowStale = false;
    }
    return this.nowMs;
  }

  set now(ms: number) {
    this.nowMs = ms;
    this.nowStale = false;
  }

  /** A new command starts: the next read of `now` reads the clock. */
  newInstant(): void {
    this.nowStale = true;
  }

  /** True when the key exists and has a TTL in the past. */
  isLogicallyExpired(db: Database, key: string): boolean {
    const when = db.expires.get(key);
    return when !== undefined && when <= this.now;
  }

  /**
   * Applies lazy expiry to a key before it is used. Returns true when the key must be treated as
   * missing (expired).
   */
  expireIfNeeded(db: Database, key: string): boolean {
    if (db.expires.size === 0 || this.expiryMode === 'ignore') return false;
    const when = db.expires.get(key);
    if (when === undefined || when > this.now) return false;
    if (this.expiryMode === 'hide') return true;
    this.deleteExpired(db, key);
    return true;
  }

  /** Deletes a key whose TTL passed and notifies listeners (propagation, events). */
  deleteExpired(db: Database, key: string): void {
    db.dict.delete(key);
    db.expires.delete(key);
    this.expiredKeys++;
    this.modified(db, key);
    for (const l of this.listeners) l.keyExpired(db, key);
  }

  /**
   * The value of a live key, or undefined. `touch` false is Redis's LOOKUP_NOTOUCH (TYPE, TTL,
   * OBJECT...): the key's access time is left alone.
   */
  lookup(db: Database, key: string, touch = true): Value | undefined {
    const v = db.dict.get(key);
    if (v === undefined) return undefined;
    if (this.expireIfNeeded(db, key)) return undefined;
    if (touch && this.accessHook !== null) this.accessHook(db, key);
    return v;
  }

  /**
   * lookup() for reading commands: counts a hit or a miss. `notifyMiss` false is Redis's
   * LOOKUP_NONOTIFY (OBJECT, MEMORY USAGE): a miss fires no 'keymiss' event.
   */
  lookupRead(db: Database, key: string, touch = true, notifyMiss = true): Value | undefined {
    const v = this.lookup(db, key, touch);
    if (v === undefined) {
      this.misses++;
      if (notifyMiss && this.missHook !== null) this.missHook(db, key);
    } else this.hits++;
    return v;
  }

  exists(db: Database, key: string): boolean {
    return this.lookup(db, key) !== undefined;
  }

  /** Stores a value, clearing any TTL unless keepTtl. */
  set(db: Database, key: string, value: Value, keepTtl = false): void {
    const isNew = (this.newKeyHook !== null || db.sampler !== null) && !db.dict.has(key);
    db.dict.set(key, value);
    if (!keepTtl && db.expires.size > 0) db.expires.delete(key);
    this.modified(db, key);
    if (isNew) {
      if (db.sampler !== null) db.sampler.added(key);
      if (this.newKeyHook !== null) this.newKeyHook(db, key);
    }
  }

  /** Replaces the value of an existing key in place-of (same TTL). */
  overwrite(db: Database, key: string, value: Value): void {
    db.dict.set(key, value);
    this.modified(db, key);
  }

  /** Deletes a key; returns whether it existed (expired keys count as missing). */
  delete(db: Database, key: string): boolean {
    if (!db.dict.has(key)) return false;
    if (this.expireIfNeeded(db, key)) return false;
    db.dict.delete(key);
    db.expires.delete(key);
    this.modified(db, key);
    return true;
  }

  /** Sets an absolute expiry time in ms; the key must exist. */
  setExpire(db: Database, key: string, whenMs: number): void {
    db.expires.set(key, whenMs);
    this.modified(db, key);
  }

  /** Absolute expiry in ms, or -1 when the key has no TTL. */
  getExpire(db: Database, key: string): number {
    return db.expires.get(key) ?? -1;
  }

  /** Removes a TTL; returns whether there was one. */
  persist(db: Database, key: string): boolean {
    if (!db.expires.delete(key)) return false;
    this.modified(db, key);
    return true;
  }

  /** Signals that an aggregate value was changed in place. */
  modified(db: Database, key: string): void {
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) ls[i].keyModified?.(db, key);
  }

  /** Empties one database (FLUSHDB) or all (FLUSHALL); returns the number of keys removed. */
  flush(db?: Database): number {
    const targets = db ? [db] : this.dbs;
    let removed = 0;
    for (const d of targets) {
      removed += d.dict.size;
      d.dict.clear();
      d.expires.clear();
      for (const l of this.listeners) l.dbReplaced(d);
    }
    return removed;
  }

  /** Exchanges the contents of two databases (SWAPDB). */
  swap(a: Database, b: Database): void {
    [a.dict, b.dict] = [b.dict, a.dict];
    [a.expires, b.expires] = [b.expires, a.expires];
    for (const l of this.listeners) l.dbReplaced(a);
    for (const l of this.listeners) l.dbReplaced(b);
  }

  /** Total number of keys across databases. */
  totalKeys(): number {
    let n = 0;
    for (const d of this.dbs) n += d.dict.size;
    return n;
  }
}
