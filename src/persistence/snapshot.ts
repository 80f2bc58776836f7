// The forkless point-in-time snapshot engine: produces an RDB (version 10) byte stream of the
// dataset as it was when the snapshot started (or, for an AOF base without RDB preamble, the
// commands that rebuild it), while the server keeps serving writes. One engine serves SAVE
// (synchronous), BGSAVE, save points, SHUTDOWN, DEBUG RELOAD, replication full sync and AOF
// rewrite.
//
// How it stays point-in-time without fork(): the walk proceeds in small time-bounded steps (about
// 1 ms per event-loop turn). Before a write command runs, a guard wrapped around every `write`
// command's handler serializes, for each running snapshot, the old value of every key the command
// declares that the walk has not reached yet (in every database, so MOVE and COPY ... DB are
// covered): Dragonfly's "serialize before the first change" scheme. Keyless writes (FLUSHALL,
// FLUSHDB, SWAPDB, ...) make every running snapshot copy the Maps it has not finished (O(keys)
// pointer copies, as those commands are O(keys) themselves), so what they clear or swap cannot
// reach the snapshot. A load (DEBUG RELOAD, replica full sync) installs new Maps and leaves the
// old ones untouched.
//
// "Has the walk reached this key?" must be cheap to answer and cheap to record. A Set of every
// key written costs ~0.5 us and ~40 bytes per key (measured: ~1 s of CPU and +43 MB on a 1M-key
// BGSAVE). Instead an indexing pass first lists each database's keys in Map order (one array
// slot per key, in pages) with an open-addressing table from a hash of the key to its position
// (4 to 8 bytes per key); the walk then writes the keys in that same order, still the Map's iteration
// order (so memory is read front to back, as the keys were allocated), and a key has been
// reached iff its position is below the walk's cursor. The guard pays a table probe per declared
// key; the walk a hash and a table insert per key while indexing (measured on 1M keys: BGSAVE
// from 1.9 to 1.2 s of CPU, 16 MB of index). Only the keys decided outside the walk (saved by
// the guard before a change, created or deleted since the start) are remembered, in a
// per-database `touched` Set bounded by the writes during the save.
//
// Keys deleted by expiry before the walk reaches them are left out: their TTL has passed, so a
// loader would drop them too.
//
// Several snapshots may run at once (a BGSAVE while a replica syncs); each keeps its own walk
// and stream. Callers that must not overlap (BGSAVE) check that themselves.
//
// A key changed by a write that does not declare it (none of Tandem's commands does) would be
// left out of a snapshot that had not reached it.

import type { Server } from '../server/server';
import type { Client } from '../server/client';
import type { CommandSpec } from '../commands/command';
import type { Database, KeyspaceListener } from '../keyspace/keyspace';
import type { Value } from '../keyspace/values';
import { commandKeys } from '../acl/acl';
import { REDIS_COMPAT_VERSION } from '../server/version';
import { usedMemory } from '../server/memory';
import { RdbWriter, SnapshotEncoder } from './rdb-writer';
import { AofBaseWriter } from './aof-base-writer';
import { Crc64 } from './crc64';
import { RDB_VERSION } from './rdb-format';
import { KeyDelay, sleepSync } from './debug-delay';

export interface SnapshotOptions {
  /** AUX fields after Tandem's defaults (redis-ver, redis-bits, ctime, used-mem, aof-base); same names replace them. */
  aux?: Record<string, string>;
  /**
   * 'rdb' (the default): an RDB file. 'commands': the commands that rebuild the dataset, an AOF
   * base without RDB preamble (no header, AUX fields or checksum).
   */
  format?: 'rdb' | 'commands';
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
  /** A chunk the receiver is done with (written out): its memory may serve later chunks. */
  recycle(chunk: Buffer): void;
  /** Keys serialized so far. */
  readonly keys: number;
}

/**
 * Longest a walk step may hold the event loop. A request that arrives during a step waits for
 * the rest of it. 1 ms rather than 2: the same CPU per BGSAVE of 1M keys (1.14-1.43 s against
 * 1.15-1.39 s, 4 saves each), half the wait.
 */
const STEP_BUDGET_MS = 1;
/**
 * A chunk goes to onChunk once this much is buffered (and at the end, or before a delay), not at
 * the end of every step: 1 ms steps would make ~40 KB chunks, each a write and a callback.
 */
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

/** FNV-1a over the key (its first and last 16 chars when longer than 32). */
function keyHash(key: string): number {
  const n = key.length;
  let h = 0x811c9dc5 ^ n;
  if (n <= 32) {
    for (let i = 0; i < n; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  } else {
    for (let i = 0; i < 16; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    for (let i = n - 16; i < n; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  }
  return h;
}

/** Keys per page of a DbWalk's key list (2^15: a 256 KB array). */
const PAGE_BITS = 15;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;

/**
 * The walk's state in one database: the index (the keys in Map order, `slots` from key hash to
 * position + 1) and the cursor. The key list is kept in pages allocated as the indexing reaches
 * them: one `new Array(1M)` took 5-12 ms in a single step (the longest pause of a 1M-key BGSAVE),
 * a page takes well under 1 ms. `slots` is one flat Int32Array (8 MB for 1M keys): its memory is
 * zeroed lazily by the OS, page by page as the inserts touch it.
 */
class DbWalk {
  private pages: string[][] = [];
  slots = new Int32Array(0);
  /** Keys indexed. */
  size = 0;
  phase: 'scan' | 'write' = 'scan';
  /** Positions [0, cursor) have been written or passed. */
  cursor = 0;

  constructor(
    /** Keys whose fate the walk must not decide: serialized by the guard, created or deleted since the start. */
    readonly touched = new Set<string>(),
  ) {}

  /** Sizes the hash table for n keys (load factor at most 1/2). */
  allocate(n: number): void {
    let cap = 16;
    while (cap < 2 * n) cap *= 2;
    this.slots = new Int32Array(cap);
  }

  /** The key at position p (p < size). */
  keyAt(p: number): string {
    return this.pages[p >>> PAGE_BITS][p & PAGE_MASK];
  }

  add(key: string): void {
    const mask = this.slots.length - 1;
    let h = keyHash(key) & mask;
    while (this.slots[h] !== 0) h = (h + 1) & mask;
    const p = this.size;
    if ((p & PAGE_MASK) === 0) this.pages.push(new Array<string>(PAGE_SIZE));
    this.pages[p >>> PAGE_BITS][p & PAGE_MASK] = key;
    this.slots[h] = ++this.size;
  }

  /** The key's position, or -1. */
  position(key: string): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let h = keyHash(key) & mask; slots[h] !== 0; h = (h + 1) & mask) {
      if (this.keyAt(slots[h] - 1) === key) return slots[h] - 1;
    }
    return -1;
  }

  /** Whether the walk has written (or passed) key. */
  reached(key: string): boolean {
    if (this.phase !== 'write') return false;
    const p = this.position(key);
    return p >= 0 && p < this.cursor;
  }
}

class Snapshot implements SnapshotHandle {
  private readonly server: Server;
  /** Each database's Maps as of the start (or private copies after a freeze). */
  private readonly dicts: Array<Map<string, Value>>;
  private readonly expires: Array<Map<string, number>>;
  private readonly walks: DbWalk[];
  private readonly writer: SnapshotEncoder;
  /** The writer when the format is RDB (header, RESIZEDB hints, EOF and checksum). */
  private readonly rdb: RdbWriter | null;
  private readonly crc: Crc64 | null;
  /**
   * Bytes of the writer's pending output already fed to `crc`. The checksum follows the output
   * at every clock check of the walk (1-2 KB at a time) rather than a 256 KB chunk at once: a
   * fresh server's first save runs CRC-64 before V8 has optimized it, and the first 256 KB took
   * 15 ms in one call (28-39 ms with no optimizing tier); --trace-deopt also showed update()
   * deoptimized mid-save.
   */
  private checksummed = 0;
  private readonly keyDelay: KeyDelay;
  /** The database the walk is in; databases below it are complete. */
  private db = 0;
  /** The indexing pass's place in the current database's Map. */
  private iter: IterableIterator<string> | null = null;
  /**
   * The writing pass's place in it (both passes follow the Map's order): a keys and a values
   * iterator advanced in lockstep. Two iterators of one Map that have been advanced equally are
   * in the same state (table and index; V8 moves both alike when the table is rehashed), so they
   * yield matching pairs. Why not entries(): each [key, value] pair is an allocation (~60 bytes
   * a key with the iterator results of for-of); calling next() by hand on keys() and values()
   * allocates nothing once optimized (measured on a 1M-key Map: 6.3 scavenges per walk with
   * for-of over entries(), 0 this way, and 19 instead of 58 ms). Young collections during a
   * 1M-key BGSAVE without other load: 5-8 before, 4 after (2.5-4.7 ms each under the bench's
   * write load).
   */
  private keyIter: IterableIterator<string> | null = null;
  private valueIter: IterableIterator<Value> | null = null;
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
    this.walks = dbs.map(() => new DbWalk());
    this.rdb = opts.format === 'commands' ? null : new RdbWriter(server.config.bool('rdbcompression'));
    this.writer = this.rdb ?? new AofBaseWriter();
    this.crc = this.rdb !== null && server.config.bool('rdbchecksum') ? new Crc64() : null;
    this.keyDelay = new KeyDelay(server.config.int('rdb-key-save-delay') || 0);
  }

  start(): void {
    this.engine.running.add(this);
    runningTotal++;
    const w = this.rdb;
    if (w !== null) {
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
    }
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

  recycle(chunk: Buffer): void {
    this.writer.recycle(chunk);
  }

  /** Serializes key's current (still original) value in every database the walk has not passed. */
  preserve(key: string): void {
    for (let i = this.db; i < this.dicts.length; i++) {
      const walk = this.walks[i];
      if (walk.touched.has(key) || (i === this.db && walk.reached(key))) continue;
      const v = this.dicts[i].get(key);
      if (v === undefined) continue;
      walk.touched.add(key);
      this.writeKey(i, key, v);
    }
  }

  /** After a change nobody preserved (a key created since the start): keep the walk off it. */
  noteModified(db: Database, key: string): void {
    for (let i = this.db; i < this.dicts.length; i++) {
      if (this.dicts[i] === db.dict) {
        const walk = this.walks[i];
        if (!(i === this.db && walk.reached(key))) walk.touched.add(key);
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
      if (i !== this.db) continue;
      const walk = this.walks[i];
      if (walk.phase === 'scan') {
        // Indexing starts over on the copy.
        this.walks[i] = new DbWalk(walk.touched);
        this.iter = null;
      } else if (this.keyIter !== null) {
        // Writing continues on the copy (same order); the keys the cursor passed are skipped.
        this.keyIter = this.dicts[i].keys();
        this.valueIter = this.dicts[i].values();
      }
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
    this.rdb?.resizeDb(this.dicts[i].size, this.expires[i].size);
    this.streamDb = i;
  }

  /**
   * A synchronous snapshot (SAVE): every database in one plain loop, since no command can run
   * in between (no index, no resumable iterator).
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
    while (this.db < this.dicts.length) {
      const walk = this.walks[this.db];
      const dict = this.dicts[this.db];
      if (walk.phase === 'scan') {
        if (!this.index(walk, dict, started)) return 0;
        if (dict.size > 0) this.beginDb(this.db);
        this.keyIter = dict.keys();
        this.valueIter = dict.values();
      }
      const touched = walk.touched;
      const keyIter = this.keyIter!;
      const valueIter = this.valueIter!;
      for (;;) {
        const next = keyIter.next();
        if (next.done === true) break;
        const key = next.value;
        const value = valueIter.next().value as Value;
        if (touched.size > 0 && touched.has(key)) continue;
        // Untouched keys are indexed ones met in index order, so this is almost always the key at
        // the cursor. Otherwise: the keys before it in the index were touched or deleted since
        // (jump over them), or it was written already and has come round again (deleted after
        // the cursor passed it, then re-created at the end of the Map; or the iterator restarted
        // on a frozen copy): skip it.
        if (walk.cursor >= walk.size || walk.keyAt(walk.cursor) !== key) {
          const p = walk.position(key);
          if (p < walk.cursor) continue;
          walk.cursor = p;
        }
        walk.cursor++;
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
          this.checksumPending();
          if (performance.now() - started >= STEP_BUDGET_MS) return 0;
        }
      }
      // Nobody asks about a finished database again.
      this.keyIter = null;
      this.valueIter = null;
      this.walks[this.db] = new DbWalk();
      this.db++;
    }
    this.finish();
    return 0;
  }

  /**
   * Indexes the database within the step's budget: true when done (the walk can write), false
   * when the step's time is up. Touched keys are not indexed: the walk skips them anyway, and
   * leaving them out keeps the index within the size the database had at the start.
   */
  private index(walk: DbWalk, dict: Map<string, Value>, started: number): boolean {
    if (this.iter === null) {
      walk.allocate(dict.size);
      this.iter = dict.keys();
    }
    const iter = this.iter;
    const touched = walk.touched;
    let sinceClock = 0;
    // next() by hand, not for-of: see keyIter.
    for (;;) {
      const next = iter.next();
      if (next.done === true) break;
      const key = next.value;
      if (touched.size > 0 && touched.has(key)) continue;
      walk.add(key);
      if (++sinceClock >= 256) {
        sinceClock = 0;
        if (performance.now() - started >= STEP_BUDGET_MS) return false;
      }
    }
    this.iter = null;
    walk.phase = 'write';
    return true;
  }

  /** Brings the checksum up to the output written so far. */
  private checksumPending(): void {
    if (this.crc !== null) this.checksummed = this.rdb!.checksumFrom(this.crc, this.checksummed);
  }

  /** Takes the writer's pending output, checksummed up to its end. */
  private takeOutput(): Buffer {
    this.checksumPending();
    this.checksummed = 0;
    return this.writer.take();
  }

  private emit(): void {
    if (this.writer.length === 0) return;
    if (this.opts.onChunk(this.takeOutput()) === false && !this.opts.sync) this.paused = true;
  }

  private finish(): void {
    this.rdb?.eofOpcode();
    let last = this.takeOutput();
    if (this.rdb !== null) {
      last = Buffer.concat([last, this.crc ? this.crc.digestLE() : Buffer.alloc(8)]);
    }
    this.stop();
    this.opts.onChunk(last);
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
