// maxmemory: before a command that may grow memory (the `denyoom` flag) runs while memory is over
// `maxmemory`, keys are evicted by `maxmemory-policy`; under noeviction (or with nothing left to
// evict) the command gets Redis's -OOM error. Evicted keys are propagated as DEL and fire the
// "evicted" keyspace event, as in Redis. Replicas do not evict (replica-ignore-maxmemory).
//
// Memory is measured by src/server/memory.ts (the same figure INFO reports, less the off-heap
// buffers); what eviction frees is estimated per key and reported to it, since the heap only
// shrinks when the garbage collector runs.
//
// Candidates are sampled as Redis does (maxmemory-samples keys per round into a pool of the 16
// best): at random from the keys (allkeys-*, through the database's sampler), and for volatile-*
// from a moving position in the TTL table, since a JS Map has no random access: a rotating
// cursor over every key with a TTL gives each one its turn.

import type { Server } from '../server/server';
import type { Database } from './keyspace';
import type { CommandSpec } from '../commands/command';
import type { LiveValue } from '../config/config';
import { ListValue, HashValue, SetValue, ZSetValue, Value } from './values';
import { samplerOf } from './sampler';
import { accessTracker } from '../commands/object';
import { notifyKeyspaceEvent, NOTIFY } from '../pubsub/notify';
import { memoryMeter } from '../server/memory';

export const ERR_OOM = "OOM command not allowed when used memory > 'maxmemory'.";

const POOL_SIZE = 16;
/** Bytes a key costs besides its contents (Map entry, string headers); an estimate. */
const KEY_OVERHEAD = 64;
/** Bytes an element of an aggregate costs besides its text (entry, string header); an estimate. */
const ELEMENT_OVERHEAD = 32;
/** How many elements of an aggregate eviction samples to estimate what deleting it frees. */
const EVICTION_SAMPLES = 8;

/** The text lengths of an aggregate's elements, in its order: a field and its value count as one. */
function* elementLengths(v: Exclude<Value, string>): Generator<number> {
  if (v instanceof ListValue) {
    for (let i = 0; i < v.items.length; i++) yield v.items.peekAt(i)!.length;
  } else if (v instanceof HashValue) {
    for (const [f, x] of v.map) yield f.length + x.length;
  } else if (v instanceof SetValue) {
    for (const m of v.set) yield m.length;
  } else {
    // A member and its 8-byte score.
    for (const [m] of (v as ZSetValue).zset.entries()) yield m.length + 8;
  }
}

/**
 * An estimate of the memory a key and its value take: what evicting it frees, and MEMORY USAGE.
 * An aggregate's elements are sampled up to `samples` (Infinity: all) and the average scaled up.
 */
export function estimateSize(key: string, v: Value, samples = EVICTION_SAMPLES): number {
  const n = KEY_OVERHEAD + key.length;
  if (typeof v === 'string') return n + v.length;
  let sampled = 0;
  let bytes = 0;
  for (const len of elementLengths(v)) {
    if (sampled >= samples) break;
    bytes += len + ELEMENT_OVERHEAD;
    sampled++;
  }
  return sampled === 0 ? n : n + Math.round((bytes / sampled) * v.size);
}

interface Candidate {
  db: Database;
  key: string;
  /** Higher is evicted first (idle time, inverse frequency, or inverse TTL). */
  score: number;
}

export class Eviction {
  private pool: Candidate[] = [];
  private cursors = new Map<Database, { dict: Map<string, unknown>; it: Iterator<string> }>();
  /** maxmemory, read by the gate before every command. */
  readonly maxmemory: LiveValue;

  constructor(private readonly server: Server) {
    this.maxmemory = server.config.live('maxmemory');
  }

  /**
   * Evicts until memory is under maxmemory. Returns false when it cannot (noeviction, or nothing
   * left to evict): the caller refuses the command with -OOM. Like Redis when its eviction time
   * limit is reached, a command is let through once the per-command bound is used up.
   */
  makeRoom(): boolean {
    const max = this.server.config.int('maxmemory');
    if (max <= 0) return true;
    if (this.server.role === 'slave' && this.server.config.bool('replica-ignore-maxmemory')) return true;
    const policy = this.server.config.str('maxmemory-policy');
    let used = memoryMeter.forEviction();
    if (used <= max) return true;
    if (policy === 'noeviction') return false;
    // Bounded per command, like Redis's eviction time limit.
    for (let i = 0; i < 1000 && used > max; i++) {
      const victim = this.pick(policy);
      if (victim === null) return false;
      this.evict(victim.db, victim.key);
      used = memoryMeter.forEviction();
    }
    return true;
  }

  private evict(db: Database, key: string): void {
    const server = this.server;
    const v = db.dict.get(key);
    if (v === undefined) return;
    memoryMeter.noteFreed(estimateSize(key, v));
    server.keyspace.delete(db, key);
    server.stats.evictedKeys++;
    server.feed.propagate(db.id, [server.config.bool('lazyfree-lazy-eviction') ? 'UNLINK' : 'DEL', key]);
    notifyKeyspaceEvent(server, NOTIFY.EVICTED, 'evicted', key, db.id);
  }

  /** The next key to evict under `policy`, or null when there is none. */
  private pick(policy: string): Candidate | null {
    const volatile = policy.startsWith('volatile-');
    if (policy.endsWith('-random')) {
      for (const db of this.server.keyspace.dbs) {
        const key = this.nextKey(db, volatile ? db.expires : db.dict);
        if (key !== null) return { db, key, score: 0 };
      }
      return null;
    }
    this.fillPool(policy, volatile);
    while (this.pool.length > 0) {
      const best = this.pool.pop()!;
      if (best.db.dict.has(best.key)) return best;
    }
    return null;
  }

  private fillPool(policy: string, volatile: boolean): void {
    const samples = Math.max(1, this.server.config.int('maxmemory-samples'));
    const tracker = policy.endsWith('-ttl') ? null : accessTracker(this.server);
    for (const db of this.server.keyspace.dbs) {
      const source = volatile ? db.expires : db.dict;
      if (source.size === 0) continue;
      for (let i = 0; i < samples; i++) {
        const key = this.nextKey(db, source);
        if (key === null) break;
        if (this.pool.some((c) => c.db === db && c.key === key)) continue;
        let score: number;
        if (policy.endsWith('-ttl')) score = -(db.expires.get(key) ?? Infinity);
        else if (policy.endsWith('-lfu')) score = 255 - tracker!.frequency(db, key);
        else score = tracker!.idleMs(db, key);
        this.pool.push({ db, key, score });
      }
    }
    this.pool.sort((a, b) => a.score - b.score);
    if (this.pool.length > POOL_SIZE) this.pool.splice(0, this.pool.length - POOL_SIZE);
  }

  /**
   * A candidate from `source`: for the keys (allkeys-*) a random one, through the database's
   * sampler; for the TTL table (volatile-*), which has no sampler, the next key after this
   * database's cursor, wrapping around. null if empty.
   */
  private nextKey(db: Database, source: Map<string, unknown>): string | null {
    if (source === db.dict) return samplerOf(db, db.dict, 0)!.pick((k) => db.dict.has(k)) ?? null;
    if (source.size === 0) return null;
    let cur = this.cursors.get(db);
    if (cur === undefined || cur.dict !== source) {
      cur = { dict: source, it: source.keys() };
      this.cursors.set(db, cur);
    }
    let r = cur.it.next();
    if (r.done) {
      cur.it = source.keys();
      r = cur.it.next();
    }
    return r.done ? null : r.value;
  }
}

/**
 * The maxmemory gate: with maxmemory set, every command first evicts what it must (as Redis's
 * performEvictions); a `denyoom` command is refused when memory is still over the limit.
 */
export function evictionCheck(e: Eviction, server: Server, spec: CommandSpec): string | null {
  if ((e.maxmemory.value as number) <= 0) return null;
  return e.makeRoom() || !spec.flags.includes('denyoom') ? null : ERR_OOM;
}
