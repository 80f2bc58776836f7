// The append-only file, in Redis 7.0's multi-part layout so either server can load the other's:
//   <dir>/<appenddirname>/<appendfilename>.<seq>.base.rdb   the dataset at the last rewrite (RDB,
//                                                           or .base.aof, commands, when
//                                                           aof-use-rdb-preamble is no)
//   <dir>/<appenddirname>/<appendfilename>.<seq>.incr.aof   every write since, as RESP commands
//   <dir>/<appenddirname>/<appendfilename>.manifest         which files make up the AOF
//
// Writes reach the AOF as a sink of the replication feed (the same effect stream replicas get)
// and are written once per event-loop turn before any reply goes out, so with `appendfsync
// always` a write is on disk before it is acknowledged; `everysec` fsyncs off the event loop
// once a second; `no` leaves it to the kernel.
//
// A rewrite (BGREWRITEAOF, auto-aof-rewrite-*, turning appendonly on) opens a new incr file at
// once and writes the new base from a point-in-time snapshot (snapshot.ts), off the event loop as
// BGSAVE writes dump.rdb (FileSink); snapshot + new incr file is the whole dataset, so no rewrite
// buffer is needed. Only when the base is safely on disk does the manifest switch to the new
// files; the old ones are then deleted.
//
// Loading: the base (RDB), then each incr file executed as commands by a client that neither
// replies nor propagates. A last command cut short (a crash mid-write) is dropped with Redis's
// warning when aof-load-truncated is yes; anything else malformed refuses to start.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Server } from '../server/server';
import type { FeedSink } from '../replication/feed';
import { RespParser, ProtocolError } from '../protocol/resp-parser';
import { call, lookupCommand } from '../server/dispatch';
import { startSnapshot, SnapshotHandle } from './snapshot';
import { FileSink, persistenceOf, writeAll, writeFileSynced } from './persistence';
import { RdbError } from './rdb-reader';
import { readFileShared } from './checksum-worker';
import { SUPERUSER } from '../acl/acl';

export class AofError extends Error {}

interface ManifestFile {
  name: string;
  seq: number;
  type: 'b' | 'i' | 'h';
}

interface Rewrite {
  handle: SnapshotHandle;
  sink: FileSink;
  tempFile: string;
  startedMs: number;
  seq: number;
  /** The base's file name, fixed when the rewrite starts (its suffix follows aof-use-rdb-preamble). */
  baseName: string;
}

const MANIFEST_LINE = /^file (\S+) seq (\d+) type ([bih])$/;

export class Aof implements FeedSink {
  enabled = false;
  private files: ManifestFile[] = [];
  private incrFd: number | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private lastFsync = 0;
  private fsyncInFlight = false;
  private rewrite: Rewrite | null = null;
  rewriteScheduled = false;
  rewrites = 0;
  rewriteFailures = 0;
  lastRewriteOk = true;
  lastRewriteSeconds = -1;
  lastWriteOk = true;
  /** Bytes of the base and incr files now (aof_current_size) and at the last rewrite (aof_base_size). */
  currentSize = 0;
  baseSize = 0;

  constructor(readonly server: Server) {}

  private get dir(): string {
    return path.resolve(this.server.config.str('appenddirname'));
  }

  private get baseName(): string {
    return this.server.config.str('appendfilename');
  }

  private manifestPath(): string {
    return path.join(this.dir, `${this.baseName}.manifest`);
  }

  // -------------------------------------------------------------------------------------------
  // Startup
  // -------------------------------------------------------------------------------------------

  /**
   * With appendonly yes, loads the AOF (and returns true: the RDB file is not read), creating a
   * fresh base and incr file when there is none. Exits the process with Redis's message on a
   * corrupt AOF.
   */
  loadAtStartup(): boolean {
    if (!this.server.config.bool('appendonly')) return false;
    const log = this.server.log;
    try {
      if (fs.existsSync(this.manifestPath())) {
        this.readManifest();
        const started = performance.now();
        for (const f of this.files) this.loadFile(f);
        log.notice(`DB loaded from append only file: ${((performance.now() - started) / 1000).toFixed(3)} seconds`);
        this.openIncr(this.files.find((f) => f.type === 'i')!, 'Opening', 'on server start');
      } else {
        fs.mkdirSync(this.dir, { recursive: true });
        this.writeBaseSync(1, 'on server start');
        const incr: ManifestFile = { name: this.incrName(1), seq: 1, type: 'i' };
        this.openIncr(incr, 'Creating', 'on server start');
        this.files.push(incr);
        this.writeManifest();
      }
    } catch (e) {
      if (!(e instanceof AofError || e instanceof RdbError)) throw e;
      log.warning(e.message);
      process.exit(1);
    }
    this.enabled = true;
    this.server.feed.addSink(this);
    return true;
  }

  private incrName(seq: number): string {
    return `${this.baseName}.${seq}.incr.aof`;
  }

  /** The next base's name: .rdb with an RDB preamble, .aof in command form, as Redis names them. */
  private baseFileName(seq: number): string {
    return `${this.baseName}.${seq}.base.${this.rdbPreamble ? 'rdb' : 'aof'}`;
  }

  private get rdbPreamble(): boolean {
    return this.server.config.bool('aof-use-rdb-preamble');
  }

  /** What startSnapshot writes a base with. */
  private baseFormat(): { aux: Record<string, string>; format: 'rdb' | 'commands' } {
    return { aux: { 'aof-base': '1' }, format: this.rdbPreamble ? 'rdb' : 'commands' };
  }

  private readManifest(): void {
    const text = fs.readFileSync(this.manifestPath(), 'latin1');
    this.files = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '' || line.startsWith('#')) continue;
      const m = MANIFEST_LINE.exec(line.trim());
      if (m === null) throw new AofError(`Invalid AOF manifest file format: ${line.trim()}`);
      this.files.push({ name: m[1], seq: Number(m[2]), type: m[3] as 'b' | 'i' | 'h' });
    }
    this.files = this.files.filter((f) => f.type !== 'h');
    if (!this.files.some((f) => f.type === 'i')) throw new AofError('Found an AOF manifest without an incr file');
  }

  private writeManifest(): void {
    const text = this.files.map((f) => `file ${f.name} seq ${f.seq} type ${f.type}\n`).join('');
    const tmp = `${this.manifestPath()}.tmp-${process.pid}`;
    writeFileSynced(tmp, Buffer.from(text, 'latin1'));
    fs.renameSync(tmp, this.manifestPath());
  }

  /** Loads one file of the AOF. Throws AofError / RdbError. */
  private loadFile(f: ManifestFile): void {
    const file = path.join(this.dir, f.name);
    const started = performance.now();
    let bytes: Buffer;
    try {
      bytes = readFileShared(file); // an RDB base's checksum is then verified on a worker (checksum-worker.ts)
    } catch (e) {
      throw new AofError(`Fatal error: can't open the append log file ${f.name} for reading: ${(e as Error).message}`);
    }
    const kind = f.type === 'b' ? 'base' : 'incr';
    if (bytes.subarray(0, 5).toString('latin1') === 'REDIS') {
      this.server.log.notice('Reading RDB base file on AOF loading...');
      persistenceOf(this.server).load(bytes, f.name, { keepExisting: f.type !== 'b' });
    } else {
      this.replay(bytes, f.name);
    }
    this.currentSize += bytes.length;
    if (f.type === 'b') this.baseSize = bytes.length;
    this.server.log.notice(`DB loaded from ${kind} file ${f.name}: ${((performance.now() - started) / 1000).toFixed(3)} seconds`);
  }

  /** Executes the commands of an AOF file, as Redis's fake AOF client does. */
  private replay(bytes: Buffer, name: string): void {
    const server = this.server;
    const parser = new RespParser({ maxBulkLen: Number.MAX_SAFE_INTEGER });
    parser.feed(bytes);
    const client = server.createClient(null);
    client.role = 'master';
    client.setAuthenticated(SUPERUSER);
    const mode = server.keyspace.expiryMode;
    server.keyspace.expiryMode = 'ignore';
    server.loading = true;
    let consumed = 0;
    try {
      for (;;) {
        // Annotation lines only where a command starts, as Redis reads them: a value may hold "\n#".
        for (let skipped = parser.skipAnnotation(); skipped > 0; skipped = parser.skipAnnotation()) consumed += skipped;
        let argv: string[] | null;
        try {
          argv = parser.next();
        } catch (e) {
          if (e instanceof ProtocolError) throw badFormat(name);
          throw e;
        }
        consumed += parser.skippedBytes;
        if (argv === null) break;
        consumed += parser.lastCommandBytes;
        // Like Redis's fake AOF client: no gates (the server is loading, the commands were
        // accepted once), but MULTI still queues so a transaction cut short is not applied.
        const found = lookupCommand(server, client, argv);
        if (found === null) throw badFormat(name);
        if (!server.gates.queue(client, found.spec, argv, found.fullName)) call(server, client, found.spec, argv, found.fullName);
        client.reply.discard();
      }
    } finally {
      server.loading = false;
      server.keyspace.expiryMode = mode;
      server.closeClient(client);
    }
    if (parser.bufferedBytes > 0) this.handleTruncated(name, consumed);
  }

  private handleTruncated(name: string, offset: number): void {
    const log = this.server.log;
    if (!this.server.config.bool('aof-load-truncated')) {
      log.warning(`!!! Warning: short read while loading the AOF file ${name}!!!`);
      throw new AofError(
        `Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
      );
    }
    log.warning(`!!! Warning: short read while loading the AOF file ${name}!!!`);
    log.warning(`!!! Truncating the AOF ${name} at offset ${offset} !!!`);
    fs.truncateSync(path.join(this.dir, name), offset);
    log.warning(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
  }

  // -------------------------------------------------------------------------------------------
  // Appending
  // -------------------------------------------------------------------------------------------

  private openIncr(f: ManifestFile, verb: 'Opening' | 'Creating', why: string): void {
    if (this.incrFd !== null) this.flush();
    if (this.incrFd !== null) fs.closeSync(this.incrFd);
    this.incrFd = fs.openSync(path.join(this.dir, f.name), 'a');
    this.server.log.notice(`${verb} AOF incr file ${f.name} ${why}`);
    // A new file starts with its own SELECT, whatever the stream had selected before.
    this.server.feed.selectedDb = -1;
  }

  /** FeedSink: buffered until the end of this event-loop turn (or earlier, before replies go out). */
  write(bytes: Buffer): void {
    if (this.pendingBytes === 0) setImmediate(() => this.flush());
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
  }

  /** Writes what this turn appended, before replies go out; fsyncs as appendfsync says. */
  flush(): void {
    if (this.pendingBytes === 0 || this.incrFd === null) return;
    const data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    try {
      writeAll(this.incrFd, data);
      this.currentSize += data.length;
      if (!this.lastWriteOk) this.server.log.warning('AOF write error looks solved, Redis can write again.');
      this.lastWriteOk = true;
    } catch (e) {
      this.lastWriteOk = false;
      this.server.log.warning(`Error writing to the AOF file: ${(e as Error).message}`);
      return;
    }
    const policy = this.server.config.str('appendfsync');
    if (policy === 'always') fs.fdatasyncSync(this.incrFd);
    else if (policy === 'everysec') this.fsyncEverySecond(Date.now());
  }

  private fsyncEverySecond(now: number): void {
    if (this.fsyncInFlight || this.incrFd === null || now - this.lastFsync < 1000) return;
    this.fsyncInFlight = true;
    this.lastFsync = now;
    fs.fdatasync(this.incrFd, () => {
      this.fsyncInFlight = false;
    });
  }

  // -------------------------------------------------------------------------------------------
  // Rewrite
  // -------------------------------------------------------------------------------------------

  get rewriteInProgress(): boolean {
    return this.rewrite !== null;
  }

  /** Writes a base file synchronously (a new AOF at startup: the dataset as loaded so far). */
  private writeBaseSync(seq: number, why: string): void {
    const name = this.baseFileName(seq);
    const chunks: Buffer[] = [];
    startSnapshot(this.server, { sync: true, ...this.baseFormat(), onChunk: (b) => void chunks.push(b), onEnd: () => undefined });
    const data = Buffer.concat(chunks);
    writeFileSynced(path.join(this.dir, name), data);
    this.files = [{ name, seq, type: 'b' }];
    this.baseSize = data.length;
    this.currentSize = data.length;
    this.server.log.notice(`Creating AOF base file ${name} ${why}`);
  }

  /** BGREWRITEAOF. Returns null when started, or Redis's refusal. */
  startRewrite(): string | null {
    if (this.rewrite !== null) return 'ERR Background append only file rewriting already in progress';
    const server = this.server;
    fs.mkdirSync(this.dir, { recursive: true });
    const seq = Math.max(0, ...this.files.map((f) => f.seq)) + 1;
    const incr: ManifestFile = { name: this.incrName(seq), seq, type: 'i' };
    this.openIncr(incr, 'Creating', 'on background rewrite');
    const tempFile = path.join(this.dir, `temp-rewriteaof-bg-${process.pid}.aof`);
    const fd = fs.openSync(tempFile, 'w');
    // The base is written, fsynced and renamed off the event loop, as BGSAVE writes dump.rdb: with
    // writes and the fsync on the main thread, clients waited up to 30 ms (served worst, median
    // of 3 rewrites of 1M keys under rdb-bench's write load; Redis 7.5 ms).
    const sink = new FileSink(fd, () => rewrite.handle.resume(), (chunk) => rewrite.handle.recycle(chunk));
    const rewrite: Rewrite = { handle: null as unknown as SnapshotHandle, sink, tempFile, startedMs: Date.now(), seq, baseName: this.baseFileName(seq) };
    this.rewrite = rewrite;
    // Until the base is written, the manifest names the old files plus the new incr file.
    this.files.push(incr);
    this.writeManifest();
    rewrite.handle = startSnapshot(server, {
      ...this.baseFormat(),
      onChunk: (buf) => sink.write(buf),
      onEnd: (err) => {
        if (err !== null) return this.finishRewrite(rewrite, err);
        sink.finish((syncErr) => {
          if (syncErr) return this.finishRewrite(rewrite, syncErr);
          fs.rename(tempFile, path.join(this.dir, rewrite.baseName), (renameErr) => this.finishRewrite(rewrite, renameErr));
        });
      },
    });
    this.rewriteScheduled = false;
    server.log.notice('Background append only file rewriting started');
    return null;
  }

  /** The end of a rewrite: the base is on disk under its name (err null), or the rewrite failed. */
  private finishRewrite(r: Rewrite, err: Error | null): void {
    if (this.rewrite !== r) return; // cancelled meanwhile (appendonly turned off)
    const log = this.server.log;
    this.rewrite = null;
    this.lastRewriteSeconds = Math.round((Date.now() - r.startedMs) / 1000);
    try {
      if (err) throw err;
      const base = r.baseName;
      log.notice(`Successfully renamed the temporary AOF base file ${path.basename(r.tempFile)} into ${base}`);
      const history = this.files.filter((f) => f.seq < r.seq);
      this.files = [{ name: base, seq: r.seq, type: 'b' }, ...this.files.filter((f) => f.seq === r.seq && f.type === 'i')];
      this.writeManifest();
      for (const h of history) {
        log.notice(`Removing the history file ${h.name} in the background`);
        fs.rm(path.join(this.dir, h.name), { force: true }, () => undefined);
      }
      this.baseSize = fs.statSync(path.join(this.dir, base)).size;
      this.currentSize = this.baseSize + fs.statSync(path.join(this.dir, this.incrName(r.seq))).size;
      this.rewrites++;
      this.lastRewriteOk = true;
      log.notice('Background AOF rewrite finished successfully');
    } catch (e) {
      this.lastRewriteOk = false;
      this.rewriteFailures++;
      log.warning(`Background AOF rewrite terminated with error: ${(e as Error).message}`);
      this.dropRewrite(r);
    }
  }

  /** Stops writing a rewrite's base and removes its temp file. */
  private dropRewrite(r: Rewrite): void {
    r.handle.cancel();
    r.sink.abort();
    fs.rm(r.tempFile, { force: true }, () => undefined);
  }

  /** Turns the AOF on at runtime (CONFIG SET appendonly yes): a rewrite makes the first base. */
  enable(): void {
    if (this.enabled) return;
    this.enabled = true;
    this.files = [];
    this.server.feed.addSink(this);
    this.startRewrite();
  }

  /** Turns the AOF off at runtime: stops appending; the files stay. */
  disable(): void {
    if (!this.enabled) return;
    this.flush();
    this.server.feed.removeSink(this);
    if (this.rewrite !== null) this.dropRewrite(this.rewrite);
    this.rewrite = null;
    if (this.incrFd !== null) fs.closeSync(this.incrFd);
    this.incrFd = null;
    this.enabled = false;
  }

  /** Cron: everysec fsync and the auto-aof-rewrite-percentage / min-size trigger. */
  cron(now: number): void {
    if (!this.enabled) return;
    if (this.server.config.str('appendfsync') === 'everysec') this.fsyncEverySecond(now);
    if (this.rewrite !== null) return;
    const pct = this.server.config.int('auto-aof-rewrite-percentage');
    const min = this.server.config.int('auto-aof-rewrite-min-size');
    if (this.rewriteScheduled || (pct > 0 && this.currentSize > min && this.currentSize > this.baseSize * (1 + pct / 100))) {
      if (!this.rewriteScheduled) this.server.log.notice(`Starting automatic rewriting of AOF on ${Math.round(((this.currentSize - this.baseSize) * 100) / Math.max(this.baseSize, 1))}% growth`);
      this.startRewrite();
    }
  }

  /** Flushes and fsyncs before the process exits. */
  beforeShutdown(): void {
    if (!this.enabled || this.incrFd === null) return;
    this.flush();
    fs.fsyncSync(this.incrFd);
  }

  /** The aof_* fields INFO persistence always prints. */
  statusInfo(): string[] {
    return [
      `aof_enabled:${this.enabled ? 1 : 0}`,
      `aof_rewrite_in_progress:${this.rewrite ? 1 : 0}`,
      `aof_rewrite_scheduled:${this.rewriteScheduled ? 1 : 0}`,
      `aof_last_rewrite_time_sec:${this.lastRewriteSeconds}`,
      `aof_current_rewrite_time_sec:${this.rewrite ? Math.round((Date.now() - this.rewrite.startedMs) / 1000) : -1}`,
      `aof_last_bgrewrite_status:${this.lastRewriteOk ? 'ok' : 'err'}`,
      `aof_rewrites:${this.rewrites}`,
      `aof_rewrites_consecutive_failures:${this.lastRewriteOk ? 0 : this.rewriteFailures}`,
      `aof_last_write_status:${this.lastWriteOk ? 'ok' : 'err'}`,
      'aof_last_cow_size:0',
    ];
  }

  /** The aof_* fields INFO persistence adds while the AOF is on. */
  sizeInfo(): string[] {
    if (!this.enabled) return [];
    return [
      `aof_current_size:${this.currentSize}`,
      `aof_base_size:${this.baseSize}`,
      `aof_pending_rewrite:${this.rewriteScheduled ? 1 : 0}`,
      `aof_buffer_length:${this.pendingBytes}`,
      `aof_pending_bio_fsync:${this.fsyncInFlight ? 1 : 0}`,
      'aof_delayed_fsync:0',
    ];
  }
}

function badFormat(name: string): AofError {
  return new AofError(`Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`);
}

const aofs = new WeakMap<Server, Aof>();

export function aofOf(server: Server): Aof {
  const a = aofs.get(server);
  if (a === undefined) throw new Error('AOF module not installed');
  return a;
}

/** Wires the AOF into the server: the flush before replies, cron, shutdown, CONFIG SET appendonly. */
export function installAof(server: Server): Aof {
  const aof = new Aof(server);
  aofs.set(server, aof);
  persistenceOf(server).aof = aof;
  server.hooks.beforeReplies.push(() => aof.flush());
  server.hooks.cron.push((now) => aof.cron(now));
  server.hooks.beforeShutdown.push(() => {
    aof.beforeShutdown();
    return true;
  });
  server.config.watch('appendonly', (v) => {
    if (v === true) aof.enable();
    else aof.disable();
  });
  return aof;
}
