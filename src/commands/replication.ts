// Replication commands: REPLICAOF/SLAVEOF, SYNC, PSYNC, REPLCONF, ROLE, WAIT. The work is done by
// the replication module (src/replication/); these handlers parse arguments and reply with
// Redis 7.0's exact wording.

import { command, CommandSpec } from './command';
import { ERR_SYNTAX, intArg, parseSafeInt } from './args';
import type { Client } from '../server/client';
import { replicationOf } from '../replication/replication';
import { replconfOf } from '../replication/master-side';
import { clientInfoLine } from './client';

function requester(c: Client): string {
  return clientInfoLine(c, c.server.clock.now());
}

function replicaof(c: Client, argv: string[]): void {
  const repl = replicationOf(c.server);
  if (c.role === 'replica') {
    c.reply.error('ERR Command is not valid when client is a replica.');
    return;
  }
  const log = c.server.log;
  if (argv[1].toLowerCase() === 'no' && argv[2].toLowerCase() === 'one') {
    if (repl.isReplica) {
      repl.unsetMaster();
      log.notice(`MASTER MODE enabled (user request from '${requester(c)}')`);
    }
    c.reply.ok();
    return;
  }
  const port = parseSafeInt(argv[2]);
  if (port === null || port < 0 || port > 65535) {
    c.reply.error('ERR Invalid master port');
    return;
  }
  const host = argv[1];
  if (repl.isReplica && repl.masterHost === host && repl.masterPort === port) {
    log.notice('REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
    c.reply.simple('OK Already connected to specified master');
    return;
  }
  repl.setMaster(host, port);
  log.notice(`REPLICAOF ${host}:${port} enabled (user request from '${requester(c)}')`);
  c.reply.ok();
}

function sync(c: Client): void {
  replicationOf(c.server).master.handleSync(c, null, 0);
}

function psync(c: Client, argv: string[]): void {
  const offset = intArg(c, argv[2]);
  if (offset === null) return;
  const repl = replicationOf(c.server);
  if (argv.length > 3 && argv[3].toLowerCase() === 'failover') {
    // Our master runs FAILOVER TO us: it has paused its writes, we hold its whole stream, and
    // it now wants to become our replica. We take over, then continue it partially (replid2).
    if (argv[1] !== repl.replid) {
      c.reply.error('ERR PSYNC FAILOVER replid must match my replid.');
      return;
    }
    repl.unsetMaster();
    c.server.log.notice(`MASTER MODE enabled (failover request from '${requester(c)}')`);
  }
  repl.master.handleSync(c, argv[1], offset);
}

function replconf(c: Client, argv: string[]): void {
  if (argv.length % 2 === 0) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  const repl = replicationOf(c.server);
  const info = replconfOf(c);
  for (let i = 1; i < argv.length; i += 2) {
    const option = argv[i].toLowerCase();
    const value = argv[i + 1];
    switch (option) {
      case 'listening-port': {
        const port = intArg(c, value);
        if (port === null) return;
        info.listeningPort = port;
        break;
      }
      case 'ip-address':
        info.announcedIp = value;
        break;
      case 'capa':
        if (value.toLowerCase() === 'eof') info.capaEof = true;
        else if (value.toLowerCase() === 'psync2') info.capaPsync2 = true;
        break;
      case 'ack': {
        // Sent by a replica with its processed offset; never replied to.
        if (c.role !== 'replica') return;
        const offset = parseSafeInt(value);
        if (offset !== null) repl.master.ack(c, offset);
        return;
      }
      case 'getack':
        // Our master asks for our offset: answered on the link, not as a reply.
        if (c.role === 'master' && repl.link !== null) repl.link.sendAck();
        return;
      case 'rdb-only': {
        const v = intArg(c, value);
        if (v === null) return;
        if (v !== 0 && v !== 1) {
          c.reply.error(ERR_SYNTAX);
          return;
        }
        break;
      }
      default:
        c.reply.error(`ERR Unrecognized REPLCONF option: ${argv[i]}`);
        return;
    }
  }
  c.reply.ok();
}

function role(c: Client): void {
  replicationOf(c.server).replyRole(c);
}

function wait(c: Client, argv: string[]): void {
  const repl = replicationOf(c.server);
  if (repl.isReplica) {
    c.reply.error(
      'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.',
    );
    return;
  }
  const numReplicas = intArg(c, argv[1]);
  if (numReplicas === null) return;
  const timeout = intArg(c, argv[2], 'ERR timeout is not an integer or out of range');
  if (timeout === null) return;
  if (timeout < 0) {
    c.reply.error('ERR timeout is negative');
    return;
  }
  repl.master.wait(c, numReplicas, timeout);
}

const replicaofSpec = {
  arity: 3,
  flags: ['admin', 'noscript', 'stale', 'no_async_loading'] as CommandSpec['flags'],
  group: 'server',
  summary: 'Make the server a replica of another instance, or promote it as master.',
  complexity: 'O(1)',
  handler: replicaof,
};

/** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]. */
function failoverCommand(c: Client, argv: string[]): void {
  const failover = replicationOf(c.server).failover;
  let host: string | null = null;
  let port = 0;
  let force = false;
  let abort = false;
  let timeout = 0;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if (a === 'to' && i + 2 < argv.length && host === null) {
      const p = intArg(c, argv[i + 2]);
      if (p === null) return;
      host = argv[i + 1];
      port = p;
      i += 2;
    } else if (a === 'force' && !force) force = true;
    else if (a === 'abort' && !abort) abort = true;
    else if (a === 'timeout' && i + 1 < argv.length && timeout === 0) {
      const t = intArg(c, argv[++i]);
      if (t === null) return;
      if (t <= 0) {
        c.reply.error('ERR FAILOVER timeout must be greater than 0');
        return;
      }
      timeout = t;
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  if (abort) {
    if (host !== null || force || timeout !== 0) {
      c.reply.error('ERR FAILOVER abort cannot be used with other options.');
      return;
    }
    const err = failover.abort();
    if (err !== null) c.reply.error('ERR ' + err);
    else c.reply.ok();
    return;
  }
  if (force && (host === null || timeout === 0)) {
    c.reply.error('ERR FAILOVER with force option requires both a timeout and target HOST and IP.');
    return;
  }
  const err = failover.start({ host, port, force, deadline: timeout === 0 ? 0 : c.server.clock.now() + timeout });
  if (err !== null) c.reply.error('ERR ' + err);
  else c.reply.ok();
}

export const REPLICATION_COMMANDS: CommandSpec[] = [
  command({ name: 'replicaof', ...replicaofSpec, since: '5.0.0' }),
  command({ name: 'slaveof', ...replicaofSpec, since: '1.0.0' }),
  command({ name: 'sync', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], group: 'server', summary: 'Internal command used for replication', since: '1.0.0', handler: sync }),
  command({ name: 'psync', arity: -3, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], group: 'server', summary: 'Internal command used for replication', since: '2.8.0', handler: psync }),
  command({ name: 'replconf', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'], group: 'server', summary: 'An internal command for configuring the replication stream', since: '3.0.0', complexity: 'O(1)', handler: replconf }),
  command({
    name: 'failover', arity: -1, flags: ['admin', 'noscript', 'stale'], group: 'server', since: '6.2.0', complexity: 'O(1)',
    summary: 'Start a coordinated failover between this server and one of its replicas.', handler: failoverCommand,
  }),
  command({ name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], categories: ['admin', 'dangerous'], group: 'server', summary: 'Return the role of the instance in the context of replication', since: '2.8.12', complexity: 'O(1)', handler: role }),
  command({ name: 'wait', arity: 3, flags: ['noscript'], categories: ['connection'], group: 'generic', summary: 'Wait for the synchronous replication of all the write commands sent in the context of the current connection', since: '3.0.0', complexity: 'O(1)', handler: wait }),
];
