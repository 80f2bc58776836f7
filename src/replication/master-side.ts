// The master side of replication: answering SYNC/PSYNC, full resyncs through the snapshot engine
// (to disk: `$<len>` then the payload; diskless: `$EOF:<mark>` streamed, replicas arriving within
// repl-diskless-sync-delay sharing one snapshot), partial resyncs from the backlog, then the live
// stream. Also REPLCONF ACK bookkeeping, PINGs every repl-ping-replica-period, replica timeouts,
// min-replicas and WAIT.
//
// A replica is an ordinary client with role 'replica' that is also a feed sink. While its full
// resync runs, stream bytes wait in its own pending list (they follow the snapshot point); once
// online they go through its reply buffer, so client-output-buffer-limit's replica class applies.

import * as crypto from 'node:crypto';
import type { Client } from '../server/client';
import type { FeedSink } from './feed';
import type { Replication } from './replication';
import type { LiveValue } from '../config/config';
import { startReplicationSnapshot, SnapshotHandle } from './rdb-payload';
import { blockingOf } from '../server/blocking';

export type AttachedState = 'wait_bgsave' | 'send_bulk' | 'online';

/** What a connection announced with REPLCONF before it asked to sync. */
export interface ReplconfInfo {
  listeningPort: number;
  announcedIp: string;
  capaEof: boolean;
  capaPsync2: boolean;
}

export function replconfOf(c: Client): ReplconfInfo {
  let info = c.ext.replconf as ReplconfInfo | undefined;
  if (info === undefined) {
    info = { listeningPort: 0, announcedIp: '', capaEof: false, capaPsync2: false };
    c.ext.replconf = info;
  }
  return info;
}

export class AttachedReplica implements FeedSink {
  state: AttachedState = 'wait_bgsave';
  ackOffset = 0;
  ackTime: number;
  /** Stream bytes that follow the snapshot point, held until the payload is sent. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** After a diskless transfer the stream starts on the first ACK (the replica reads to EOF). */
  holdUntilAck = false;
  /** A feed sink taking a whole turn's stream at once: one write into the reply buffer per turn. */
  readonly perTurn = true;

  constructor(
    readonly side: MasterSide,
    readonly client: Client,
    readonly info: ReplconfInfo,
    now: number,
  ) {
    this.ackTime = now;
  }

  get ip(): string {
    if (this.info.announcedIp !== '') return this.info.announcedIp;
    const addr = this.client.addr;
    return addr.slice(0, addr.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  }

  get listeningPort(): number {
    return this.info.listeningPort;
  }

  /** How Redis names a replica in its logs: ip:listening-port. */
  get name(): string {
    return `${this.ip}:${this.listeningPort !== 0 ? this.listeningPort : '<unknown-replica-port>'}`;
  }

  get streaming(): boolean {
    return this.state === 'online' && !this.holdUntilAck;
  }

  write(bytes: Buffer): void {
    if (!this.streaming) return this.hold(bytes);
    const wasEmpty = this.client.reply.pendingBytes === 0;
    this.client.reply.rawBuffer(bytes);
    if (wasEmpty) this.client.server.scheduleFlush(this.client);
  }

  private hold(bytes: Buffer): void {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    const limit = this.client.server.config.outputBufferLimit('slave');
    if (limit.hard > 0 && this.pendingBytes >= limit.hard) this.side.dropForOutputLimit(this);
  }

  /** The snapshot starts now: what was fed while waiting for it is part of the snapshot. */
  discardPending(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Sends what accumulated during the sync and switches to live streaming. */
  startStreaming(): void {
    this.holdUntilAck = false;
    const held = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const b of held) this.write(b);
  }

  /**
   * Writes directly to the socket (sync-phase output that must precede the stream). Returns
   * false when the socket's buffer is full.
   */
  writeDirect(data: Buffer | string): boolean {
    const s = this.client.socket;
    if (s === null || s.destroyed) return true;
    const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    this.client.server.stats.netOutputBytes += b.length;
    return s.write(b);
  }
}

/** One snapshot serving one or more replicas' full resyncs. */
interface SyncSnapshot {
  diskless: boolean;
  startOffset: number;
  replicas: AttachedReplica[];
  chunks: Buffer[];
  eofMark: string;
  handle: SnapshotHandle | null;
}

interface WaitingClient {
  client: Client;
  offset: number;
  numReplicas: number;
}

export class MasterSide {
  readonly replicas = new Map<Client, AttachedReplica>();
  private snapshot: SyncSnapshot | null = null;
  private delayTimer: NodeJS.Timeout | null = null;
  private lastPingSecond = 0;
  private waiting: WaitingClient[] = [];
  private getAckScheduled = false;
  /** min-replicas-to-write / min-replicas-max-lag, read by the gate before every write. */
  private readonly minReplicas: LiveValue;
  private readonly minReplicasMaxLag: LiveValue;

  constructor(readonly repl: Replication) {
    this.minReplicas = repl.server.config.live('min-replicas-to-write');
    this.minReplicasMaxLag = repl.server.config.live('min-replicas-max-lag');
  }

  private get server() {
    return this.repl.server;
  }

  // -------------------------------------------------------------------------------------------
  // SYNC / PSYNC
  // -------------------------------------------------------------------------------------------

  /** Serves SYNC (replid null) or PSYNC replid offset; replies itself. */
  handleSync(c: Client, replid: string | null, offset: number): void {
    const server = this.server;
    if (c.role === 'replica') return;
    if (this.repl.isReplica && !this.repl.link?.isConnected) {
      c.reply.error("NOMASTERLINK Can't SYNC while not connected with my master");
      return;
    }
    if (c.reply.pendingBytes > 0) {
      c.reply.error('ERR SYNC and PSYNC are invalid with pending output');
      return;
    }
    const info = replconfOf(c);
    const r = new AttachedReplica(this, c, info, server.clock.now());
    server.log.notice(`Replica ${r.name} asks for synchronization`);
    if (replid !== null) {
      if (this.tryPartial(r, replid, offset)) {
        this.repl.stats.syncPartialOk++;
        return;
      }
      if (replid !== '?') this.repl.stats.syncPartialErr++;
    } else {
      // Plain SYNC: the old protocol, no +FULLRESYNC line and no partial resyncs later.
      info.capaPsync2 = false;
    }
    this.fullResync(r, replid === null);
  }

  /** Accepts a partial resync if replid/offset continue our history and the backlog covers it. */
  private tryPartial(r: AttachedReplica, replid: string, offset: number): boolean {
    const repl = this.repl;
    const log = this.server.log;
    if (replid !== repl.replid && (replid !== repl.replid2 || offset > repl.secondReplOffset)) {
      if (replid === '?') {
        log.notice(`Full resync requested by replica ${r.name}`);
        repl.lastFullSyncReason = 'replica asked for a full resync';
      } else if (replid !== repl.replid && replid !== repl.replid2) {
        log.notice(`Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${replid}', my replication IDs are '${repl.replid}' and '${repl.replid2}')`);
        repl.lastFullSyncReason = 'replid mismatch';
      } else {
        log.notice(`Partial resynchronization not accepted: Requested offset for second ID was ${offset}, but I can reply up to ${repl.secondReplOffset}`);
        repl.lastFullSyncReason = 'offset beyond the secondary replid';
      }
      return false;
    }
    const backlog = repl.backlog;
    if (backlog === null || !backlog.covers(offset)) {
      log.notice(`Unable to partial resync with replica ${r.name} for lack of backlog (Replica request was: ${offset}).`);
      if (offset > repl.offset) log.warning(`Warning: replica ${r.name} tried to PSYNC with an offset that is greater than the master replication offset.`);
      repl.lastFullSyncReason = 'offset not in the backlog';
      return false;
    }
    this.attach(r);
    r.state = 'online';
    r.ackOffset = offset - 1;
    r.writeDirect(r.info.capaPsync2 ? `+CONTINUE ${repl.replid}\r\n` : '+CONTINUE\r\n');
    const bytes = backlog.readFrom(offset);
    r.writeDirect(bytes);
    log.notice(`Partial resynchronization request from ${r.name} accepted. Sending ${bytes.length} bytes of backlog starting from offset ${offset}.`);
    return true;
  }

  private attach(r: AttachedReplica): void {
    r.client.role = 'replica';
    this.replicas.set(r.client, r);
    this.server.feed.addSink(r);
    this.repl.noReplicasSince = 0;
  }

  private fullResync(r: AttachedReplica, plainSync: boolean): void {
    const repl = this.repl;
    const server = this.server;
    repl.stats.syncFull++;
    r.client.ext.plainSync = plainSync;
    if (repl.backlog === null) {
      repl.replid = crypto.randomBytes(20).toString('hex');
      repl.clearReplid2();
      repl.createBacklog();
      server.log.notice(`Replication backlog created, my new replication IDs are '${repl.replid}' and '${repl.replid2}'`);
    }
    this.attach(r);
    const diskless = server.config.bool('repl-diskless-sync') && r.info.capaEof;
    const snap = this.snapshot;
    if (snap !== null && !snap.diskless && !diskless && snap.replicas.length > 0 && snap.replicas[0].state === 'wait_bgsave' && repl.backlog!.covers(snap.startOffset + 1)) {
      // Join the disk snapshot in progress: same start point, and the stream since then is in
      // the backlog.
      server.log.notice('Waiting for end of BGSAVE for SYNC');
      this.sendFullResyncLine(r, snap.startOffset);
      r.write(repl.backlog!.readFrom(snap.startOffset + 1));
      snap.replicas.push(r);
      return;
    }
    if (snap !== null) {
      server.log.notice(snap.diskless ? 'Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC' : 'Can\'t attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC');
      return;
    }
    const delay = server.config.int('repl-diskless-sync-delay');
    if (diskless && delay > 0) {
      if (this.delayTimer === null) {
        server.log.notice('Delay next BGSAVE for diskless SYNC');
        this.delayTimer = setTimeout(() => {
          this.delayTimer = null;
          this.startSnapshotForWaiting();
        }, delay * 1000);
      }
      const max = server.config.int('repl-diskless-sync-max-replicas');
      if (max > 0 && this.waitingForSnapshot().length >= max) this.startSnapshotForWaiting();
      return;
    }
    this.startSnapshotForWaiting();
  }

  private waitingForSnapshot(): AttachedReplica[] {
    return [...this.replicas.values()].filter((r) => r.state === 'wait_bgsave' && !this.snapshot?.replicas.includes(r));
  }

  private sendFullResyncLine(r: AttachedReplica, offset: number): void {
    if (r.client.ext.plainSync !== true) r.writeDirect(`+FULLRESYNC ${this.repl.replid} ${offset}\r\n`);
  }

  /** Starts one snapshot for every replica waiting for a full resync. */
  private startSnapshotForWaiting(): void {
    if (this.delayTimer !== null) {
      clearTimeout(this.delayTimer);
      this.delayTimer = null;
    }
    if (this.snapshot !== null) return;
    const replicas = this.waitingForSnapshot();
    if (replicas.length === 0) return;
    const server = this.server;
    // Only replicas that understand $EOF: can be served diskless; the others wait for a disk one.
    const wantDiskless = server.config.bool('repl-diskless-sync');
    const diskless = wantDiskless && replicas.every((r) => r.info.capaEof);
    server.log.notice(`Starting BGSAVE for SYNC with target: ${diskless ? 'replicas sockets' : 'disk'}`);
    // What the feed still holds for this turn precedes the snapshot point: it must reach the
    // replicas' pending lists before they are emptied, not after.
    server.feed.flush();
    const snap: SyncSnapshot = { diskless, startOffset: this.repl.offset, replicas, chunks: [], eofMark: crypto.randomBytes(20).toString('hex'), handle: null };
    this.snapshot = snap;
    // The stream after the snapshot point starts with a SELECT (the payload says nothing of it).
    server.feed.selectedDb = -1;
    for (const r of replicas) {
      r.discardPending();
      this.sendFullResyncLine(r, snap.startOffset);
      if (diskless) {
        r.state = 'send_bulk';
        r.writeDirect(`$EOF:${snap.eofMark}\r\n`);
      }
    }
    const aux = { 'repl-stream-db': '0', 'repl-id': this.repl.replid, 'repl-offset': String(snap.startOffset) };
    snap.handle = startReplicationSnapshot(
      server,
      aux,
      (buf) => {
        if (!diskless) {
          snap.chunks.push(buf);
          return true;
        }
        // Backpressure: pause the walk until every replica's socket drained.
        let flowing = true;
        for (const r of snap.replicas) {
          if (r.writeDirect(buf)) continue;
          flowing = false;
          r.client.socket?.once('drain', () => snap.handle?.resume());
        }
        return flowing;
      },
      (err) => this.snapshotDone(snap, err),
    );
  }

  private snapshotDone(snap: SyncSnapshot, err: Error | null): void {
    const server = this.server;
    this.snapshot = null;
    const live = snap.replicas.filter((r) => !r.client.closed);
    if (err !== null) {
      server.log.warning(`BGSAVE for replication failed: ${err.message}`);
      for (const r of live) server.closeClient(r.client);
    } else if (snap.diskless) {
      for (const r of live) {
        r.writeDirect(snap.eofMark);
        r.state = 'online';
        r.holdUntilAck = true;
        r.ackTime = server.clock.now();
        server.log.notice(`Streamed RDB transfer with replica ${r.name} succeeded (socket). Waiting for REPLCONF ACK from replica to enable streaming`);
      }
    } else {
      server.log.notice('Background saving terminated with success');
      const payload = Buffer.concat(snap.chunks);
      for (const r of live) {
        r.state = 'send_bulk';
        r.writeDirect(`$${payload.length}\r\n`);
        r.writeDirect(payload);
        r.state = 'online';
        r.ackTime = server.clock.now();
        r.startStreaming();
        server.log.notice(`Synchronization with replica ${r.name} succeeded`);
      }
    }
    // Replicas that arrived during this snapshot get the next one.
    if (this.waitingForSnapshot().length > 0) setImmediate(() => this.startSnapshotForWaiting());
  }

  // -------------------------------------------------------------------------------------------
  // ACKs, WAIT, min-replicas
  // -------------------------------------------------------------------------------------------

  /** REPLCONF ACK <offset> from a replica. */
  ack(c: Client, offset: number): void {
    const r = this.replicas.get(c);
    if (r === undefined) return;
    if (offset > r.ackOffset) r.ackOffset = offset;
    r.ackTime = this.server.clock.now();
    if (r.holdUntilAck && r.state === 'online') {
      r.startStreaming();
      this.server.log.notice(`Synchronization with replica ${r.name} succeeded`);
    }
    this.serveWaiting();
  }

  private countAcked(offset: number): number {
    let n = 0;
    for (const r of this.replicas.values()) if (r.state === 'online' && r.ackOffset >= offset) n++;
    return n;
  }

  /** min-replicas-to-write / min-replicas-max-lag. */
  goodReplicas(now: number): number {
    const maxLag = this.server.config.int('min-replicas-max-lag');
    let n = 0;
    for (const r of this.replicas.values()) if (r.state === 'online' && (now - r.ackTime) / 1000 <= maxLag) n++;
    return n;
  }

  enoughGoodReplicas(): boolean {
    const need = this.minReplicas.value as number;
    if (need <= 0 || (this.minReplicasMaxLag.value as number) <= 0) return true;
    return this.goodReplicas(this.server.clock.now()) >= need;
  }

  /**
   * WAIT numreplicas timeout: replies now, or blocks the client (through the blocking module, so
   * CLIENT UNBLOCK and blocked_clients see it) until enough replicas acknowledged the client's
   * own last write (Redis's c->woff), not later writes of other clients.
   */
  wait(c: Client, numReplicas: number, timeoutMs: number): void {
    const offset = c.woff;
    const acked = this.countAcked(offset);
    const blocking = blockingOf(this.server);
    if (acked >= numReplicas || !blocking.canBlock(c)) {
      c.reply.int(acked);
      return;
    }
    this.waiting.push({ client: c, offset, numReplicas });
    blocking.block(c, {
      keys: [],
      deadline: timeoutMs > 0 ? Date.now() + timeoutMs : 0,
      onTimeout: (cl) => {
        this.forgetWait(cl);
        cl.reply.int(this.countAcked(offset));
      },
    });
    this.requestAcks();
  }

  /** Puts REPLCONF GETACK * into the stream once per event-loop turn. */
  private requestAcks(): void {
    if (this.getAckScheduled) return;
    this.getAckScheduled = true;
    setImmediate(() => {
      this.getAckScheduled = false;
      if (this.replicas.size === 0 || this.repl.isReplica) return;
      // Sent now, not a turn later: a blocked WAIT waits for the answers.
      this.server.feed.propagate(-1, ['REPLCONF', 'GETACK', '*']);
      this.server.feed.flush();
    });
  }

  private serveWaiting(): void {
    for (const w of [...this.waiting]) {
      if (!w.client.blocked) this.forgetWait(w.client);
      else if (this.countAcked(w.offset) >= w.numReplicas) this.releaseWait(w);
    }
  }

  private releaseWait(w: WaitingClient): void {
    this.forgetWait(w.client);
    w.client.reply.int(this.countAcked(w.offset));
    blockingOf(this.server).release(w.client);
  }

  private forgetWait(c: Client): void {
    this.waiting = this.waiting.filter((w) => w.client !== c);
  }

  /** Unblocks every WAIT (the server turned replica: they get the count they have). */
  abortWaits(): void {
    for (const w of [...this.waiting]) this.releaseWait(w);
  }

  clientClosed(c: Client): void {
    this.forgetWait(c);
  }

  // -------------------------------------------------------------------------------------------
  // Replica lifecycle
  // -------------------------------------------------------------------------------------------

  replicaClosed(c: Client): void {
    const r = this.replicas.get(c);
    if (r === undefined) return;
    this.replicas.delete(c);
    this.server.feed.removeSink(r);
    if (this.snapshot !== null) {
      this.snapshot.replicas = this.snapshot.replicas.filter((x) => x !== r);
      if (this.snapshot.replicas.length === 0 && this.snapshot.handle !== null) {
        this.snapshot.handle.cancel();
        this.snapshot = null;
      }
    }
    this.server.log.warning(`Connection with replica ${r.name} lost.`);
    this.serveWaiting();
  }

  dropForOutputLimit(r: AttachedReplica): void {
    const c = r.client;
    this.server.log.warning(`Client id=${c.id} addr=${c.addr} laddr=${c.laddr} name=${c.name} flags=S scheduled to be closed ASAP for overcoming of output buffer limits.`);
    this.server.closeClient(c);
  }

  /** Closes every attached replica (they reconnect and resync, partially when they can). */
  disconnectAll(): void {
    for (const c of [...this.replicas.keys()]) this.server.closeClient(c);
  }

  cron(now: number): void {
    if (this.replicas.size === 0) return;
    const second = Math.floor(now / 1000);
    if (second === this.lastPingSecond) return;
    this.lastPingSecond = second;
    const period = Math.max(this.server.config.int('repl-ping-replica-period'), 1);
    if (second % period === 0 && !this.repl.isReplica && !this.repl.failover.holdsReplicaPings) this.server.feed.propagate(-1, ['PING']);
    const timeoutMs = this.server.config.int('repl-timeout') * 1000;
    for (const r of [...this.replicas.values()]) {
      // A replica waiting for its snapshot (or for a disk one to finish) gets newlines so it
      // knows we are alive; a diskless transfer in progress is its own keepalive.
      if (r.state === 'wait_bgsave') r.writeDirect('\n');
      if (r.state === 'online' && now - r.ackTime > timeoutMs) {
        this.server.log.warning(`Disconnecting timedout replica (streaming sync): ${r.name}`);
        this.server.closeClient(r.client);
      }
    }
  }

  infoLines(now: number): string[] {
    const lines = [`connected_slaves:${this.replicas.size}`];
    const cfg = this.server.config;
    if (cfg.int('min-replicas-to-write') > 0 && cfg.int('min-replicas-max-lag') > 0) lines.push(`min_slaves_good_slaves:${this.goodReplicas(now)}`);
    const replicas = [...this.replicas.values()];
    replicas.forEach((r, i) => {
      lines.push(`slave${i}:ip=${r.ip},port=${r.listeningPort},state=${r.state},offset=${r.ackOffset},lag=${Math.floor((now - r.ackTime) / 1000)}`);
    });
    // Tandem's extra: lag in ms. Not named slaveN..., which Sentinel would parse as a replica.
    replicas.forEach((r, i) => lines.push(`replica${i}_lag_ms:${now - r.ackTime}`));
    return lines;
  }
}
