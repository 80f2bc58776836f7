// Sentinel: watches masters and their replicas, agrees with the other sentinels that a master is
// down, elects a leader per epoch, and fails over: promotes the best replica and repoints the
// others. Wire-compatible with Redis Sentinel 7.0 (the same hello messages, the same
// SENTINEL is-master-down-by-addr exchange, the same commands sent to the servers), so real
// redis-sentinel processes and Tandem sentinels can form one group.
//
// Everything runs from one timer tick (every 100 ms): per instance, reconnect links, send the
// periodic PING / INFO / hello, and judge SDOWN; per master, judge ODOWN, ask the other sentinels,
// and advance the failover state machine. Events are logged and published on this sentinel's own
// pub/sub channels (+sdown, +odown, +switch-master, ...) with Redis's message formats.

import * as crypto from 'node:crypto';
import type { Server } from '../server/server';
import { InstanceLink } from './instance-link';
import { FailoverState, Instance, MasterInstance } from './instances';
import { PlainReply, ReplyError } from '../protocol/reply-reader';
import { pubsubOf } from '../pubsub/pubsub';
import { applySentinelDirectives, rewriteSentinelConfig } from './sentinel-config';
import { runScript } from './scripts';

export const HELLO_CHANNEL = '__sentinel__:hello';
const TICK_MS = 100;
const INFO_PERIOD = 10000;
const PING_PERIOD = 1000;
const ASK_PERIOD = 1000;
const PUBLISH_PERIOD = 2000;
const TILT_TRIGGER = 2000;
const TILT_PERIOD = 30000;
const MAX_DESYNC = 1000;
const ELECTION_TIMEOUT = 10000;
const SLAVE_RECONF_TIMEOUT = 10000;
const MIN_LINK_RECONNECT = 1000;

/** The timing knobs tests shrink; the defaults are Redis's. */
export interface SentinelTimings {
  infoPeriod: number;
  publishPeriod: number;
}

export class Sentinel {
  myid = '';
  currentEpoch = 0;
  readonly masters = new Map<string, MasterInstance>();
  announceIp = '';
  announcePort = 0;
  denyScriptsReconfig = true;
  resolveHostnames = false;
  announceHostnames = false;
  sentinelUser = '';
  sentinelPass = '';
  tilt = false;
  tiltSince = 0;
  simulateFailure = { crashAfterElection: false, crashAfterPromotion: false };
  readonly timings: SentinelTimings = { infoPeriod: INFO_PERIOD, publishPeriod: PUBLISH_PERIOD };
  private previousTick = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly server: Server) {}

  /** Loads `sentinel ...` directives, picks an id if there is none, and saves the state. */
  start(): void {
    applySentinelDirectives(this, this.server.config.sentinel);
    if (this.myid === '') this.myid = crypto.randomBytes(20).toString('hex');
    this.saveConfig();
    this.server.log.warning(`Sentinel ID is ${this.myid}`);
    for (const m of this.masters.values()) this.event('warning', '+monitor', m, `%@ quorum ${m.quorum}`);
    this.previousTick = Date.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const m of this.masters.values()) this.forEachInstance(m, (ri) => ri.closeLinks());
  }

  /** Writes the state to the config file (myid, epochs, known replicas and sentinels). */
  saveConfig(): void {
    try {
      rewriteSentinelConfig(this);
      this.server.log.notice('Sentinel new configuration saved on disk');
    } catch (e) {
      this.server.log.warning(`WARNING: Sentinel was not able to save the new configuration on disk!!!: ${(e as Error).message}`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Events
  // -------------------------------------------------------------------------------------------

  /**
   * Logs an event and publishes it on the channel named after it. A message starting with "%@"
   * gets the instance described first: "<kind> <name> <ip> <port>[ @ <master> <ip> <port>]".
   */
  event(level: 'notice' | 'warning', type: string, ri: Instance | null, fmt: string): void {
    let msg = fmt;
    if (ri !== null && fmt.startsWith('%@')) {
      let who = `${ri.kind} ${ri.name} ${ri.host} ${ri.port}`;
      if (ri.master) who += ` @ ${ri.master.name} ${ri.master.host} ${ri.master.port}`;
      msg = who + fmt.slice(2);
    }
    this.server.log[level](`${type} ${msg}`);
    pubsubOf(this.server).publish(type, msg);
    const master = ri === null ? null : ri.kind === 'master' ? (ri as MasterInstance) : ri.master;
    if (level === 'warning' && master && master.notificationScript) runScript(this, master.notificationScript, [type, msg]);
  }

  // -------------------------------------------------------------------------------------------
  // The timer
  // -------------------------------------------------------------------------------------------

  private tick(): void {
    const now = Date.now();
    const delta = now - this.previousTick;
    this.previousTick = now;
    if (delta < 0 || delta > TILT_TRIGGER) {
      this.tilt = true;
      this.tiltSince = now;
      this.event('warning', '+tilt', null, '#tilt mode entered');
    }
    for (const m of [...this.masters.values()]) {
      this.handleInstance(m, now);
      for (const r of [...m.replicas.values()]) this.handleInstance(r, now);
      for (const s of [...m.sentinels.values()]) this.handleInstance(s, now);
      if (m.failoverState === FailoverState.UpdateConfig) this.switchToPromoted(m);
    }
  }

  private forEachInstance(m: MasterInstance, fn: (ri: Instance) => void): void {
    fn(m);
    for (const r of m.replicas.values()) fn(r);
    for (const s of m.sentinels.values()) fn(s);
  }

  private handleInstance(ri: Instance, now: number): void {
    this.reconnect(ri, now);
    this.sendPeriodicCommands(ri, now);
    if (this.tilt) {
      if (now - this.tiltSince < TILT_PERIOD) return;
      this.tilt = false;
      this.event('warning', '-tilt', null, '#tilt mode exited');
    }
    this.checkSubjectivelyDown(ri, now);
    if (ri.kind !== 'master') return;
    const m = ri as MasterInstance;
    this.checkObjectivelyDown(m, now);
    if (this.startFailoverIfNeeded(m, now)) this.askMasterStateToOtherSentinels(m, now, true);
    this.failoverStateMachine(m, now);
    this.askMasterStateToOtherSentinels(m, now, false);
  }

  // -------------------------------------------------------------------------------------------
  // Links and periodic commands
  // -------------------------------------------------------------------------------------------

  private authFor(ri: Instance): { authUser?: string; authPass?: string } {
    if (ri.kind === 'sentinel') return { authUser: this.sentinelUser || undefined, authPass: this.sentinelPass || undefined };
    const m = ri.kind === 'master' ? (ri as MasterInstance) : ri.master!;
    return { authUser: m.authUser || undefined, authPass: m.authPass || undefined };
  }

  private reconnect(ri: Instance, now: number): void {
    const needCmd = ri.cmdLink === null;
    const needPubsub = ri.kind !== 'sentinel' && ri.pubsubLink === null;
    if (!needCmd && !needPubsub) return;
    if (now - ri.lastReconnect < MIN_LINK_RECONNECT) return;
    ri.lastReconnect = now;
    const tag = this.myid.slice(0, 8);
    if (needCmd) {
      const link = new InstanceLink({
        host: ri.host,
        port: ri.port,
        clientName: `sentinel-${tag}-cmd`,
        ...this.authFor(ri),
        onClose: () => {
          if (ri.cmdLink === link) ri.cmdLink = null;
        },
      });
      ri.cmdLink = link;
      link.connect();
      // A fresh link: ask for INFO and PING right away.
      if (ri.kind !== 'sentinel') this.sendInfo(ri);
      this.sendPing(ri, now);
    }
    if (needPubsub) {
      const link = new InstanceLink({
        host: ri.host,
        port: ri.port,
        clientName: `sentinel-${tag}-pubsub`,
        ...this.authFor(ri),
        onMessage: (channel, message) => {
          if (channel === HELLO_CHANNEL) this.processHello(message);
        },
        onClose: () => {
          if (ri.pubsubLink === link) ri.pubsubLink = null;
        },
      });
      ri.pubsubLink = link;
      link.connect();
      link.send(['SUBSCRIBE', HELLO_CHANNEL]);
    }
  }

  private sendPeriodicCommands(ri: Instance, now: number): void {
    if (ri.cmdLink === null || !ri.cmdLink.connected) return;
    const master = ri.kind === 'master' ? (ri as MasterInstance) : ri.master!;
    const infoPeriod =
      ri.kind === 'slave' && (master.odown || master.failoverInProgress || ri.masterLinkDownSinceSeconds > 0) ? 1000 : this.timings.infoPeriod;
    const pingPeriod = Math.min(master.downAfterMs, PING_PERIOD);
    if (ri.kind !== 'sentinel' && (ri.infoRefresh === 0 || now - ri.infoRefresh > infoPeriod)) this.sendInfo(ri);
    if (now - ri.lastPongTime > pingPeriod && now - ri.lastPingSent > pingPeriod / 2) this.sendPing(ri, now);
    if (now - ri.lastHelloSent > this.timings.publishPeriod) this.sendHello(ri, now);
  }

  private sendPing(ri: Instance, now: number): void {
    if (!ri.cmdLink) return;
    const master = ri.kind === 'master' ? (ri as MasterInstance) : ri.master!;
    if (ri.lastPingSent === 0) ri.lastPingSent = now;
    ri.cmdLink.send([master.command('PING')], (reply) => {
      const t = Date.now();
      ri.lastPongTime = t;
      if (reply === 'PONG' || (reply instanceof ReplyError && /^(LOADING|MASTERDOWN)/.test(reply.message))) {
        ri.lastAvailTime = t;
        ri.lastPingSent = 0;
      }
    });
  }

  private sendInfo(ri: Instance): void {
    if (!ri.cmdLink) return;
    const master = ri.kind === 'master' ? (ri as MasterInstance) : ri.master!;
    ri.cmdLink.send([master.command('INFO')], (reply) => {
      if (typeof reply === 'string') this.refreshInstanceInfo(ri, reply);
    });
  }

  /** Our address as other sentinels should reach us. */
  private announced(): { ip: string; port: number } {
    return { ip: this.announceIp || '127.0.0.1', port: this.announcePort || this.server.port };
  }

  private sendHello(ri: Instance, now: number): void {
    if (!ri.cmdLink) return;
    const master = ri.kind === 'master' ? (ri as MasterInstance) : ri.master!;
    const me = this.announced();
    const addr = currentMasterAddress(master);
    const hello = [me.ip, me.port, this.myid, this.currentEpoch, master.name, addr.host, addr.port, master.configEpoch].join(',');
    ri.lastHelloSent = now;
    ri.cmdLink.send([master.command('PUBLISH'), HELLO_CHANNEL, hello]);
  }

  // -------------------------------------------------------------------------------------------
  // INFO and hello processing
  // -------------------------------------------------------------------------------------------

  /** Reads INFO replication fields: roles, the replica list, replica link state. */
  refreshInstanceInfo(ri: Instance, info: string): void {
    const now = Date.now();
    const fields = new Map<string, string>();
    const replicaAddrs: Array<[string, number]> = [];
    for (const line of info.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const key = line.slice(0, colon);
      const value = line.slice(colon + 1);
      fields.set(key, value);
      if (/^slave\d+$/.test(key)) {
        const kv = new Map(value.split(',').map((p) => p.split('=') as [string, string]));
        if (kv.has('ip') && kv.has('port')) replicaAddrs.push([kv.get('ip')!, Number(kv.get('port'))]);
      }
    }
    ri.infoRefresh = now;
    const runid = fields.get('run_id');
    if (runid !== undefined) {
      if (ri.runid !== '' && ri.runid !== runid) this.event('notice', '+reboot', ri, '%@');
      ri.runid = runid;
    }
    const role = fields.get('role') === 'slave' ? 'slave' : 'master';
    if (role !== ri.roleReported) {
      ri.roleReported = role;
      ri.roleReportedTime = now;
      this.event('notice', '+role-change', ri, `%@ new reported role is ${role}`);
    }
    if (role === 'slave') {
      ri.slaveMasterHost = fields.get('master_host') ?? '';
      ri.slaveMasterPort = Number(fields.get('master_port') ?? 0);
      ri.masterLinkStatusOk = fields.get('master_link_status') === 'up';
      const downSince = Number(fields.get('master_link_down_since_seconds') ?? -1);
      ri.masterLinkDownSinceSeconds = ri.masterLinkStatusOk ? -1 : downSince;
      ri.slavePriority = Number(fields.get('slave_priority') ?? 100);
      ri.slaveReplOffset = Number(fields.get('slave_repl_offset') ?? 0);
      ri.replicaAnnounced = fields.get('replica_announced') !== '0';
    }
    if (ri.kind === 'master' && role === 'master') {
      const m = ri as MasterInstance;
      for (const [ip, port] of replicaAddrs) this.addReplica(m, ip, port);
    }
    if (this.tilt) return;
    const master = ri.kind === 'master' ? (ri as MasterInstance) : ri.master!;
    if (ri.kind === 'slave') this.handleReplicaRole(ri, master, role, now);
  }

  private addReplica(m: MasterInstance, ip: string, port: number): Instance {
    const key = `${ip}:${port}`;
    let r = m.replicas.get(key);
    if (r === undefined) {
      r = new Instance('slave', key, ip, port, m, Date.now());
      m.replicas.set(key, r);
      this.event('notice', '+slave', r, '%@');
      this.saveConfig();
    }
    return r;
  }

  /** What a replica's reported role means for a failover in progress or a misconfiguration. */
  private handleReplicaRole(ri: Instance, master: MasterInstance, role: 'master' | 'slave', now: number): void {
    const waitTime = this.timings.publishPeriod * 4;
    if (role === 'master') {
      if (master.failoverState === FailoverState.WaitPromotion && master.promoted === ri) {
        master.configEpoch = master.failoverEpoch;
        master.failoverState = FailoverState.ReconfSlaves;
        master.failoverStateChangeTime = now;
        this.saveConfig();
        this.event('warning', '+promoted-slave', ri, '%@');
        if (this.simulateFailure.crashAfterPromotion) process.exit(99);
        this.event('warning', '+failover-state-reconf-slaves', master, '%@');
        this.runClientReconfigScript(master, 'leader', 'start', master, ri);
        this.forEachInstance(master, (x) => (x.lastHelloSent = 0));
      } else if (!master.failoverInProgress && master.promoted !== ri && !ri.sdown && now - ri.roleReportedTime > waitTime && this.masterLooksSane(master)) {
        // A replica that says it is a master (e.g. the old master back after a failover).
        this.sendReplicaOf(ri, master, master.host, master.port);
        this.event('notice', '+convert-to-slave', ri, '%@');
      }
      return;
    }
    const pointsElsewhere = ri.slaveMasterHost !== master.host || ri.slaveMasterPort !== master.port;
    if (pointsElsewhere && !master.failoverInProgress && ri.reconf === '' && now - ri.roleReportedTime > waitTime && now - ri.lastFixTime > waitTime && this.masterLooksSane(master)) {
      ri.lastFixTime = now;
      this.sendReplicaOf(ri, master, master.host, master.port);
      this.event('notice', '+fix-slave-config', ri, '%@');
    }
    if (master.failoverState === FailoverState.ReconfSlaves && master.promoted) {
      const p = master.promoted;
      if (ri.reconf === 'sent' && ri.slaveMasterHost === p.host && ri.slaveMasterPort === p.port) {
        ri.reconf = 'inprog';
        this.event('notice', '+slave-reconf-inprog', ri, '%@');
      }
      if (ri.reconf === 'inprog' && ri.masterLinkStatusOk) {
        ri.reconf = 'done';
        this.event('notice', '+slave-reconf-done', ri, '%@');
      }
    }
  }

  private masterLooksSane(m: MasterInstance): boolean {
    return !m.sdown && m.roleReported === 'master' && m.cmdLink !== null && m.cmdLink.connected;
  }

  /** A hello from another sentinel: "ip,port,runid,epoch,master,master_ip,master_port,config_epoch". */
  processHello(hello: string): void {
    const t = hello.split(',');
    if (t.length !== 8) return;
    const [ip, portText, runid, epochText, name, mip, mportText, cepochText] = t;
    if (runid === this.myid) return;
    const m = this.masters.get(name);
    if (m === undefined) return;
    const port = Number(portText);
    let s = m.sentinels.get(runid);
    if (s === undefined) {
      for (const [id, other] of m.sentinels) {
        if (other.host === ip && other.port === port) {
          m.sentinels.delete(id);
          other.closeLinks();
          this.event('notice', '-dup-sentinel', m, `%@ #duplicate of ${ip}:${port} or ${other.runid}`);
        }
      }
      s = new Instance('sentinel', runid, ip, port, m, Date.now());
      s.runid = runid;
      m.sentinels.set(runid, s);
      this.event('notice', '+sentinel', s, '%@');
      this.saveConfig();
    }
    const epoch = Number(epochText);
    if (epoch > this.currentEpoch) {
      this.currentEpoch = epoch;
      this.saveConfig();
      this.event('warning', '+new-epoch', m, String(epoch));
    }
    const configEpoch = Number(cepochText);
    const mport = Number(mportText);
    if (configEpoch > m.configEpoch && (mip !== m.host || mport !== m.port)) {
      const oldHost = m.host;
      const oldPort = m.port;
      m.configEpoch = configEpoch;
      this.event('warning', '+config-update-from', s, '%@');
      this.event('warning', '+switch-master', m, `${m.name} ${oldHost} ${oldPort} ${mip} ${mport}`);
      this.resetMasterAndChangeAddress(m, mip, mport);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Failure detection and agreement
  // -------------------------------------------------------------------------------------------

  private checkSubjectivelyDown(ri: Instance, now: number): void {
    const master = ri.kind === 'master' ? (ri as MasterInstance) : ri.master!;
    const downAfter = master.downAfterMs;
    let elapsed = 0;
    if (ri.lastPingSent !== 0) elapsed = now - ri.lastPingSent;
    else if (ri.cmdLink === null || !ri.cmdLink.connected) elapsed = now - ri.lastAvailTime;
    // A link that stopped answering is closed so the next tick reconnects it.
    if (ri.cmdLink && ri.cmdLink.connected && now - ri.cmdLink.createdAt > MIN_LINK_RECONNECT && ri.lastPingSent !== 0 && now - ri.lastPingSent > downAfter / 2 && now - ri.lastPongTime > downAfter / 2) {
      ri.cmdLink.close();
    }
    const reportsWrongRole = ri.kind === 'master' && ri.roleReported === 'slave' && now - ri.roleReportedTime > downAfter + 2 * this.timings.infoPeriod;
    if (elapsed > downAfter || reportsWrongRole) {
      if (!ri.sdown) {
        ri.sdownSince = now;
        this.event('warning', '+sdown', ri, '%@');
      }
    } else if (ri.sdown) {
      ri.sdownSince = 0;
      this.event('warning', '-sdown', ri, '%@');
    }
  }

  private checkObjectivelyDown(m: MasterInstance, now: number): void {
    let votes = 0;
    if (m.sdown) {
      votes = 1;
      for (const s of m.sentinels.values()) if (s.masterDownReported) votes++;
    }
    if (m.sdown && votes >= m.quorum) {
      if (!m.odown) {
        m.odownSince = now;
        this.event('warning', '+odown', m, `%@ #quorum ${votes}/${m.quorum}`);
      }
    } else if (m.odown) {
      m.odownSince = 0;
      this.event('warning', '-odown', m, '%@');
    }
  }

  /** Asks the other sentinels whether they see the master down (and, in a failover, for a vote). */
  private askMasterStateToOtherSentinels(m: MasterInstance, now: number, force: boolean): void {
    for (const s of m.sentinels.values()) {
      const elapsed = now - s.lastMasterDownReplyTime;
      if (elapsed > ASK_PERIOD * 5) {
        s.masterDownReported = false;
        s.leader = '';
      }
      if (!m.sdown || s.cmdLink === null || !s.cmdLink.connected) continue;
      if (!force && elapsed < ASK_PERIOD) continue;
      const runid = m.failoverInProgress ? this.myid : '*';
      s.cmdLink.send(['SENTINEL', 'is-master-down-by-addr', m.host, String(m.port), String(this.currentEpoch), runid], (reply: PlainReply) => {
        if (!Array.isArray(reply) || reply.length !== 3) return;
        s.lastMasterDownReplyTime = Date.now();
        s.masterDownReported = reply[0] === 1;
        if (reply[1] !== '*') {
          s.leader = String(reply[1]);
          s.leaderEpoch = Number(reply[2]);
        }
      });
    }
  }

  /**
   * Votes for `runid` as the leader for `epoch` if we have not voted in that epoch yet.
   * Returns our vote (possibly for someone else, from earlier) and its epoch.
   */
  voteLeader(m: MasterInstance, epoch: number, runid: string): { leader: string; epoch: number } {
    if (epoch > this.currentEpoch) {
      this.currentEpoch = epoch;
      this.saveConfig();
      this.event('warning', '+new-epoch', m, String(epoch));
    }
    if (m.leaderEpoch < epoch && this.currentEpoch <= epoch) {
      m.leader = runid;
      m.leaderEpoch = this.currentEpoch;
      this.saveConfig();
      this.event('warning', '+vote-for-leader', m, `${runid} ${m.leaderEpoch}`);
      // Voting for someone else: do not start a failover of our own for a while.
      if (runid !== this.myid) m.failoverStartTime = Date.now() + Math.floor(Math.random() * MAX_DESYNC);
    }
    return { leader: m.leader, epoch: m.leaderEpoch };
  }

  /** The leader for `epoch` if one has a majority of all sentinels and at least the quorum. */
  private getLeader(m: MasterInstance, epoch: number): string | null {
    const counts = new Map<string, number>();
    for (const s of m.sentinels.values()) {
      if (s.leader !== '' && s.leaderEpoch === this.currentEpoch) counts.set(s.leader, (counts.get(s.leader) ?? 0) + 1);
    }
    const best = (): [string | null, number] => {
      let winner: string | null = null;
      let max = 0;
      for (const [id, n] of counts) {
        if (n > max || (n === max && winner !== null && id < winner)) {
          winner = id;
          max = n;
        }
      }
      return [winner, max];
    };
    const [first] = best();
    const mine = this.voteLeader(m, epoch, first ?? this.myid);
    if (mine.leader !== '' && mine.epoch === epoch) counts.set(mine.leader, (counts.get(mine.leader) ?? 0) + 1);
    const [winner, max] = best();
    const voters = m.sentinels.size + 1;
    if (winner === null || max < Math.floor(voters / 2) + 1 || max < m.quorum) return null;
    return winner;
  }

  // -------------------------------------------------------------------------------------------
  // Failover
  // -------------------------------------------------------------------------------------------

  private startFailoverIfNeeded(m: MasterInstance, now: number): boolean {
    if (!m.odown && !m.forceFailover) return false;
    if (m.failoverInProgress) return false;
    if (now - m.failoverStartTime < m.failoverTimeout * 2) {
      if (m.failoverDelayUntil !== m.failoverStartTime) {
        m.failoverDelayUntil = m.failoverStartTime;
        this.server.log.warning(
          `Next failover delay: I will not start a failover before ${new Date(m.failoverStartTime + m.failoverTimeout * 2).toUTCString()}`,
        );
      }
      return false;
    }
    this.startFailover(m, now);
    return true;
  }

  startFailover(m: MasterInstance, now: number): void {
    m.failoverState = FailoverState.WaitStart;
    m.failoverStateChangeTime = now;
    this.currentEpoch++;
    m.failoverEpoch = this.currentEpoch;
    this.event('warning', '+new-epoch', m, String(this.currentEpoch));
    this.event('warning', '+try-failover', m, '%@');
    m.failoverStartTime = now + Math.floor(Math.random() * MAX_DESYNC);
    this.saveConfig();
  }

  private abortFailover(m: MasterInstance): void {
    if (m.promoted) m.promoted.reconf = '';
    for (const r of m.replicas.values()) r.reconf = '';
    m.failoverState = FailoverState.None;
    m.failoverStateChangeTime = Date.now();
    m.promoted = null;
    m.forceFailover = false;
  }

  private setState(m: MasterInstance, state: FailoverState, event: string, ri: Instance): void {
    m.failoverState = state;
    m.failoverStateChangeTime = Date.now();
    this.event(event === '+failover-state-select-slave' || event === '+failover-state-reconf-slaves' ? 'warning' : 'notice', event, ri, '%@');
  }

  private failoverStateMachine(m: MasterInstance, now: number): void {
    switch (m.failoverState) {
      case FailoverState.WaitStart: {
        const leader = this.getLeader(m, m.failoverEpoch);
        if (leader !== this.myid && !m.forceFailover) {
          if (now - m.failoverStartTime > Math.min(ELECTION_TIMEOUT, m.failoverTimeout)) {
            this.event('warning', '-failover-abort-not-elected', m, '%@');
            this.abortFailover(m);
          }
          return;
        }
        this.event('warning', '+elected-leader', m, '%@');
        if (this.simulateFailure.crashAfterElection) process.exit(99);
        this.setState(m, FailoverState.SelectSlave, '+failover-state-select-slave', m);
        return;
      }
      case FailoverState.SelectSlave: {
        const r = this.selectReplica(m, now);
        if (r === null) {
          this.event('warning', '-failover-abort-no-good-slave', m, '%@');
          this.abortFailover(m);
          return;
        }
        this.event('warning', '+selected-slave', r, '%@');
        m.promoted = r;
        this.setState(m, FailoverState.SendSlaveofNoone, '+failover-state-send-slaveof-noone', r);
        return;
      }
      case FailoverState.SendSlaveofNoone: {
        const r = m.promoted!;
        if (r.cmdLink === null || !r.cmdLink.connected) {
          if (now - m.failoverStateChangeTime > m.failoverTimeout) {
            this.event('warning', '-failover-abort-slave-timeout', m, '%@');
            this.abortFailover(m);
          }
          return;
        }
        this.sendReplicaOf(r, m, null, 0);
        this.setState(m, FailoverState.WaitPromotion, '+failover-state-wait-promotion', r);
        return;
      }
      case FailoverState.WaitPromotion:
        // Progress comes from the promoted replica's INFO (handleReplicaRole).
        if (now - m.failoverStateChangeTime > m.failoverTimeout) {
          this.event('warning', '-failover-abort-slave-timeout', m, '%@');
          this.abortFailover(m);
        }
        return;
      case FailoverState.ReconfSlaves:
        this.reconfNextReplicas(m, now);
        return;
      default:
        return;
    }
  }

  /** The best replica to promote (Redis's rules), or null. */
  private selectReplica(m: MasterInstance, now: number): Instance | null {
    const infoValidity = m.sdown ? PING_PERIOD * 5 : this.timings.infoPeriod * 3;
    const maxMasterDown = (m.sdown ? now - m.sdownSince : 0) + m.downAfterMs * 10;
    const candidates = [...m.replicas.values()].filter(
      (r) =>
        !r.sdown &&
        r.cmdLink !== null &&
        r.cmdLink.connected &&
        now - r.lastAvailTime <= PING_PERIOD * 5 &&
        r.slavePriority !== 0 &&
        r.infoRefresh !== 0 &&
        now - r.infoRefresh <= infoValidity &&
        r.masterLinkDownSinceSeconds * 1000 <= maxMasterDown,
    );
    candidates.sort((a, b) => {
      if (a.slavePriority !== b.slavePriority) return a.slavePriority - b.slavePriority;
      if (a.slaveReplOffset !== b.slaveReplOffset) return b.slaveReplOffset - a.slaveReplOffset;
      if (a.runid === '' || b.runid === '') return a.runid === '' ? 1 : -1;
      return a.runid < b.runid ? -1 : a.runid > b.runid ? 1 : 0;
    });
    return candidates[0] ?? null;
  }

  /**
   * Points a server at a master (host null: REPLICAOF NO ONE), the way Redis Sentinel does it: in
   * one MULTI with CONFIG REWRITE and killing the clients, so they reconnect to the new master.
   */
  sendReplicaOf(ri: Instance, m: MasterInstance, host: string | null, port: number): void {
    const link = ri.cmdLink;
    if (link === null) return;
    const target = host === null ? ['NO', 'ONE'] : [host, String(port)];
    link.send([m.command('MULTI')]);
    link.send([m.command('SLAVEOF'), ...target]);
    link.send([m.command('CONFIG'), 'REWRITE']);
    link.send([m.command('CLIENT'), 'KILL', 'TYPE', 'normal']);
    link.send([m.command('CLIENT'), 'KILL', 'TYPE', 'pubsub']);
    link.send([m.command('EXEC')]);
  }

  /** Repoints the remaining replicas to the promoted one, parallel-syncs at a time. */
  private reconfNextReplicas(m: MasterInstance, now: number): void {
    const promoted = m.promoted!;
    const others = [...m.replicas.values()].filter((r) => r !== promoted);
    let inProgress = others.filter((r) => r.reconf === 'sent' || r.reconf === 'inprog').length;
    for (const r of others) {
      if (r.reconf === 'done') continue;
      if (r.reconf === 'sent' || r.reconf === 'inprog') {
        if (now - r.reconfSentTime > SLAVE_RECONF_TIMEOUT) {
          this.event('notice', '-slave-reconf-sent-timeout', r, '%@');
          r.reconf = 'done';
          inProgress--;
        }
        continue;
      }
      if (inProgress >= m.parallelSyncs) break;
      if (r.cmdLink === null || !r.cmdLink.connected) continue;
      this.sendReplicaOf(r, m, promoted.host, promoted.port);
      r.reconf = 'sent';
      r.reconfSentTime = now;
      this.event('notice', '+slave-reconf-sent', r, '%@');
      inProgress++;
    }
    this.detectFailoverEnd(m, now, others);
  }

  private detectFailoverEnd(m: MasterInstance, now: number, others: Instance[]): void {
    const timedOut = now - m.failoverStateChangeTime > m.failoverTimeout;
    const pending = others.filter((r) => r.reconf !== 'done' && !r.sdown);
    if (pending.length > 0 && !timedOut) return;
    if (timedOut && pending.length > 0) {
      this.event('warning', '+failover-end-for-timeout', m, '%@');
      for (const r of pending) {
        if (r.reconf === '') this.sendReplicaOf(r, m, m.promoted!.host, m.promoted!.port);
        this.event('notice', '+slave-reconf-sent-be', r, '%@');
      }
    }
    this.event('warning', '+failover-end', m, '%@');
    m.failoverState = FailoverState.UpdateConfig;
    m.failoverStateChangeTime = now;
  }

  private switchToPromoted(m: MasterInstance): void {
    const p = m.promoted!;
    this.event('warning', '+switch-master', m, `${m.name} ${m.host} ${m.port} ${p.host} ${p.port}`);
    this.runClientReconfigScript(m, 'leader', 'end', m, p);
    this.resetMasterAndChangeAddress(m, p.host, p.port);
  }

  /**
   * The master now lives at host:port. Its replicas become the old ones minus the promoted one
   * plus the old master's address; failure and failover state start over.
   */
  resetMasterAndChangeAddress(m: MasterInstance, host: string, port: number): void {
    const replicaAddrs: Array<[string, number]> = [...m.replicas.values()]
      .filter((r) => !(r.host === host && r.port === port))
      .map((r) => [r.host, r.port]);
    if (!(m.host === host && m.port === port)) replicaAddrs.push([m.host, m.port]);
    this.forgetReplicasAndFailures(m);
    m.host = host;
    m.port = port;
    const now = Date.now();
    for (const [h, p] of replicaAddrs) {
      const r = new Instance('slave', `${h}:${p}`, h, p, m, now);
      m.replicas.set(r.name, r);
      this.event('notice', '+slave', r, '%@');
    }
    this.saveConfig();
  }

  /** Drops the replicas and every failure / failover state of a master (links are remade). */
  private forgetReplicasAndFailures(m: MasterInstance): void {
    for (const r of m.replicas.values()) r.closeLinks();
    m.replicas.clear();
    m.closeLinks();
    const now = Date.now();
    m.runid = '';
    m.sdownSince = 0;
    m.odownSince = 0;
    m.infoRefresh = 0;
    m.lastPingSent = 0;
    m.lastAvailTime = now;
    m.lastPongTime = now;
    m.roleReported = 'master';
    m.roleReportedTime = now;
    this.abortFailover(m);
    for (const s of m.sentinels.values()) {
      s.masterDownReported = false;
      s.leader = '';
    }
  }

  private runClientReconfigScript(m: MasterInstance, role: string, state: string, from: Instance, to: Instance): void {
    if (!m.clientReconfigScript) return;
    runScript(this, m.clientReconfigScript, [m.name, role, state, from.host, String(from.port), to.host, String(to.port)]);
  }

  /** The master watched at host:port, if any (SENTINEL is-master-down-by-addr). */
  masterByAddr(host: string, port: number): MasterInstance | undefined {
    for (const m of this.masters.values()) if (m.host === host && m.port === port) return m;
    return undefined;
  }

  /** Adds a master to watch (config `sentinel monitor` or SENTINEL MONITOR). */
  monitor(name: string, host: string, port: number, quorum: number): MasterInstance {
    const m = new MasterInstance(name, host, port, quorum, Date.now());
    this.masters.set(name, m);
    return m;
  }

  /** SENTINEL RESET: forget replicas, sentinels and failure state; they are rediscovered. */
  reset(m: MasterInstance): void {
    for (const x of m.sentinels.values()) x.closeLinks();
    m.sentinels.clear();
    this.forgetReplicasAndFailures(m);
    this.event('warning', '+reset-master', m, '%@');
    this.saveConfig();
  }
}

/**
 * Where the master is according to this sentinel: once a failover has promoted a replica (and
 * the config epoch was bumped), that replica, as Redis's sentinelGetCurrentMasterAddress. A hello
 * must never pair the new epoch with the old address: other sentinels would take the epoch and
 * then ignore the address that comes later with the same epoch.
 */
export function currentMasterAddress(m: MasterInstance): { host: string; port: number } {
  if ((m.failoverState === FailoverState.ReconfSlaves || m.failoverState === FailoverState.UpdateConfig) && m.promoted) {
    return { host: m.promoted.host, port: m.promoted.port };
  }
  return { host: m.host, port: m.port };
}
