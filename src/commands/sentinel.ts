// The commands of a server in sentinel mode: SENTINEL and its subcommands, plus the sentinel
// versions of PUBLISH (only hello messages), ROLE and INFO's sentinel section, with the reply
// shapes and errors of Redis Sentinel 7.0.

import { command, CommandSpec } from './command';
import { intArg } from './args';
import type { Client } from '../server/client';
import type { Sentinel } from '../sentinel/sentinel';
import { HELLO_CHANNEL, currentMasterAddress } from '../sentinel/sentinel';
import { FailoverState, Instance, MasterInstance } from '../sentinel/instances';
import { applySentinelDirective, SentinelConfigError } from '../sentinel/sentinel-config';
import { scriptCounts } from '../sentinel/scripts';
import { globMatch } from '../keyspace/glob';

function sentinelOf(c: Client): Sentinel {
  return c.server.sentinel!;
}

function masterArg(c: Client, name: string): MasterInstance | null {
  const m = sentinelOf(c).masters.get(name);
  if (m === undefined) c.reply.error('ERR No such master with that name');
  return m ?? null;
}

function flags(ri: Instance): string {
  const f: string[] = [ri.kind];
  if (ri.sdown) f.push('s_down');
  if (ri.kind === 'master' && (ri as MasterInstance).odown) f.push('o_down');
  if (ri.kind === 'sentinel' && ri.masterDownReported) f.push('master_down');
  if (ri.cmdLink === null || !ri.cmdLink.connected) f.push('disconnected');
  if (ri.kind === 'master' && (ri as MasterInstance).failoverInProgress) f.push('failover_in_progress');
  if (ri.master && ri.master.promoted === ri) f.push('promoted');
  if (ri.reconf === 'sent') f.push('reconf_sent');
  if (ri.reconf === 'inprog') f.push('reconf_inprog');
  if (ri.reconf === 'done') f.push('reconf_done');
  return f.join(',');
}

const STATE_NAMES: Record<FailoverState, string> = {
  [FailoverState.None]: 'none',
  [FailoverState.WaitStart]: 'wait_start',
  [FailoverState.SelectSlave]: 'select_slave',
  [FailoverState.SendSlaveofNoone]: 'send_slaveof_noone',
  [FailoverState.WaitPromotion]: 'wait_promotion',
  [FailoverState.ReconfSlaves]: 'reconf_slaves',
  [FailoverState.UpdateConfig]: 'update_config',
};

/** The field/value pairs SENTINEL MASTER / REPLICAS / SENTINELS print for an instance. */
function describe(ri: Instance, now: number): Array<[string, string]> {
  const master = ri.kind === 'master' ? (ri as MasterInstance) : ri.master!;
  const f: Array<[string, string]> = [
    ['name', ri.name],
    ['ip', ri.host],
    ['port', String(ri.port)],
    ['runid', ri.runid],
    ['flags', flags(ri)],
    ['link-pending-commands', String(ri.cmdLink?.pendingCommands ?? 0)],
    ['link-refcount', '1'],
    ['last-ping-sent', String(ri.lastPingSent ? now - ri.lastPingSent : 0)],
    ['last-ok-ping-reply', String(now - ri.lastAvailTime)],
    ['last-ping-reply', String(now - ri.lastPongTime)],
  ];
  if (ri.sdown) f.push(['s-down-time', String(now - ri.sdownSince)]);
  if (ri.kind === 'master' && (ri as MasterInstance).odown) f.push(['o-down-time', String(now - (ri as MasterInstance).odownSince)]);
  f.push(['down-after-milliseconds', String(master.downAfterMs)]);
  if (ri.kind !== 'sentinel') {
    f.push(['info-refresh', String(ri.infoRefresh ? now - ri.infoRefresh : 0)]);
    f.push(['role-reported', ri.roleReported]);
    f.push(['role-reported-time', String(now - ri.roleReportedTime)]);
  }
  if (ri.kind === 'master') {
    const m = ri as MasterInstance;
    f.push(['config-epoch', String(m.configEpoch)]);
    f.push(['num-slaves', String(m.replicas.size)]);
    f.push(['num-other-sentinels', String(m.sentinels.size)]);
    f.push(['quorum', String(m.quorum)]);
    f.push(['failover-timeout', String(m.failoverTimeout)]);
    f.push(['parallel-syncs', String(m.parallelSyncs)]);
    if (m.failoverInProgress) f.push(['failover-state', STATE_NAMES[m.failoverState]]);
  }
  if (ri.kind === 'slave') {
    f.push(['master-link-down-time', String(ri.masterLinkDownSinceSeconds * 1000)]);
    f.push(['master-link-status', ri.masterLinkStatusOk ? 'ok' : 'err']);
    f.push(['master-host', ri.slaveMasterHost || '?']);
    f.push(['master-port', String(ri.slaveMasterPort)]);
    f.push(['slave-priority', String(ri.slavePriority)]);
    f.push(['slave-repl-offset', String(ri.slaveReplOffset)]);
    f.push(['replica-announced', ri.replicaAnnounced ? '1' : '0']);
  }
  if (ri.kind === 'sentinel') {
    f.push(['last-hello-message', String(now - ri.lastAvailTime)]);
    f.push(['voted-leader', ri.leader || '?']);
    f.push(['voted-leader-epoch', String(ri.leaderEpoch)]);
  }
  return f;
}

function replyInstance(c: Client, ri: Instance): void {
  const fields = describe(ri, Date.now());
  c.reply.mapHeader(fields.length);
  for (const [k, v] of fields) {
    c.reply.bulk(k);
    c.reply.bulk(v);
  }
}

function replyInstances(c: Client, list: Iterable<Instance>): void {
  const all = [...list];
  c.reply.arrayHeader(all.length);
  for (const ri of all) replyInstance(c, ri);
}

/** Sentinels of the master that are reachable and how many votes a failover needs. */
function quorumCheck(m: MasterInstance): { usable: number; voters: number; ok: boolean; msg: string } {
  const voters = m.sentinels.size + 1;
  let usable = 1;
  for (const s of m.sentinels.values()) if (!s.sdown && s.cmdLink?.connected) usable++;
  const majority = Math.floor(voters / 2) + 1;
  const problems: string[] = [];
  if (usable < m.quorum) problems.push(`${usable} usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master`);
  if (usable < majority) problems.push(`${usable} usable Sentinels. Not enough available Sentinels to reach the majority and authorize a failover`);
  return { usable, voters, ok: problems.length === 0, msg: problems.join('. ') };
}

function isMasterDownByAddr(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  const port = intArg(c, argv[3]);
  const epoch = intArg(c, argv[4]);
  if (port === null || epoch === null) return;
  const m = s.masterByAddr(argv[2], port);
  const down = m !== undefined && m.sdown && !s.tilt;
  let leader = '*';
  let leaderEpoch = 0;
  if (m !== undefined && argv[5] !== '*') {
    const vote = s.voteLeader(m, epoch, argv[5]);
    leader = vote.leader || '*';
    leaderEpoch = vote.epoch;
  }
  c.reply.arrayHeader(3);
  c.reply.int(down ? 1 : 0);
  c.reply.bulk(leader);
  c.reply.int(leaderEpoch);
}

function getMasterAddr(c: Client, argv: string[]): void {
  const m = sentinelOf(c).masters.get(argv[2]);
  if (m === undefined) {
    c.reply.nullArray();
    return;
  }
  const addr = currentMasterAddress(m);
  c.reply.arrayOfBulks([addr.host, String(addr.port)]);
}

function failover(c: Client, argv: string[]): void {
  const m = masterArg(c, argv[2]);
  if (m === null) return;
  if (m.failoverInProgress) {
    c.reply.error('INPROG Failover already in progress');
    return;
  }
  const hasCandidate = [...m.replicas.values()].some((r) => !r.sdown && r.cmdLink?.connected && r.slavePriority !== 0);
  if (!hasCandidate) {
    c.reply.error('NOGOODSLAVE No suitable replica to promote');
    return;
  }
  c.server.log.warning(`Executing user requested FAILOVER of '${m.name}'`);
  m.forceFailover = true;
  sentinelOf(c).startFailover(m, Date.now());
  c.reply.ok();
}

function monitor(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  const port = intArg(c, argv[4]);
  const quorum = intArg(c, argv[5]);
  if (port === null || quorum === null) return;
  if (quorum <= 0) {
    c.reply.error('ERR Quorum must be 1 or greater.');
    return;
  }
  if (port <= 0 || port > 65535) {
    c.reply.error('ERR Invalid port number');
    return;
  }
  if (s.masters.has(argv[2])) {
    c.reply.error('ERR Duplicated master name');
    return;
  }
  const m = s.monitor(argv[2], argv[3], port, quorum);
  s.saveConfig();
  s.event('warning', '+monitor', m, `%@ quorum ${quorum}`);
  c.reply.ok();
}

function remove(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  const m = masterArg(c, argv[2]);
  if (m === null) return;
  s.event('warning', '-monitor', m, '%@');
  for (const ri of [m, ...m.replicas.values(), ...m.sentinels.values()]) ri.closeLinks();
  s.masters.delete(m.name);
  s.saveConfig();
  c.reply.ok();
}

const SETTABLE = new Set(['down-after-milliseconds', 'failover-timeout', 'parallel-syncs', 'notification-script', 'client-reconfig-script', 'auth-pass', 'auth-user', 'quorum', 'rename-command', 'master-reboot-down-after-period']);

function set(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  const m = masterArg(c, argv[2]);
  if (m === null) return;
  const pairs = argv.slice(3);
  if (pairs.length % 2 !== 0 && pairs[0]?.toLowerCase() !== 'rename-command') {
    c.reply.error("ERR wrong number of arguments for 'sentinel|set' command");
    return;
  }
  for (let i = 0; i < pairs.length; i += 2) {
    const opt = pairs[i].toLowerCase();
    if (!SETTABLE.has(opt)) {
      c.reply.error(`ERR Invalid argument '${pairs[i]}' to SENTINEL SET '${m.name}'`);
      return;
    }
    if ((opt === 'notification-script' || opt === 'client-reconfig-script') && s.denyScriptsReconfig) {
      c.reply.error('ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your config file.');
      return;
    }
    try {
      if (opt === 'quorum') {
        const q = Number(pairs[i + 1]);
        if (!Number.isInteger(q) || q <= 0) throw new SentinelConfigError('Quorum must be 1 or greater.');
        m.quorum = q;
      } else if (opt === 'rename-command') {
        applySentinelDirective(s, ['rename-command', m.name, pairs[i + 1], pairs[i + 2]]);
        i++;
      } else {
        applySentinelDirective(s, [opt, m.name, pairs[i + 1]]);
      }
    } catch (e) {
      c.reply.error(`ERR Invalid argument '${pairs[i + 1]}' for SENTINEL SET '${pairs[i]}'`);
      return;
    }
    s.event('warning', '+set', m, `%@ ${pairs[i]} ${pairs[i + 1]}`);
  }
  s.saveConfig();
  c.reply.ok();
}

const GLOBAL_CONFIG: Record<string, (s: Sentinel) => string> = {
  'resolve-hostnames': (s) => (s.resolveHostnames ? 'yes' : 'no'),
  'announce-hostnames': (s) => (s.announceHostnames ? 'yes' : 'no'),
  'announce-ip': (s) => s.announceIp,
  'announce-port': (s) => String(s.announcePort),
  'sentinel-user': (s) => s.sentinelUser,
  'sentinel-pass': (s) => s.sentinelPass,
};

function config(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  const op = argv[2].toLowerCase();
  if (op === 'get' && argv.length === 4) {
    const out: string[] = [];
    for (const [name, get] of Object.entries(GLOBAL_CONFIG)) if (globMatch(argv[3], name, true)) out.push(name, get(s));
    c.reply.mapHeader(out.length / 2);
    for (const v of out) c.reply.bulk(v);
    return;
  }
  if (op === 'set' && argv.length === 5) {
    const name = argv[3].toLowerCase();
    if (GLOBAL_CONFIG[name] === undefined) {
      c.reply.error(`ERR Invalid argument '${argv[3]}' to SENTINEL CONFIG SET`);
      return;
    }
    try {
      applySentinelDirective(s, [name, argv[4]]);
    } catch {
      c.reply.error(`ERR Invalid value '${argv[4]}' to SENTINEL CONFIG SET '${argv[3]}'`);
      return;
    }
    s.saveConfig();
    c.reply.ok();
    return;
  }
  c.reply.error("ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.");
}

function infoCache(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  const names = argv.length > 2 ? argv.slice(2) : [...s.masters.keys()];
  const masters = names.map((n) => s.masters.get(n)).filter((m): m is MasterInstance => m !== undefined);
  c.reply.arrayHeader(masters.length * 2);
  for (const m of masters) {
    c.reply.bulk(m.name);
    const all = [m, ...m.replicas.values()];
    c.reply.arrayHeader(all.length);
    for (const ri of all) {
      c.reply.arrayHeader(2);
      c.reply.int(ri.infoRefresh ? Date.now() - ri.infoRefresh : 0);
      c.reply.nullBulk();
    }
  }
}

function simulateFailure(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  for (const a of argv.slice(2)) {
    const l = a.toLowerCase();
    if (l === 'crash-after-election') s.simulateFailure.crashAfterElection = true;
    else if (l === 'crash-after-promotion') s.simulateFailure.crashAfterPromotion = true;
    else if (l === 'help') {
      c.reply.arrayOfBulks(['crash-after-election', 'crash-after-promotion']);
      return;
    } else {
      c.reply.error('ERR Unknown failure simulation specified');
      return;
    }
  }
  c.reply.ok();
}

const HELP = [
  'SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CKQUORUM <master-name>',
  'CONFIG SET <param> <value>',
  'CONFIG GET <param>',
  'DEBUG [<param> <value> ...]',
  'GET-MASTER-ADDR-BY-NAME <master-name>',
  'FAILOVER <master-name>',
  'FLUSHCONFIG',
  'INFO-CACHE <master-name>',
  'IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>',
  'MASTER <master-name>',
  'MASTERS',
  'MONITOR <name> <ip> <port> <quorum>',
  'MYID',
  'PENDING-SCRIPTS',
  'REMOVE <master-name>',
  'REPLICAS <master-name>',
  'RESET <pattern>',
  'SENTINELS <master-name>',
  'SET <master-name> <option> <value> [<option> <value> ...]',
  'SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]',
  'HELP',
];

const sub = (name: string, arity: number, summary: string, handler: CommandSpec['handler']): CommandSpec =>
  command({ name, arity, flags: ['admin', 'sentinel', 'only_sentinel'], group: 'sentinel', summary, since: '2.8.4', handler });

export const SENTINEL_COMMANDS: CommandSpec[] = [
  command({
    name: 'sentinel',
    arity: -2,
    flags: ['admin', 'sentinel', 'only_sentinel'],
    group: 'sentinel',
    summary: 'A container for Redis Sentinel commands',
    since: '2.8.4',
    subcommands: [
      sub('ckquorum', 3, 'Check for a Redis Sentinel quorum', (c, a) => {
        const m = masterArg(c, a[2]);
        if (m === null) return;
        const q = quorumCheck(m);
        if (q.ok) c.reply.simple(`OK ${q.usable} usable Sentinels. Quorum and failover authorization can be reached`);
        else c.reply.error(`NOQUORUM ${q.msg}`);
      }),
      sub('config', -3, 'Configure Redis Sentinel', config),
      sub('debug', -2, 'List or update the current configurable parameters', (c, a) => {
        const s = sentinelOf(c);
        if (a.length === 2) {
          c.reply.mapHeader(2);
          c.reply.bulk('INFO-PERIOD');
          c.reply.int(s.timings.infoPeriod);
          c.reply.bulk('PUBLISH-PERIOD');
          c.reply.int(s.timings.publishPeriod);
          return;
        }
        for (let i = 2; i + 1 < a.length; i += 2) {
          const v = Number(a[i + 1]);
          if (!Number.isInteger(v) || v <= 0) {
            c.reply.error(`ERR Invalid argument '${a[i + 1]}' for SENTINEL DEBUG '${a[i]}'`);
            return;
          }
          const key = a[i].toLowerCase();
          if (key === 'info-period') s.timings.infoPeriod = v;
          else if (key === 'publish-period') s.timings.publishPeriod = v;
          else {
            c.reply.error(`ERR Invalid argument '${a[i]}' for SENTINEL DEBUG`);
            return;
          }
        }
        c.reply.ok();
      }),
      sub('failover', 3, 'Force a failover', failover),
      sub('flushconfig', 2, 'Rewrite configuration file', (c) => {
        sentinelOf(c).saveConfig();
        c.reply.ok();
      }),
      sub('get-master-addr-by-name', 3, 'Get port and address of a master with a given name', getMasterAddr),
      sub('help', 2, 'Show helpful text about the different subcommands', (c) => {
        c.reply.arrayHeader(HELP.length);
        for (const l of HELP) c.reply.simple(l);
      }),
      sub('info-cache', -3, 'Get cached INFO from the instances in the deployment', infoCache),
      sub('is-master-down-by-addr', 6, 'Check if a master is down', isMasterDownByAddr),
      sub('master', 3, 'Shows the state of a master', (c, a) => {
        const m = masterArg(c, a[2]);
        if (m !== null) replyInstance(c, m);
      }),
      sub('masters', 2, 'List the monitored masters', (c) => replyInstances(c, sentinelOf(c).masters.values())),
      sub('monitor', 6, 'Start monitoring', monitor),
      sub('myid', 2, 'Get the Sentinel instance ID', (c) => c.reply.bulk(sentinelOf(c).myid)),
      sub('pending-scripts', 2, 'Get information about pending scripts', (c) => c.reply.arrayHeader(0)),
      sub('remove', 3, 'Stop monitoring', remove),
      sub('replicas', 3, 'List the monitored replicas', (c, a) => {
        const m = masterArg(c, a[2]);
        if (m !== null) replyInstances(c, m.replicas.values());
      }),
      sub('reset', 3, 'Reset masters by name pattern', (c, a) => {
        const s = sentinelOf(c);
        let n = 0;
        for (const m of [...s.masters.values()]) {
          if (globMatch(a[2], m.name, false)) {
            s.reset(m);
            n++;
          }
        }
        c.reply.int(n);
      }),
      sub('sentinels', 3, 'List the Sentinel instances', (c, a) => {
        const m = masterArg(c, a[2]);
        if (m !== null) replyInstances(c, m.sentinels.values());
      }),
      sub('set', -3, 'Change the configuration of a monitored master', set),
      sub('simulate-failure', -3, 'Simulate failover scenarios', simulateFailure),
      sub('slaves', 3, 'List the monitored slaves', (c, a) => {
        const m = masterArg(c, a[2]);
        if (m !== null) replyInstances(c, m.replicas.values());
      }),
    ],
  }),
  command({
    name: 'publish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate', 'sentinel'], group: 'pubsub',
    summary: 'Post a message to a channel', since: '2.0.0',
    handler: (c, a) => {
      if (a[1] !== HELLO_CHANNEL) {
        c.reply.error('ERR Only HELLO messages are accepted by Sentinel instances.');
        return;
      }
      sentinelOf(c).processHello(a[2]);
      c.reply.int(1);
    },
  }),
  command({
    name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'sentinel'], categories: ['admin', 'dangerous'], group: 'server',
    summary: 'Return the role of the instance in the context of replication', since: '2.8.12',
    handler: (c) => {
      c.reply.arrayHeader(2);
      c.reply.bulk('sentinel');
      c.reply.arrayOfBulks([...sentinelOf(c).masters.keys()]);
    },
  }),
];

/** INFO's "# Sentinel" section. */
export function sentinelInfoLines(s: Sentinel): string[] {
  const scripts = scriptCounts();
  const lines = [
    `sentinel_masters:${s.masters.size}`,
    `sentinel_tilt:${s.tilt ? 1 : 0}`,
    `sentinel_tilt_since_seconds:${s.tilt ? Math.floor((Date.now() - s.tiltSince) / 1000) : -1}`,
    `sentinel_running_scripts:${scripts.running}`,
    `sentinel_scripts_queue_length:${scripts.queued}`,
    `sentinel_simulate_failure_flags:${(s.simulateFailure.crashAfterElection ? 1 : 0) | (s.simulateFailure.crashAfterPromotion ? 2 : 0)}`,
  ];
  let i = 0;
  for (const m of s.masters.values()) {
    const status = m.odown ? 'odown' : m.sdown ? 'sdown' : 'ok';
    lines.push(`master${i++}:name=${m.name},status=${status},address=${m.host}:${m.port},slaves=${m.replicas.size},sentinels=${m.sentinels.size + 1}`);
  }
  return lines;
}
