// The forkless point-in-time snapshot engine: produces an RDB (version 10) byte stream of the
// dataset as it was when the snapshot started, while the server keeps serving writes. One engine
// serves SAVE (synchronous), BGSAVE, save points, SHUTDOWN, DEBUG RELOAD, replication full sync
// and AOF rewrite.
//
// How it stays point-in-time without fork(): the walk iterates each database's Map in small
// time-bounded steps (a few ms per event-loop turn). Before a write command runs, a guard wrapped
// around every `write` command's handler serializes, for each running snapshot, the old value of
// every key the command declares that the walk has not reached yet (in every database, so MOVE and
// COPY ... DB are covered) — Dragonfly's "serialize before the first change" scheme with a per-key
// visited set instead of bucket versions. A key created after the start is marked visited by the
// keyModified listener so the walk skips it. Keyless writes (FLUSHALL, FLUSHDB, SWAPDB, ...) make
// every running snapshot copy the Maps it has not finished (O(keys) pointer copies, as those
// commands are O(keys) themselves), so what they clear or swap cannot reach the snapshot. A load
// (DEBUG RELOAD, replica full sync) installs new Maps and leaves the old ones untouched.
//
// Keys deleted by expiry (lazily or by the active cycle) before the walk reaches them are left
// out: their TTL has passed, so a loader would drop them too.
//
// Several snapshots may run at once (a BGSAVE while a replica syncs); each keeps its own walk,
// visited sets and stream. Callers that must not overlap (BGSAVE) check that themselves.
//
// Writes a command performs on keys it does not declare (a Lua script touching undeclared keys)
// bypass the guard: such a key is serialized with its new value or, if created, skipped.

import type { Server } from '../server/server';
import type { Client } from '../server/client';
import type { CommandSpec } from '../commands/command';
import type { Database, KeyspaceListener } from '../keyspace/keyspace';
import type { Value } from '../keyspace/values';
import { commandKeys } from '../acl/acl';
import { REDIS_COMPAT_VERSION } from '../server/version';
import { usedMemory } from '../server/info';
import { RdbWriter } from './rdb-writer';
import { Crc64 } from './crc64';
import { RDB_VERSION } from './rdb-format';
import { KeyDelay, sleepSync } from './debug-delay';

export interface SnapshotOptions {
  /** AUX fields after Tandem's defaults (redis-ver, redis-bits, ctime, used-mem, aof-base); same names replace them. */
  aux?: Record<string, string>;
  /**
   * Receives the stream in order; the Buffer is the receiver's to keep. Returning false pauses
   * the walk until handle.resume() (backpressure from a slow socket).
   */
  onChunk(buf: Buffer): void | boolean;
  /** Called once when the stream is complete (null) or failed. Not called after cancel(). */
  onEnd(err: Error | null): void;
  /** Run to completion inside startSnapshot (SAVE, SHUTDOWN, DEBUG RELOAD). */
  sync?: boolean;
}

export interface SnapshotHandle {
  /** Stops the snapshot and frees its state; onEnd is not called. */
  cancel(): void;
  /** Continues a walk paused by onChunk returning false. */
  resume(): void;
  /** Keys serialized so far. */
  readonly keys: number;
}

/** Longest a walk step may hold the event loop. */
const STEP_BUDGET_MS = 2;
/** A chunk goes to onChunk once this much is buffered. */
const CHUNK_BYTES = 256 * 1024;

/** Snapshots running in the whole process, so the write guard costs one comparison when idle. */
let runningTotal = 0;
const engines = new WeakMap<Server, SnapshotEngine>();
const guardedSpecs = new WeakSet<CommandSpec>();

class SnapshotEngine implements KeyspaceListener {
  readonly running = new Set<Snapshot>();

  constructor(readonly server: Server) {
    server.addKeyspaceListener(this);
    guardWriteCommands(server);
  }

  keyModified(db: Database, key: string): void {
    if (this.running.size === 0) return;
    for (const s of this.running) s.noteModified(db, key);
  }

  keyExpired(): void {
    // Expired keys are left out of a snapshot the walk has not reached; see the header.
  }

  dbReplaced(): void {
    // FLUSH*/SWAPDB were handled before they ran (freeze); loads install fresh Maps.
  }

  /** Runs before a write command: protects the old values the command may change. */
  beforeWrite(spec: CommandSpec, argv: string[]): void {
    let positions: number[] | null;
    try {
      positions = spec.getKeys !== undefined || spec.firstKey > 0 ? commandKeys(spec, argv) : null;
    } catch {
      positions = null;
    }
    for (const s of this.running) {
      if (positions === null) s.freeze();
      else for (const p of positions) if (p < argv.length) s.preserve(argv[p]);
    }
  }
}

/** The engine of a server, created on first use (setup.ts creates it at startup). */
export function snapshotEngine(server: Server): SnapshotEngine {
  let e = engines.get(server);
  if (e === undefined) {
    e = new SnapshotEngine(server);
    engines.set(server, e);
  }
  return e;
}

/**
 * Wraps the handler of every `write` command so that running snapshots see the old values
 * first. Specs are shared by every Server in the process, so each is wrapped once and the
 * wrapper finds the engine of the client's server.
 */
function guardWriteCommands(server: Server): void {
  const guard = (spec: CommandSpec): void => {
    for (const sub of spec.subcommands ?? []) guard(sub);
    const inner = spec.handler;
    if (inner === undefined || !spec.flags.includes('write') || guardedSpecs.has(spec)) return;
    guardedSpecs.add(spec);
    spec.handler = (c: Client, argv: string[]) => {
      if (runningTotal > 0) {
        const e = engines.get(c.server);
        if (e !== undefined && e.running.size > 0) e.beforeWrite(spec, argv);
      }
      inner(c, argv);
    };
  };
  for (const [, spec] of server.commands.entries()) guard(spec);
}

/** Serializes `key` in every running snapshot that has not reached it (for writers outside commands). */
export function preserveKey(server: Server, key: string): void {
  const e = engines.get(server);
  if (e !== undefined) for (const s of e.running) s.preserve(key);
}

/** Starts a point-in-time RDB stream of the whole dataset; see SnapshotOptions. */
export function startSnapshot(server: Server, opts: SnapshotOptions): SnapshotHandle {
  const s = new Snapshot(snapshotEngine(server), opts);
  s.start();
  return s;
}

/** Number of snapshots running on this server (INFO, BGSAVE's "already in progress"). */
export function runningSnapshots(server: Server): number {
  return engines.get(server)?.running.size ?? 0;
}

const SHARDS = 64;

/**
 * A set of keys split over 64 Sets by a cheap hash of two characters and the length. One Set of
 * a million keys rehashes all of them at once when it grows (a pause of tens of ms in the middle
 * of a snapshot); 64 smaller ones spread that work.
 */
class KeySet {
  private readonly shards: Array<Set<string>> = Array.from({ length: SHARDS }, () => new Set());

  private shard(key: string): Set<string> {
    const n = key.length;
    return this.shards[n === 0 ? 0 : (key.charCodeAt(n - 1) * 31 + key.charCodeAt(n >> 1) + n) & (SHARDS - 1)];
  }

  has(key: string): boolean {
    return this.shard(key).has(key);
  }

  add(key: string): void {
    this.shard(key).add(key);
  }
}

class Snapshot implements SnapshotHandle {
  private readonly server: Server;
  /** Each database's Maps as of the start (or private copies after a freeze). */
  private readonly dicts: Array<Map<string, Value>>;
  private readonly expires: Array<Map<string, number>>;
  /** Per database: keys already serialized, or created/deleted since the start. */
  private readonly visited: KeySet[];
  private readonly writer: RdbWriter;
  private readonly crc: Crc64 | null;
  private readonly keyDelay: KeyDelay;
  /** The database the walk is in; databases below it are complete. */
  private db = 0;
  private iter: Iterator<[string, Value]> | null = null;
  /** The database the stream last selected (preserved keys may switch it). */
  private streamDb = -1;
  private paused = false;
  private finished = false;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  keys = 0;

  constructor(
    private readonly engine: SnapshotEngine,
    private readonly opts: SnapshotOptions,
  ) {
    const server = engine.server;
    this.server = server;
    const dbs = server.keyspace.dbs;
    this.dicts = dbs.map((d) => d.dict);
    this.expires = dbs.map((d) => d.expires);
    this.visited = dbs.map(() => new KeySet());
    this.writer = new RdbWriter(server.config.bool('rdbcompression'));
    this.crc = server.config.bool('rdbchecksum') ? new Crc64() : null;
    this.keyDelay = new KeyDelay(server.config.int('rdb-key-save-delay') || 0);
  }

  start(): void {
    this.engine.running.add(this);
    runningTotal++;
    const w = this.writer;
    w.header(RDB_VERSION);
    const aux: Record<string, string> = {
      'redis-ver': REDIS_COMPAT_VERSION,
      'redis-bits': '64',
      ctime: String(Math.floor(Date.now() / 1000)),
      'used-mem': String(usedMemory()),
      ...this.opts.aux,
    };
    if (!('aof-base' in aux)) aux['aof-base'] = '0';
    for (const [k, v] of Object.entries(aux)) w.aux(k, v);
    if (this.opts.sync) {
      try {
        this.walkAll();
      } catch (e) {
        this.fail(e as Error);
      }
    } else {
      this.schedule(0);
    }
  }

  cancel(): void {
    if (this.finished) return;
    this.stop();
  }

  resume(): void {
    if (!this.paused || this.finished) return;
    this.paused = false;
    if (this.timer === null) this.schedule(0);
  }

  /** Serializes key's current (still original) value in every database the walk has not passed. */
  preserve(key: string): void {
    for (let i = this.db; i < this.dicts.length; i++) {
      const seen = this.visited[i];
      if (seen.has(key)) continue;
      const v = this.dicts[i].get(key);
      if (v === undefined) continue;
      seen.add(key);
      this.writeKey(i, key, v);
    }
  }

  /** After a change nobody preserved (a key created since the start): keep the walk off it. */
  noteModified(db: Database, key: string): void {
    for (let i = this.db; i < this.dicts.length; i++) {
      if (this.dicts[i] === db.dict) {
        this.visited[i].add(key);
        return;
      }
    }
  }

  /** Copies the Maps the walk has not finished, before a keyless write clears or swaps them. */
  freeze(): void {
    const live = new Set(this.server.keyspace.dbs.map((d) => d.dict));
    for (let i = this.db; i < this.dicts.length; i++) {
      if (!live.has(this.dicts[i])) continue;
      this.dicts[i] = new Map(this.dicts[i]);
      this.expires[i] = new Map(this.expires[i]);
      // Restart over the copy; the walk skips what it already wrote (visited).
      if (i === this.db && this.iter !== null) this.iter = this.dicts[i].entries();
    }
  }

  private writeKey(dbIndex: number, key: string, value: Value): void {
    if (this.streamDb !== dbIndex) {
      this.writer.selectDb(dbIndex);
      this.streamDb = dbIndex;
    }
    const exp = this.expires[dbIndex];
    this.writer.keyValue(key, value, exp.size > 0 ? exp.get(key) : undefined);
    this.keys++;
  }

  private schedule(delayMs: number): void {
    this.timer = delayMs > 0 ? setTimeout(() => this.turn(), delayMs) : setImmediate(() => this.turn());
  }

  private turn(): void {
    this.timer = null;
    if (this.finished || this.paused) return;
    try {
      const delayMs = this.step();
      if (!this.finished && !this.paused) this.schedule(delayMs);
    } catch (e) {
      this.fail(e as Error);
    }
  }

  /** SELECTDB and the RESIZEDB hint before a database's keys. */
  private beginDb(i: number): void {
    this.writer.selectDb(i);
    this.writer.resizeDb(this.dicts[i].size, this.expires[i].size);
    this.streamDb = i;
  }

  /**
   * A synchronous snapshot (SAVE): every database in one plain loop, since no command can run
   * in between (no visited sets, no resumable iterator).
   */
  private walkAll(): void {
    for (let i = 0; i < this.dicts.length; i++) {
      const dict = this.dicts[i];
      if (dict.size === 0) continue;
      this.beginDb(i);
      for (const [key, value] of dict) {
        this.writeKey(i, key, value);
        if (this.writer.length >= CHUNK_BYTES) this.emit();
        if (this.keyDelay.active) {
          const ms = this.keyDelay.tick();
          if (ms > 0) sleepSync(ms);
        }
      }
    }
    this.db = this.dicts.length;
    this.finish();
  }

  /**
   * Walks until the time budget is spent or the end; returns how long to wait before the next
   * step (rdb-key-save-delay), 0 for "next turn".
   */
  private step(): number {
    const started = performance.now();
    let sinceClock = 0;
    for (;;) {
      if (this.iter === null) {
        if (this.db >= this.dicts.length) {
          this.finish();
          return 0;
        }
        const dict = this.dicts[this.db];
        if (dict.size === 0) {
          this.db++;
          continue;
        }
        this.beginDb(this.db);
        this.iter = dict.entries();
      }
      const next = this.iter.next();
      if (next.done) {
        this.iter = null;
        this.visited[this.db] = new KeySet(); // nobody asks about a finished database again
        this.db++;
        continue;
      }
      const [key, value] = next.value;
      const seen = this.visited[this.db];
      if (seen.has(key)) continue;
      seen.add(key);
      this.writeKey(this.db, key, value);
      if (this.writer.length >= CHUNK_BYTES) {
        this.emit();
        if (this.paused) return 0;
      }
      if (this.keyDelay.active) {
        const ms = this.keyDelay.tick();
        if (ms > 0) {
          this.emit();
          return ms;
        }
      }
      if (++sinceClock >= 16) {
        sinceClock = 0;
        if (performance.now() - started >= STEP_BUDGET_MS) break;
      }
    }
    this.emit();
    return 0;
  }

  private emit(): void {
    if (this.writer.length === 0) return;
    const chunk = this.writer.take();
    this.crc?.update(chunk);
    if (this.opts.onChunk(chunk) === false && !this.opts.sync) this.paused = true;
  }

  private finish(): void {
    this.writer.eofOpcode();
    const last = this.writer.take();
    this.crc?.update(last);
    const checksum = this.crc ? this.crc.digestLE() : Buffer.alloc(8);
    this.stop();
    this.opts.onChunk(Buffer.concat([last, checksum]));
    this.opts.onEnd(null);
  }

  private fail(err: Error): void {
    if (this.finished) return;
    this.stop();
    this.opts.onEnd(err);
  }

  private stop(): void {
    this.finished = true;
    if (this.timer !== null) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = null;
    }
    this.engine.running.delete(this);
    runningTotal--;
  }
}
