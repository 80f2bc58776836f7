// What a sentinel knows about the servers it watches: each monitored master, its replicas and
// the other sentinels watching it, with the timestamps the failure detector reads (last PING
// sent, last valid reply, last INFO) and the fields the replicas report in INFO replication.

import type { InstanceLink } from './instance-link';

export type InstanceKind = 'master' | 'slave' | 'sentinel';

/** Failover progress of a master, in order (Redis's SENTINEL_FAILOVER_STATE_*). */
export enum FailoverState {
  None,
  WaitStart,
  SelectSlave,
  SendSlaveofNoone,
  WaitPromotion,
  ReconfSlaves,
  UpdateConfig,
}

export class Instance {
  runid = '';
  cmdLink: InstanceLink | null = null;
  pubsubLink: InstanceLink | null = null;
  /** Last time a link was (re)created; reconnects are at most once a second. */
  lastReconnect = 0;
  /** When the PING now in flight was sent (0: none pending). */
  lastPingSent = 0;
  /** Last valid PING reply (+PONG, -LOADING, -MASTERDOWN): the failure detector's clock. */
  lastAvailTime: number;
  /** Last reply of any kind to a PING. */
  lastPongTime: number;
  lastHelloSent = 0;
  /** Last INFO reply (0: never). */
  infoRefresh = 0;
  roleReported: 'master' | 'slave';
  roleReportedTime: number;
  sdownSince = 0;
  // What a replica reports in INFO replication.
  masterLinkDownSinceSeconds = -1;
  masterLinkStatusOk = false;
  slaveMasterHost = '';
  slaveMasterPort = 0;
  slavePriority = 100;
  slaveReplOffset = 0;
  replicaAnnounced = true;
  /** A replica we sent REPLICAOF to during a failover: 'sent' -> 'inprog' -> 'done'. */
  reconf: '' | 'sent' | 'inprog' | 'done' = '';
  reconfSentTime = 0;
  /** Last time we told this replica to follow the right master (rate-limits +fix-slave-config). */
  lastFixTime = 0;
  // For sentinels: their answer to is-master-down-by-addr.
  masterDownReported = false;
  /** A sentinel's reported vote; on a master, our own vote for its failover in leaderEpoch. */
  leader = '';
  leaderEpoch = 0;
  lastMasterDownReplyTime = 0;

  constructor(
    readonly kind: InstanceKind,
    /** A master's configured name; "ip:port" for replicas and sentinels. */
    public name: string,
    public host: string,
    public port: number,
    readonly master: MasterInstance | null,
    now: number,
  ) {
    this.lastAvailTime = now;
    this.lastPongTime = now;
    this.roleReported = kind === 'slave' ? 'slave' : 'master';
    this.roleReportedTime = now;
  }

  get sdown(): boolean {
    return this.sdownSince !== 0;
  }

  get addr(): string {
    return `${this.host}:${this.port}`;
  }

  closeLinks(): void {
    this.cmdLink?.close();
    this.pubsubLink?.close();
    this.cmdLink = null;
    this.pubsubLink = null;
  }
}

export class MasterInstance extends Instance {
  quorum: number;
  downAfterMs = 30000;
  failoverTimeout = 180000;
  parallelSyncs = 1;
  authUser = '';
  authPass = '';
  notificationScript = '';
  clientReconfigScript = '';
  readonly renamedCommands = new Map<string, string>();
  readonly replicas = new Map<string, Instance>();
  /** Other sentinels watching this master, by run id. */
  readonly sentinels = new Map<string, Instance>();
  configEpoch = 0;
  odownSince = 0;
  failoverState = FailoverState.None;
  failoverEpoch = 0;
  failoverStateChangeTime = 0;
  failoverStartTime = 0;
  /** Earliest time the next failover may start (2 * failover-timeout after the last try). */
  failoverDelayUntil = 0;
  promoted: Instance | null = null;
  /** SENTINEL FAILOVER: fail over without agreement that the master is down. */
  forceFailover = false;

  constructor(name: string, host: string, port: number, quorum: number, now: number) {
    super('master', name, host, port, null, now);
    this.quorum = quorum;
  }

  get odown(): boolean {
    return this.odownSince !== 0;
  }

  get failoverInProgress(): boolean {
    return this.failoverState !== FailoverState.None;
  }

  /** The name a command is known by on this master (sentinel rename-command). */
  command(name: string): string {
    return this.renamedCommands.get(name.toLowerCase()) ?? name;
  }
}
