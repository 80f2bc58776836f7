// RDB persistence of a server: SAVE and BGSAVE to `dir`/`dbfilename` through the snapshot engine,
// save points from the cron (`save 3600 1 300 100 60 10000`), the save before SHUTDOWN, loading
// the file at startup, DEBUG RELOAD, the MISCONF and LOADING command gates, and INFO persistence.
//
// A save writes temp-<pid>.rdb, fsyncs it and renames it over the target, so a crash or a
// failed save never leaves a broken dump.rdb behind. BGSAVE is the same stream produced across
// event-loop turns (no fork: see snapshot.ts); the file is written as chunks arrive and fsynced
// and renamed off the event loop. One BGSAVE runs at a time, as in Redis; replication full syncs
// run their own snapshots alongside it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Server } from '../server/server';
import type { Client } from '../server/client';
import { DEBUG_SUBCOMMANDS } from '../commands/debug';
import { transactionsOf } from '../server/transactions';
import { startSnapshot, SnapshotHandle } from './snapshot';
import type { Aof } from './aof';
import { DatasetBuilder, LoadResult, RdbError, RdbParser, parseOptionsFor } from './rdb-reader';
import { ChecksumJob, readFileShared } from './checksum-worker';

/** Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this long. */
const BGSAVE_RETRY_DELAY_S = 5;

export const ERR_MISCONF =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
  'Commands that may modify the data set are disabled, because this instance is configured to report errors during writes ' +
  'if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.';

interface BackgroundSave {
  handle: SnapshotHandle;
  sink: FileSink;
  tempFile: string;
  startedMs: number;
  /** server.dirty when it started: what a success makes "saved". */
  dirtyAtStart: number;
  keysAtStart: number;
}

/** DEBUG RELOAD's MERGE/NOFLUSH. */
interface LoadFlags {
  keepExisting?: boolean;
  allowDuplicates?: boolean;
}

export interface LoadingProgress {
  startedMs: number;
  totalBytes: number;
  loadedBytes: number;
  rdbUsedMem: number;
}

export class Persistence {
  /** Unix seconds of the last successful save (LASTSAVE, rdb_last_save_time). */
  lastSave: number;
  lastBgsaveOk = true;
  lastBgsaveTry = 0;
  lastBgsaveDurationS = -1;
  saves = 0;
  bgsaveScheduled = false;
  lastLoadKeys = 0;
  lastLoadExpired = 0;
  private bg: BackgroundSave | null = null;
  /** The AOF, whose aof_* fields INFO persistence prints among the RDB ones (set by installAof). */
  aof: Aof | null = null;
  /**
   * Extra AUX fields for saved files: the replication module sets repl-stream-db, repl-id and
   * repl-offset, as Redis records them so that a restarted server can continue with PSYNC.
   */
  saveAux: (() => Record<string, string>) | null = null;
  /** Receives the AUX fields of the file loaded at startup (the replication history it carries). */
  afterStartupLoad: ((aux: Map<string, string>) => void) | null = null;
  private loadingProgress: LoadingProgress | null = null;

  constructor(readonly server: Server) {
    this.lastSave = Math.floor(server.clock.now() / 1000);
  }

  get file(): string {
    return path.resolve(this.server.config.str('dbfilename'));
  }

  private tempFile(): string {
    return path.resolve(`temp-${process.pid}.rdb`);
  }

  get bgsaveInProgress(): boolean {
    return this.bg !== null;
  }

  /** Save points as [seconds, changes] pairs; empty when `save ""`. */
  savePoints(): Array<[number, number]> {
    const words = this.server.config.str('save').split(' ').filter(Boolean).map(Number);
    const out: Array<[number, number]> = [];
    for (let i = 0; i + 1 < words.length; i += 2) out.push([words[i], words[i + 1]]);
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Saving
  // -------------------------------------------------------------------------------------------

  /** Opens the temp file for a save; null (after Redis's log line) when it cannot. */
  private openTemp(temp: string): number | null {
    try {
      return fs.openSync(temp, 'w');
    } catch (e) {
      this.server.log.warning(`Failed opening the temp RDB file ${path.basename(temp)} (in server root dir ${process.cwd()}) for saving: ${(e as Error).message}`);
      return null;
    }
  }

  /** SAVE: writes the dataset synchronously. Returns false on failure (logged). */
  saveSync(): boolean {
    const server = this.server;
    const temp = this.tempFile();
    const fd = this.openTemp(temp);
    if (fd === null) {
      this.lastBgsaveOk = false;
      return false;
    }
    let failure: Error | null = null;
    startSnapshot(server, {
      sync: true,
      aux: this.saveAux?.(),
      onChunk: (buf) => writeAll(fd, buf),
      onEnd: (err) => (failure = err),
    });
    try {
      if (failure !== null) throw failure;
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fs.renameSync(temp, this.file);
    } catch (e) {
      server.log.warning(`Write error saving DB on disk: ${(e as Error).message}`);
      closeQuietly(fd);
      unlinkQuietly(temp);
      this.lastBgsaveOk = false;
      return false;
    }
    server.log.notice('DB saved on disk');
    server.dirty = 0;
    this.lastSave = Math.floor(server.clock.now() / 1000);
    this.lastBgsaveOk = true;
    this.saves++;
    return true;
  }

  /**
   * BGSAVE: starts a background save; false when one is already running. A save that cannot
   * even open its file still counts as started and fails at once (Redis's child would).
   */
  startBackgroundSave(): boolean {
    const server = this.server;
    if (this.bg !== null) return false;
    const temp = this.tempFile();
    this.lastBgsaveTry = Math.floor(server.clock.now() / 1000);
    server.log.notice(`Background saving started by pid ${process.pid}`);
    const fd = this.openTemp(temp);
    if (fd === null) {
      server.log.warning('Background saving error');
      this.lastBgsaveOk = false;
      return true;
    }
    const sink = new FileSink(fd, () => handle.resume(), (chunk) => handle.recycle(chunk));
    // onEnd runs on a later turn, when `bg` below exists.
    const handle = startSnapshot(server, {
      aux: this.saveAux?.(),
      onChunk: (buf) => sink.write(buf),
      onEnd: (err) => {
        if (err !== null) return this.backgroundSaveDone(bg, err);
        sink.finish((syncErr) => {
          if (syncErr) return this.backgroundSaveDone(bg, syncErr);
          fs.rename(temp, this.file, (renameErr) => this.backgroundSaveDone(bg, renameErr));
        });
      },
    });
    const bg: BackgroundSave = {
      handle,
      sink,
      tempFile: temp,
      startedMs: Date.now(),
      dirtyAtStart: server.dirty,
      keysAtStart: server.keyspace.totalKeys(),
    };
    this.bg = bg;
    return true;
  }

  private backgroundSaveDone(bg: BackgroundSave, err: Error | null): void {
    if (this.bg !== bg) return; // cancelled meanwhile
    const server = this.server;
    this.bg = null;
    this.lastBgsaveDurationS = Math.round((Date.now() - bg.startedMs) / 1000);
    if (err !== null) {
      bg.sink.abort();
      unlinkQuietly(bg.tempFile);
      server.log.warning(`Write error saving DB on disk: ${err.message}`);
      server.log.warning('Background saving error');
      this.lastBgsaveOk = false;
    } else {
      server.log.notice('DB saved on disk');
      server.log.notice('Background saving terminated with success');
      server.dirty = Math.max(0, server.dirty - bg.dirtyAtStart);
      this.lastSave = Math.floor(server.clock.now() / 1000);
      this.lastBgsaveOk = true;
      this.saves++;
    }
  }

  /** Stops a background save and removes its temp file (SHUTDOWN, FLUSHALL in Redis kill the child). */
  killBackgroundSave(): void {
    const bg = this.bg;
    if (bg === null) return;
    this.bg = null;
    bg.handle.cancel();
    bg.sink.abort();
    unlinkQuietly(bg.tempFile);
  }

  /** Cron: a scheduled BGSAVE, or a save point that is due. */
  cron(nowMs: number): void {
    if (this.bg !== null) return;
    const now = Math.floor(nowMs / 1000);
    const mayRetry = this.lastBgsaveOk || now - this.lastBgsaveTry > BGSAVE_RETRY_DELAY_S;
    if (this.bgsaveScheduled && mayRetry) {
      this.bgsaveScheduled = false;
      this.startBackgroundSave();
      return;
    }
    if (!mayRetry) return;
    const dirty = this.server.dirty;
    for (const [seconds, changes] of this.savePoints()) {
      if (dirty >= changes && now - this.lastSave > seconds) {
        this.server.log.notice(`${changes} changes in ${seconds} seconds. Saving...`);
        this.startBackgroundSave();
        return;
      }
    }
  }

  /** SHUTDOWN: saves when asked or when save points exist. False aborts the shutdown. */
  beforeShutdown(save: boolean | null, force: boolean): boolean {
    if (this.bg !== null) {
      this.server.log.warning('There is a child saving an .rdb. Killing it!');
      this.killBackgroundSave();
    }
    const wanted = save === true || (save === null && this.savePoints().length > 0);
    if (!wanted) return true;
    this.server.log.notice('Saving the final RDB snapshot before exiting.');
    if (this.saveSync()) return true;
    if (force) {
      this.server.log.warning('Error trying to save the DB. Exit anyway.');
      return true;
    }
    this.server.log.warning("Error trying to save the DB, can't exit.");
    return false;
  }

  // -------------------------------------------------------------------------------------------
  // Loading
  // -------------------------------------------------------------------------------------------

  /**
   * Loads an RDB payload into the server, replacing the dataset only when the whole payload is
   * good; logs Redis's lines. Throws RdbError. Blocks until done (startup, DEBUG RELOAD).
   */
  load(bytes: Buffer, source: string, opts: LoadFlags = {}): LoadResult {
    const steps = this.loadSteps(bytes, source, opts);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /**
   * load() that returns to the event loop every `loading-process-events-interval-bytes`, so
   * that clients get -LOADING replies and INFO shows the loading_* progress meanwhile (a
   * replica loading its master's payload).
   */
  async loadAsync(bytes: Buffer, source: string, opts: LoadFlags = {}): Promise<LoadResult> {
    const steps = this.loadSteps(bytes, source, opts);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** The loading itself; yields whenever the interval's worth of bytes has been read. */
  private *loadSteps(bytes: Buffer, source: string, opts: LoadFlags): Generator<void, LoadResult> {
    const server = this.server;
    const started = performance.now();
    const interval = server.config.int('loading-process-events-interval-bytes');
    server.loading = true;
    const progress: LoadingProgress = { startedMs: Date.now(), totalBytes: bytes.length, loadedBytes: 0, rdbUsedMem: 0 };
    this.loadingProgress = progress;
    const parseOptions = parseOptionsFor(server, source);
    // A zero trailer means "not checksummed" (rdbchecksum no when saved): nothing to verify.
    const checksum = parseOptions.verifyChecksum && bytes.length >= 8 && bytes.readBigUInt64LE(bytes.length - 8) !== 0n ? ChecksumJob.start(bytes) : null;
    if (checksum !== null) parseOptions.precomputedDigest = (end) => checksum.digestOf(end);
    try {
      const builder = new DatasetBuilder(server, { source, onAux: (k, v) => this.logAux(k, v), ...opts });
      const parser = new RdbParser(bytes, parseOptions, builder);
      builder.parser = parser;
      parser.header();
      let nextYield = interval;
      while (parser.next()) {
        progress.loadedBytes = parser.pos;
        if (parser.pos >= nextYield) {
          nextYield = parser.pos + interval;
          yield;
        }
      }
      builder.install();
      const r = builder.result;
      this.lastLoadKeys = r.keys;
      this.lastLoadExpired = r.expired;
      server.log.notice(`Done loading RDB, keys loaded: ${r.keys}, keys expired: ${r.expired}.`);
      server.log.notice(`DB loaded from disk: ${((performance.now() - started) / 1000).toFixed(3)} seconds`);
      return r;
    } finally {
      checksum?.cancel();
      server.loading = false;
      this.loadingProgress = null;
    }
  }

  /**
   * loading:1 and the loading_* INFO fields for a load driven elsewhere (a replica parsing its
   * master's payload as it arrives): the caller updates `loadedBytes` and calls the returned end().
   */
  beginLoading(totalBytes: number): { progress: LoadingProgress; end(): void } {
    const progress: LoadingProgress = { startedMs: Date.now(), totalBytes, loadedBytes: 0, rdbUsedMem: 0 };
    this.server.loading = true;
    this.loadingProgress = progress;
    return {
      progress,
      end: () => {
        if (this.loadingProgress !== progress) return;
        this.server.loading = false;
        this.loadingProgress = null;
      },
    };
  }

  /** Redis's log lines for the AUX fields of an RDB being loaded. */
  logAux(key: string, value: string): void {
    const log = this.server.log;
    if (key === 'redis-ver') log.notice(`Loading RDB produced by version ${value}`);
    else if (key === 'ctime') log.notice(`RDB age ${Math.max(0, Math.floor(Date.now() / 1000) - Number(value))} seconds`);
    else if (key === 'used-mem') {
      log.notice(`RDB memory usage when created ${(Number(value) / 1024 / 1024).toFixed(2)} Mb`);
      if (this.loadingProgress) this.loadingProgress.rdbUsedMem = Number(value);
    }
  }

  /** Startup: loads dump.rdb when present. Exits the process (as Redis) when it is corrupt. */
  loadAtStartup(): void {
    const server = this.server;
    let bytes: Buffer;
    try {
      bytes = readFileShared(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      server.log.warning(`Fatal error loading the DB: ${(e as Error).message}. Exiting.`);
      process.exit(1);
    }
    let aux: Map<string, string>;
    try {
      aux = this.load(bytes, path.basename(this.file)).aux;
    } catch (e) {
      if (!(e instanceof RdbError)) throw e;
      server.log.warning(`Fatal error loading the DB: ${e.message}. Exiting.`);
      process.exit(1);
    }
    this.afterStartupLoad?.(aux);
  }

  /** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, then load the file back. */
  debugReload(c: Client, args: string[]): void {
    let save = true;
    let flush = true;
    let merge = false;
    for (const a of args.map((x) => x.toLowerCase())) {
      if (a === 'merge') merge = true;
      else if (a === 'noflush') flush = false;
      else if (a === 'nosave') save = false;
      else return c.reply.error('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
    }
    if (save && !this.saveSync()) return c.reply.error('ERR');
    try {
      this.load(readFileShared(this.file), path.basename(this.file), { keepExisting: !flush, allowDuplicates: merge });
    } catch (e) {
      this.server.log.warning(`Error trying to load the RDB dump: ${(e as Error).message}`);
      return c.reply.error('ERR Error trying to load the RDB dump, check server logs.');
    }
    this.server.log.notice('DB reloaded by DEBUG RELOAD');
    c.reply.ok();
  }

  // -------------------------------------------------------------------------------------------
  // Gates and INFO
  // -------------------------------------------------------------------------------------------

  /** stop-writes-on-bgsave-error: writes (and PING) are refused after a failed save. */
  writesRefused(): boolean {
    const cfg = this.server.config;
    return !this.lastBgsaveOk && cfg.bool('stop-writes-on-bgsave-error') && this.savePoints().length > 0;
  }

  info(): string[] {
    const server = this.server;
    const bg = this.bg;
    const nowS = Math.floor(Date.now() / 1000);
    const lines = [
      `loading:${server.loading ? 1 : 0}`,
      'async_loading:0',
      'current_cow_peak:0',
      'current_cow_size:0',
      'current_cow_size_age:0',
      'current_fork_perc:0.00',
      `current_save_keys_processed:${bg ? bg.handle.keys : 0}`,
      `current_save_keys_total:${bg ? bg.keysAtStart : 0}`,
      `rdb_changes_since_last_save:${server.dirty}`,
      `rdb_bgsave_in_progress:${bg ? 1 : 0}`,
      `rdb_last_save_time:${this.lastSave}`,
      `rdb_last_bgsave_status:${this.lastBgsaveOk ? 'ok' : 'err'}`,
      `rdb_last_bgsave_time_sec:${this.lastBgsaveDurationS}`,
      `rdb_current_bgsave_time_sec:${bg ? nowS - Math.floor(bg.startedMs / 1000) : -1}`,
      `rdb_saves:${this.saves}`,
      'rdb_last_cow_size:0',
      `rdb_last_load_keys_expired:${this.lastLoadExpired}`,
      `rdb_last_load_keys_loaded:${this.lastLoadKeys}`,
      ...(this.aof?.statusInfo() ?? []),
      'module_fork_in_progress:0',
      'module_fork_last_cow_size:0',
      ...(this.aof?.sizeInfo() ?? []),
    ];
    const p = this.loadingProgress;
    if (server.loading && p !== null) {
      const elapsed = (Date.now() - p.startedMs) / 1000;
      const perc = p.totalBytes > 0 ? (p.loadedBytes / p.totalBytes) * 100 : 0;
      const eta = p.loadedBytes > 0 ? Math.round(((p.totalBytes - p.loadedBytes) / (p.loadedBytes / Math.max(elapsed, 0.001)))) : 1;
      lines.push(
        `loading_start_time:${Math.floor(p.startedMs / 1000)}`,
        `loading_total_bytes:${p.totalBytes}`,
        `loading_rdb_used_mem:${p.rdbUsedMem}`,
        `loading_loaded_bytes:${p.loadedBytes}`,
        `loading_loaded_perc:${perc.toFixed(2)}`,
        `loading_eta_seconds:${eta}`,
      );
    }
    return lines;
  }
}

/** Bytes of writes in flight above which a background save pauses its walk. */
const SINK_HIGH_WATER = 16 * 1024 * 1024;

/**
 * Writes a snapshot stream (BGSAVE, an AOF rewrite's base) to its file off the event loop (a
 * synchronous write can stall for a long time when the kernel throttles dirty pages), in order
 * (explicit positions), pausing the snapshot while too much is in flight, and hands each chunk
 * back once written; then fsyncs and closes.
 */
export class FileSink {
  private position = 0;
  private inFlight = 0;
  private error: Error | null = null;
  private paused = false;
  /** The fd was closed or is being closed: it must not be closed again (its number may be reused). */
  private closed = false;
  private onIdle: (() => void) | null = null;

  constructor(
    private readonly fd: number,
    private readonly resume: () => void,
    private readonly written: (chunk: Buffer) => void,
  ) {}

  /** Queues a chunk; false asks the snapshot to pause until resume(). */
  write(buf: Buffer): boolean {
    const at = this.position;
    this.position += buf.length;
    this.inFlight += buf.length;
    this.writeFrom(buf, 0, at);
    this.paused = this.inFlight > SINK_HIGH_WATER;
    return !this.paused;
  }

  private writeFrom(buf: Buffer, offset: number, at: number): void {
    fs.write(this.fd, buf, offset, buf.length - offset, at, (err, written) => {
      if (err) {
        this.error ??= err;
        this.inFlight -= buf.length - offset;
      } else {
        this.inFlight -= written;
        if (offset + written < buf.length) return this.writeFrom(buf, offset + written, at + written);
        this.written(buf);
      }
      if (this.paused && this.inFlight <= SINK_HIGH_WATER / 2) {
        this.paused = false;
        this.resume();
      }
      if (this.inFlight === 0 && this.onIdle) this.onIdle();
    });
  }

  /** Closes the file once no write is in flight (a killed or failed save); the caller removes it. */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.inFlight === 0) closeQuietly(this.fd);
    else this.onIdle = () => closeQuietly(this.fd);
  }

  /** After the last write: fsync and close; reports the first error (the file is then still open). */
  finish(done: (err: Error | null) => void): void {
    const sync = () => {
      this.onIdle = null;
      if (this.error) return done(this.error);
      fs.fsync(this.fd, (err) => {
        if (this.closed) return; // aborted meanwhile, which closed the file
        if (err) return done(err);
        this.closed = true;
        fs.close(this.fd, done);
      });
    };
    if (this.inFlight === 0) sync();
    else this.onIdle = sync;
  }
}

/** Writes the whole buffer: one write() may take less (Linux caps one call at ~2 GiB). */
export function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

/** Creates (or truncates) `file` with `data`, fsynced before it is closed. */
export function writeFileSynced(file: string, data: Buffer): void {
  const fd = fs.openSync(file, 'w');
  try {
    writeAll(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}

export function unlinkQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // not there
  }
}

const modules = new WeakMap<Server, Persistence>();

/** The persistence module of a server (installed by installPersistence). */
export function persistenceOf(server: Server): Persistence {
  const p = modules.get(server);
  if (p === undefined) throw new Error('persistence module not installed');
  return p;
}

/** Wires persistence into a server: cron, shutdown hook, gates, INFO, DEBUG RELOAD. */
export function installPersistence(server: Server): Persistence {
  const p = new Persistence(server);
  modules.set(server, p);
  server.hooks.cron.push((now) => p.cron(now));
  server.hooks.beforeShutdown.push((opts) => p.beforeShutdown(opts.save, opts.force));
  server.infoProviders.set('persistence', () => p.info());
  DEBUG_SUBCOMMANDS.set('reload', { min: 0, max: Infinity, handler: (c, args) => persistenceOf(c.server).debugReload(c, args) });
  return p;
}

/** The MISCONF gate (Redis checks it after OOM, before min-replicas and read-only replicas). */
export function misconfCheck(server: Server, c: Client, isWrite: boolean, name: string): string | null {
  if (c.role === 'master' || !(isWrite || name === 'ping')) return null;
  return persistenceOf(server).writesRefused() ? ERR_MISCONF : null;
}

/** The LOADING gate: only commands flagged `loading` run while a dataset loads. */
export function loadingCheck(server: Server, allowed: boolean): string | null {
  return server.loading && !allowed ? 'LOADING Redis is loading the dataset in memory' : null;
}

/** BGSAVE inside MULTI/EXEC is scheduled rather than run (Redis's in_exec rule). */
export function inExec(server: Server): boolean {
  return transactionsOf(server).executing;
}
