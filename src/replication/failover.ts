// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms] on a master (Redis 6.2's coordinated
// failover): writes are paused, the target replica (the one named, or the first fully caught
// up) must reach our offset, then we become its replica and ask with `PSYNC <replid> <offset>
// FAILOVER`, which makes it take over as master and continue our stream partially. The state
// shows in INFO as master_failover_state (no-failover / waiting-for-sync / failover-in-progress).
//
// Without FORCE a target that does not catch up before TIMEOUT aborts the failover; with FORCE
// the failover proceeds to the named target anyway. A refused PSYNC FAILOVER makes us master
// again. Writes held back during the failover run afterwards (and a former master now refuses
// them as a replica would).

import type { Server } from '../server/server';
import type { Replication } from './replication';
import type { AttachedReplica } from './master-side';
import { pause, unpause } from '../commands/client';

/** Longer than any failover: the pause is ended explicitly when the failover ends. */
const PAUSE_MS = 24 * 3600 * 1000;

export interface FailoverRequest {
  host: string | null;
  port: number;
  force: boolean;
  /** Absolute deadline in ms, or 0 for none. */
  deadline: number;
}

export class Failover {
  state: 'no-failover' | 'waiting-for-sync' | 'failover-in-progress' = 'no-failover';
  private request: FailoverRequest | null = null;
  private target: { host: string; port: number } | null = null;

  constructor(
    private readonly server: Server,
    private readonly repl: Replication,
  ) {}

  get inProgress(): boolean {
    return this.state === 'failover-in-progress';
  }

  /**
   * Whether the keepalive PINGs to replicas are held back: Redis sends none while a FAILOVER
   * with a TIMEOUT waits for its target with writes paused (failover_end_time set), since each
   * PING moves the offset the target must reach.
   */
  get holdsReplicaPings(): boolean {
    return this.state === 'waiting-for-sync' && this.request !== null && this.request.deadline !== 0;
  }

  /** Starts a failover; returns Redis's error text (without "ERR ") or null. */
  start(req: FailoverRequest): string | null {
    if (this.repl.isReplica) return 'FAILOVER is not valid when server is a replica.';
    if (this.repl.master.replicas.size === 0) return 'FAILOVER requires connected replicas.';
    if (this.state !== 'no-failover') return 'FAILOVER already in progress.';
    if (req.host !== null && this.findReplica(req.host, req.port) === null) return 'FAILOVER target HOST and PORT is not a replica.';
    this.request = req;
    this.state = 'waiting-for-sync';
    pause(this.server, 'write', PAUSE_MS);
    this.server.log.notice(`FAILOVER requested to ${req.host === null ? 'any replica' : `${req.host}:${req.port}`}.`);
    return null;
  }

  /** FAILOVER ABORT; returns Redis's error text or null. */
  abort(): string | null {
    if (this.state === 'no-failover') return 'No failover in progress.';
    this.end('Failover manually aborted');
    return null;
  }

  private findReplica(host: string, port: number): AttachedReplica | null {
    for (const r of this.repl.master.replicas.values()) if (r.ip === host && r.listeningPort === port) return r;
    return null;
  }

  /** Cron: waits for the target to catch up, then hands over; aborts at the deadline. */
  cron(now: number): void {
    if (this.state !== 'waiting-for-sync' || this.request === null) return;
    const req = this.request;
    const offset = this.repl.offset;
    let target: AttachedReplica | null = null;
    if (req.host !== null) {
      const r = this.findReplica(req.host, req.port);
      if (r !== null && r.ackOffset >= offset) target = r;
    } else {
      for (const r of this.repl.master.replicas.values()) if (r.ackOffset >= offset) target = r;
    }
    if (target === null && req.deadline !== 0 && now >= req.deadline) {
      if (!req.force || req.host === null) {
        this.end('Replica never caught up before timeout');
        return;
      }
      this.handOver(req.host, req.port);
      return;
    }
    if (target !== null) this.handOver(target.ip, target.listeningPort);
  }

  private handOver(host: string, port: number): void {
    this.state = 'failover-in-progress';
    this.target = { host, port };
    this.server.log.notice(`Failover target ${host}:${port} is synced, failing over.`);
    this.repl.setMaster(host, port);
  }

  /** The replica link's PSYNC during a failover carries FAILOVER. */
  psyncSuffix(): string[] {
    return this.inProgress ? ['FAILOVER'] : [];
  }

  /** The link reached the target: the failover is done. */
  linkUp(): void {
    if (this.inProgress) this.end(null);
  }

  /** The target refused PSYNC FAILOVER: we are the master again. */
  refused(reply: string): void {
    if (!this.inProgress) return;
    this.server.log.warning(`Failover target ${this.target?.host}:${this.target?.port} rejected the PSYNC FAILOVER: ${reply}`);
    this.repl.unsetMaster();
    this.end('Failover target rejected psync request');
  }

  private end(reason: string | null): void {
    if (reason !== null) this.server.log.notice(`FAILOVER aborted: ${reason}.`);
    else this.server.log.notice('Failover completed.');
    this.state = 'no-failover';
    this.request = null;
    this.target = null;
    unpause(this.server);
  }
}
