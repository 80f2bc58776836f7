// The replication module: which role this server plays (master, or replica of host:port), the
// replication IDs and offsets PSYNC2 relies on, the backlog, the command gates that depend on
// the role (READONLY, MASTERDOWN, NOREPLICAS), the INFO replication section and ROLE.
//
// The master replication offset is the replication feed's byte count (server.feed.offset). A
// master serves its replicas through master-side.ts; a replica runs one ReplicaLink
// (replica-link.ts) and relays exactly the bytes it applies into its own feed, so replicas
// chained below it see the same replid and offsets as it does.
//
// PSYNC2: replid2/secondReplOffset keep the previous history's ID after a promotion or after
// the master changed, so replicas that followed the old history can still continue partially.

import { Failover } from './failover';
import * as crypto from 'node:crypto';
import type { Server } from '../server/server';
import type { Client } from '../server/client';
import { type CommandSpec, flagsOf } from '../commands/command';
import { ReplicationBacklog } from './backlog';
import { MasterSide } from './master-side';
import { ReplicaLink, LinkState } from './replica-link';
import { DEBUG_SUBCOMMANDS } from '../commands/debug';

const NULL_REPLID = '0'.repeat(40);

export function randomReplid(): string {
  return crypto.randomBytes(20).toString('hex');
}

/** The INFO stats counters for full and partial resyncs served by this server. */
export interface ReplicationStats {
  syncFull: number;
  syncPartialOk: number;
  syncPartialErr: number;
}

const modules = new WeakMap<Server, Replication>();

/** The replication module of a server (created by setupReplication). */
export function replicationOf(server: Server): Replication {
  const r = modules.get(server);
  if (r === undefined) throw new Error('replication module not set up');
  return r;
}

export class Replication {
  replid = randomReplid();
  replid2 = NULL_REPLID;
  /** The first offset replid2 is no longer valid for (second_repl_offset), -1 when unset. */
  secondReplOffset = -1;
  private ring: ReplicationBacklog | null = null;
  /** When the last replica went away (for repl-backlog-ttl); 0 while replicas are attached. */
  noReplicasSince = 0;
  masterHost: string | null = null;
  masterPort = 0;
  link: ReplicaLink | null = null;
  /**
   * Whether our replid/offset describe a history a master may continue from (Redis's "cached
   * master"): after a link loss, after a master turned replica, or after loading an RDB that
   * carried repl-id/repl-offset. A fresh replica asks for PSYNC ? -1.
   */
  canPartialResync = false;
  readonly master: MasterSide;
  /** Why the last full resync we served or asked for happened (INFO last_full_sync_reason). */
  lastFullSyncReason = '';

  /** FAILOVER issued on this master (failover.ts). */
  readonly failover: Failover;

  constructor(
    readonly server: Server,
    readonly stats: ReplicationStats,
  ) {
    this.master = new MasterSide(this);
    this.failover = new Failover(server, this);
  }

  /** The backlog, up to date: the feed first hands it what it holds for this turn. */
  get backlog(): ReplicationBacklog | null {
    this.server.feed.flush();
    return this.ring;
  }

  get offset(): number {
    return this.server.feed.offset;
  }

  get isReplica(): boolean {
    return this.masterHost !== null;
  }

  // -------------------------------------------------------------------------------------------
  // Backlog and IDs
  // -------------------------------------------------------------------------------------------

  createBacklog(): void {
    if (this.ring !== null) return;
    this.ring = new ReplicationBacklog(this.server.config.int('repl-backlog-size'), this.offset);
    this.server.feed.addSink(this.ring);
  }

  freeBacklog(): void {
    if (this.ring === null) return;
    this.server.feed.removeSink(this.ring);
    this.ring = null;
  }

  /** Starts the stream over at `offset` (a replica after a full resync): an empty backlog there. */
  resetStream(offset: number): void {
    this.freeBacklog();
    this.server.feed.offset = offset;
    this.createBacklog();
  }

  /** A new history starts: the old ID stays valid as replid2 up to the current offset. */
  shiftReplicationId(): void {
    this.replid2 = this.replid;
    this.secondReplOffset = this.offset + 1;
    this.replid = randomReplid();
    this.server.log.notice(
      `Setting secondary replication ID to ${this.replid2}, valid up to offset: ${this.secondReplOffset}. New replication ID is ${this.replid}`,
    );
  }

  clearReplid2(): void {
    this.replid2 = NULL_REPLID;
    this.secondReplOffset = -1;
  }

  // -------------------------------------------------------------------------------------------
  // The history an RDB carries (repl-stream-db, repl-id, repl-offset)
  // -------------------------------------------------------------------------------------------

  /**
   * The aux fields an RDB saved now should carry, as Redis's rdbPopulateSaveInfo: a master with
   * a backlog, or a replica with a (possibly cached) master; null otherwise.
   */
  rdbAux(): Record<string, string> | null {
    let db: number;
    if (!this.isReplica) {
      if (this.backlog === null) return null;
      db = Math.max(this.server.feed.selectedDb, 0);
    } else {
      if (!this.canPartialResync && !this.link?.isConnected) return null;
      db = this.link?.masterDbId ?? 0;
    }
    return { 'repl-stream-db': String(db), 'repl-id': this.replid, 'repl-offset': String(this.offset) };
  }

  /**
   * After loading our own RDB at startup: a replica continues the history it carries, so its
   * first PSYNC can be partial (Redis's cached master from the RDB).
   */
  restoreFromRdb(aux: Map<string, string>): void {
    const replid = aux.get('repl-id');
    const offset = Number(aux.get('repl-offset') ?? -1);
    const db = Number(aux.get('repl-stream-db') ?? -1);
    if (!this.isReplica || replid === undefined || replid.length !== 40 || offset < 0 || db < 0) return;
    this.replid = replid;
    this.server.feed.offset = offset;
    this.canPartialResync = true;
    this.link?.setMasterDb(db);
  }

  // -------------------------------------------------------------------------------------------
  // Role changes
  // -------------------------------------------------------------------------------------------

  /**
   * Becomes (or re-points as) a replica of host:port. At runtime a master keeps its own history
   * as a cached master, so it may continue partially; at startup (replicaof in the config) it
   * has none.
   */
  setMaster(host: string, port: number, atStartup = false): void {
    const wasMaster = this.masterHost === null;
    if (this.link !== null) this.link.stop();
    this.masterHost = host;
    this.masterPort = port;
    const server = this.server;
    this.applyRole('slave');
    this.master.abortWaits();
    if (wasMaster && !atStartup) {
      // Our own history is one our new master may share (we were its replica before).
      this.canPartialResync = true;
      server.log.notice('Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.');
    }
    this.link = new ReplicaLink(this, host, port);
    // At startup the cron makes the first attempt, once we listen (Redis's order of log lines);
    // REPLICAOF connects at once.
    if (!atStartup) this.link.start();
  }

  /**
   * What a role means for the rest of the server: the INFO/log role, who may delete expired keys
   * (a replica only hides them and waits for its master's DEL), and whether local writes feed
   * the stream (a replica relays its master's stream instead).
   */
  private applyRole(role: 'master' | 'slave'): void {
    const server = this.server;
    const replica = role === 'slave';
    server.role = role;
    server.log.role = replica ? 'S' : 'M';
    server.keyspace.expiryMode = replica ? 'hide' : 'delete';
    server.feed.relayOnly = replica;
  }

  /** Stops replicating and becomes a master (REPLICAOF NO ONE). */
  unsetMaster(): void {
    if (this.masterHost === null) return;
    const hadHistory = this.canPartialResync || this.link?.isConnected === true;
    if (this.link !== null) this.link.stop();
    this.link = null;
    this.masterHost = null;
    const server = this.server;
    this.applyRole('master');
    server.feed.selectedDb = -1;
    if (hadHistory) server.log.notice('Discarding previously cached master state.');
    this.canPartialResync = false;
    this.shiftReplicationId();
    // Our replicas reconnect and learn the new ID; they can continue partially thanks to replid2.
    this.master.disconnectAll();
  }

  // -------------------------------------------------------------------------------------------
  // Cron
  // -------------------------------------------------------------------------------------------

  cron(now: number): void {
    if (this.link !== null) this.link.cron(now);
    this.master.cron(now);
    this.failover.cron(now);
    this.expireBacklog(now);
  }

  /** A master with no replicas frees its backlog after repl-backlog-ttl seconds (0 = never). */
  private expireBacklog(now: number): void {
    if (this.backlog === null || this.isReplica) return;
    if (this.master.replicas.size > 0) {
      this.noReplicasSince = 0;
      return;
    }
    if (this.noReplicasSince === 0) this.noReplicasSince = now;
    const ttl = this.server.config.int('repl-backlog-ttl');
    if (ttl > 0 && now - this.noReplicasSince >= ttl * 1000) {
      // The history is gone, so its ID must not be offered again.
      this.replid = randomReplid();
      this.clearReplid2();
      this.freeBacklog();
      this.server.log.notice(`Replication backlog freed after ${ttl} seconds without connected replicas.`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Gates
  // -------------------------------------------------------------------------------------------

  /** The NOREPLICAS gate (min-replicas-to-write on a master). */
  minReplicasCheck(c: Client, spec: CommandSpec): string | null {
    if (this.isReplica || c.role === 'master' || !flagsOf(spec).write) return null;
    return this.master.enoughGoodReplicas() ? null : 'NOREPLICAS Not enough good replicas to write.';
  }

  /** The READONLY gate: a read-only replica takes writes only from its master. */
  readOnlyCheck(c: Client, spec: CommandSpec): string | null {
    if (!this.isReplica || c.role === 'master' || !spec.flags.includes('write')) return null;
    return this.server.config.bool('replica-read-only') ? "READONLY You can't write against a read only replica." : null;
  }

  /** The MASTERDOWN gate: replica-serve-stale-data no while the link is down. */
  staleDataCheck(c: Client, spec: CommandSpec): string | null {
    if (!this.isReplica || c.role === 'master' || spec.flags.includes('stale')) return null;
    if (this.link !== null && this.link.isConnected) return null;
    return this.server.config.bool('replica-serve-stale-data') ? null : "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
  }

  // -------------------------------------------------------------------------------------------
  // INFO replication and ROLE
  // -------------------------------------------------------------------------------------------

  infoLines(): string[] {
    const now = this.server.clock.now();
    const cfg = this.server.config;
    const lines: string[] = [];
    if (!this.isReplica) {
      lines.push('role:master');
    } else {
      const link = this.link!;
      const up = link.state === LinkState.Connected;
      lines.push(
        'role:slave',
        `master_host:${this.masterHost}`,
        `master_port:${this.masterPort}`,
        `master_link_status:${up ? 'up' : 'down'}`,
        `master_last_io_seconds_ago:${up ? Math.floor((now - link.lastIo) / 1000) : -1}`,
        `master_sync_in_progress:${link.state === LinkState.Transfer ? 1 : 0}`,
        `slave_read_repl_offset:${link.readOffset}`,
        `slave_repl_offset:${link.appliedOffset}`,
      );
      if (link.state === LinkState.Transfer) lines.push(...link.transferInfo(now));
      if (!up) lines.push(`master_link_down_since_seconds:${link.downSince === 0 ? -1 : Math.floor((now - link.downSince) / 1000)}`);
      lines.push(
        `slave_priority:${cfg.int('replica-priority')}`,
        `slave_read_only:${cfg.bool('replica-read-only') ? 1 : 0}`,
        `replica_announced:${cfg.bool('replica-announced') ? 1 : 0}`,
      );
    }
    lines.push(...this.master.infoLines(now));
    lines.push(
      `master_failover_state:${this.failover.state}`,
      `master_replid:${this.replid}`,
      `master_replid2:${this.replid2}`,
      `master_repl_offset:${this.offset}`,
      `second_repl_offset:${this.secondReplOffset}`,
      `repl_backlog_active:${this.backlog !== null ? 1 : 0}`,
      `repl_backlog_size:${this.backlog?.size ?? cfg.int('repl-backlog-size')}`,
      `repl_backlog_first_byte_offset:${this.backlog?.firstByteOffset ?? 0}`,
      `repl_backlog_histlen:${this.backlog?.histlen ?? 0}`,
    );
    if (this.lastFullSyncReason !== '') lines.push(`last_full_sync_reason:${this.lastFullSyncReason}`);
    return lines;
  }

  /** The ROLE reply. */
  replyRole(c: Client): void {
    if (!this.isReplica) {
      const online = [...this.master.replicas.values()].filter((r) => r.state === 'online');
      c.reply.arrayHeader(3);
      c.reply.bulk('master');
      c.reply.int(this.offset);
      c.reply.arrayHeader(online.length);
      for (const r of online) {
        c.reply.arrayHeader(3);
        c.reply.bulk(r.ip);
        c.reply.bulk(String(r.listeningPort));
        c.reply.bulk(String(r.ackOffset));
      }
      return;
    }
    const link = this.link!;
    c.reply.arrayHeader(5);
    c.reply.bulk('slave');
    c.reply.bulk(this.masterHost!);
    c.reply.int(this.masterPort);
    c.reply.bulk(link.roleState());
    c.reply.int(link.state === LinkState.Connected ? link.appliedOffset : -1);
  }
}

/**
 * Creates the replication module and wires its cron, hooks and INFO section; setup.ts adds its
 * gates where Redis checks them.
 */
export function setupReplication(server: Server, stats: ReplicationStats): Replication {
  const repl = new Replication(server, stats);
  modules.set(server, repl);
  server.hooks.cron.push((now) => repl.cron(now));
  // Replicas get this turn's stream in the same flush as the replies to the writes.
  server.hooks.beforeReplies.push(() => server.feed.flush());
  server.hooks.clientClosed.push((c) => {
    if (c.role === 'replica') repl.master.replicaClosed(c);
    else if (c.role === 'master' && repl.link !== null) repl.link.masterClientClosed(c);
    repl.master.clientClosed(c);
  });
  server.infoProviders.set('replication', () => repl.infoLines());
  DEBUG_SUBCOMMANDS.set('change-repl-id', {
    min: 0,
    max: 0,
    handler: (c) => {
      server.log.notice('Changing replication IDs after receiving DEBUG change-repl-id');
      repl.replid = randomReplid();
      repl.clearReplid2();
      c.reply.ok();
    },
  });
  server.config.watch('repl-backlog-size', (v) => {
    repl.backlog?.resize(v as number);
  });
  const replicaof = server.config.str('replicaof');
  if (replicaof !== '') {
    const [host, port] = replicaof.split(' ');
    repl.setMaster(host, Number(port), true);
  }
  return repl;
}
