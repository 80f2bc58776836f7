// The RDB payload of a full resync, both ways: the master streams a point-in-time snapshot of its
// dataset (the persistence engine's forkless snapshot, with the aux fields Redis puts in an RDB
// meant for a replica); the replica loads what it receives.
//
// The replica parses the payload while it arrives (StreamLoad): the master's walk and our parse
// run at the same time on the two processes, instead of a transfer followed by a load, and the
// payload is never held in memory as a whole. Records go into fresh Maps that replace the
// dataset only when the whole payload checked out (EOF opcode, CRC-64, size or EOF mark), so a
// corrupt or truncated transfer leaves the old data as it was. Which path a sync takes follows
// repl-diskless-load (see ReplicaLink.startReceiving):
// - swapdb, or on-empty-db with no keys: Redis parses from the socket ("to parser") with loading:1
//   from the start. We do the same; holding old and new datasets at once is swapdb's documented
//   cost, and nothing when the old one is empty.
// - disabled (the default) with no keys: Redis saves to disk and loads after the transfer. We
//   stream-load as well (nothing old to keep, so no memory cost), serving the empty dataset
//   meanwhile as Redis does during its transfer, and keep Redis's "to disk" log wording and order.
// - disabled, or on-empty-db, with keys: the payload is spooled to temp-<unixtime>.<pid>.rdb in
//   `dir` (SpoolToDisk), as Redis does, so the old dataset and the payload are never both in
//   memory; then the file is stream-loaded and renamed over dbfilename, as Redis leaves it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Server } from '../server/server';
import { startSnapshot, SnapshotHandle } from '../persistence/snapshot';
import { persistenceOf, Persistence, closeQuietly, unlinkQuietly, writeAll } from '../persistence/persistence';
import { DatasetBuilder, RdbStreamReader, parseOptionsFor } from '../persistence/rdb-reader';

export type { SnapshotHandle };

/**
 * Streams a point-in-time RDB of the dataset. `aux` holds repl-stream-db, repl-id and
 * repl-offset. `onChunk` returning false pauses the walk until handle.resume().
 */
export function startReplicationSnapshot(
  server: Server,
  aux: Record<string, string>,
  onChunk: (buf: Buffer) => boolean,
  onEnd: (err: Error | null) => void,
): SnapshotHandle {
  return startSnapshot(server, { aux, onChunk, onEnd });
}

/** Where a replica puts its master's payload while it arrives. */
export interface PayloadReceiver {
  /** The next bytes of the payload. Throws on a corrupt payload or a write error. */
  push(bytes: Buffer): void;
  /**
   * Every byte is in: checks the rest and replaces the dataset (logging Redis's load lines).
   * Throws when the payload is bad; the dataset is then untouched.
   */
  finish(): void;
  /** Gives up (link lost, bad payload): nothing changes, files are removed. */
  abort(): void;
}

const SOURCE = 'master';

/** Parses the payload as it arrives into a fresh dataset, installed by finish(). */
export class StreamLoad implements PayloadReceiver {
  private readonly builder: DatasetBuilder;
  private readonly reader: RdbStreamReader;
  private readonly loading: ReturnType<Persistence['beginLoading']> | null;
  /** AUX fields whose log lines wait for finish() (Redis logs them when its load starts). */
  private readonly deferredAux: Array<[string, string]> | null;

  /**
   * `blocking`: loading:1 (clients get -LOADING) from now on, as Redis while it parses from the
   * socket. `deferLogs`: the AUX lines are logged by finish(), as Redis's load from disk would.
   */
  constructor(
    private readonly server: Server,
    opts: { blocking: boolean; deferLogs: boolean; totalBytes: number },
  ) {
    const persistence = persistenceOf(server);
    this.deferredAux = opts.deferLogs ? [] : null;
    this.builder = new DatasetBuilder(server, {
      source: SOURCE,
      onAux: (k, v) => (this.deferredAux !== null ? this.deferredAux.push([k, v]) : persistence.logAux(k, v)),
    });
    this.reader = new RdbStreamReader(parseOptionsFor(server, SOURCE), this.builder);
    this.loading = opts.blocking ? persistence.beginLoading(opts.totalBytes) : null;
  }

  push(bytes: Buffer): void {
    this.reader.push(bytes);
    if (this.loading !== null) this.loading.progress.loadedBytes = this.reader.parsedBytes;
  }

  finish(): void {
    const persistence = persistenceOf(this.server);
    try {
      for (const [k, v] of this.deferredAux ?? []) persistence.logAux(k, v);
      this.reader.end();
      this.builder.install();
    } finally {
      this.loading?.end();
    }
    const r = this.builder.result;
    persistence.lastLoadKeys = r.keys;
    persistence.lastLoadExpired = r.expired;
    this.server.log.notice(`Done loading RDB, keys loaded: ${r.keys}, keys expired: ${r.expired}.`);
  }

  abort(): void {
    this.loading?.end();
  }
}

/** How much of the spooled file is read per step when loading it. */
const SPOOL_READ_BYTES = 4 * 1024 * 1024;

/** Writes the payload to a temp file in `dir`; finish() loads it and renames it to dbfilename. */
export class SpoolToDisk implements PayloadReceiver {
  readonly file = path.resolve(`temp-${Math.floor(Date.now() / 1000)}.${process.pid}.rdb`);
  private fd: number | null;

  constructor(private readonly server: Server) {
    this.fd = fs.openSync(this.file, 'w+');
  }

  push(bytes: Buffer): void {
    writeAll(this.fd!, bytes);
  }

  finish(): void {
    const fd = this.fd!;
    this.fd = null;
    try {
      fs.fsyncSync(fd);
      this.loadFile(fd);
    } catch (e) {
      closeQuietly(fd);
      unlinkQuietly(this.file);
      throw e;
    }
    fs.closeSync(fd);
    // The file is the dataset we now hold: it becomes dump.rdb, as Redis renames it; a
    // background save of the old dataset must not replace it afterwards.
    const persistence = persistenceOf(this.server);
    persistence.killBackgroundSave();
    fs.renameSync(this.file, persistence.file);
  }

  private loadFile(fd: number): void {
    const load = new StreamLoad(this.server, { blocking: true, deferLogs: false, totalBytes: fs.fstatSync(fd).size });
    try {
      for (let at = 0; ; ) {
        const chunk = Buffer.allocUnsafe(SPOOL_READ_BYTES);
        const n = fs.readSync(fd, chunk, 0, chunk.length, at);
        if (n === 0) break;
        load.push(chunk.subarray(0, n));
        at += n;
      }
    } catch (e) {
      load.abort();
      throw e;
    }
    load.finish();
  }

  abort(): void {
    if (this.fd !== null) closeQuietly(this.fd);
    this.fd = null;
    unlinkQuietly(this.file);
  }
}
