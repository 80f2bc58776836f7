// CLIENT and its subcommands: connection identity (ID, SETNAME, GETNAME), introspection (LIST,
// INFO in Redis 7.0's exact line format), KILL in both its forms, PAUSE/UNPAUSE, REPLY, NO-EVICT,
// UNBLOCK and the tracking queries (Tandem has no client-side caching, so tracking is
// always off).
//
// CLIENT PAUSE postpones commands rather than refusing them, as Redis does: a paused client's
// command is kept aside, the client reads nothing more, and when the pause ends the command is
// processed again from the start (so it passes every check under the state of that moment).

import { command, CommandSpec, CommandFlag } from './command';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import { processCommand } from '../server/dispatch';
import { helpReply } from './command-docs';
import { parseSafeInt, ERR_SYNTAX, ERR_NOT_INTEGER } from './args';

// ---------------------------------------------------------------------------------------------
// What other modules contribute to CLIENT LIST / CLIENT UNBLOCK
// ---------------------------------------------------------------------------------------------

/** Per-client figures owned by other modules (pub/sub counts, MULTI queue, flag letters). */
export interface ClientListContribution {
  sub?: number;
  psub?: number;
  ssub?: number;
  /** Commands queued in MULTI (-1 when not in MULTI). */
  multi?: number;
  /** Flag letters, e.g. 'x' (in MULTI), 'd' (dirty CAS), 't' (tracking). */
  flags?: string;
}

/** Modules that know something about a client add a function here (pub/sub, transactions). */
export const clientListContributors: Array<(c: Client) => ClientListContribution | null> = [];

/**
 * Blocking commands call this when they block a client that CLIENT UNBLOCK may release, and with
 * null when it unblocks; `release(asError)` must end the wait, replying the command's timeout
 * reply or, when asError, "-UNBLOCKED client unblocked via CLIENT UNBLOCK".
 */
export function setUnblockHandler(c: Client, release: ((asError: boolean) => void) | null): void {
  if (release === null) delete c.ext.clientUnblock;
  else c.ext.clientUnblock = release;
}

// ---------------------------------------------------------------------------------------------
// CLIENT LIST / INFO
// ---------------------------------------------------------------------------------------------

type ClientType = 'normal' | 'master' | 'replica' | 'pubsub';

/** The class Redis puts a client in for CLIENT LIST/KILL TYPE (monitors count as normal). */
function clientType(c: Client): ClientType {
  if (c.role === 'replica' || c.role === 'master' || c.role === 'pubsub') return c.role;
  return 'normal';
}

/** Parses a TYPE argument; 'slave' is Redis's old name for 'replica'. */
function parseClientType(s: string): ClientType | null {
  const t = s.toLowerCase();
  if (t === 'slave') return 'replica';
  return t === 'normal' || t === 'master' || t === 'replica' || t === 'pubsub' ? t : null;
}

function socketFd(c: Client): number {
  const handle = (c.socket as unknown as { _handle?: { fd?: number } } | null)?._handle;
  return handle?.fd ?? -1;
}

/** Size of the reply scratch buffer every client has (rbs= / rbp=). */
const REPLY_BUFFER_SIZE = 16 * 1024;

/** One CLIENT LIST line (without the newline), fields and order as Redis 7.0 prints them. */
export function clientInfoLine(c: Client, now: number, cmdOverride?: string): string {
  const extra: ClientListContribution = {};
  for (const f of clientListContributors) Object.assign(extra, f(c) ?? {});
  let flags = '';
  if (c.role === 'monitor') flags += 'O';
  else if (c.role === 'replica') flags += 'S';
  if (c.role === 'master') flags += 'M';
  if (c.role === 'pubsub') flags += 'P';
  flags += extra.flags ?? '';
  if (c.blocked || c.paused) flags += 'b';
  if (c.closeAfterReply) flags += 'c';
  if (c.socket !== null && c.socket.remoteAddress === undefined) flags += 'U';
  if (c.noEvict) flags += 'e';
  if (flags === '') flags = 'N';
  const qbuf = c.parser.bufferedBytes;
  const omem = c.queuedOutputBytes;
  const obl = c.reply.pendingBytes;
  const events = omem > 0 ? 'rw' : 'r';
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${socketFd(c)} name=${c.name} ` +
    `age=${Math.floor((now - c.createdAt) / 1000)} idle=${Math.floor((now - c.lastInteraction) / 1000)} ` +
    `flags=${flags} db=${c.db.id} sub=${extra.sub ?? 0} psub=${extra.psub ?? 0} ssub=${extra.ssub ?? 0} multi=${extra.multi ?? -1} ` +
    `qbuf=${qbuf} qbuf-free=0 argv-mem=0 multi-mem=0 rbs=${REPLY_BUFFER_SIZE} rbp=${REPLY_BUFFER_SIZE} ` +
    `obl=${obl} oll=0 omem=${omem} tot-mem=${REPLY_BUFFER_SIZE + qbuf + obl + omem} events=${events} ` +
    `cmd=${cmdOverride ?? c.lastCommand.toLowerCase()} user=${c.user} redir=-1 resp=${c.resp}`
  );
}

function clientList(c: Client, argv: string[]): void {
  let type: ClientType | null = null;
  let ids: Set<number> | null = null;
  for (let i = 2; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    if (opt === 'type' && i + 1 < argv.length) {
      type = parseClientType(argv[++i]);
      if (type === null) {
        c.reply.error(`ERR Unknown client type '${argv[i]}'`);
        return;
      }
    } else if (opt === 'id' && i + 1 < argv.length) {
      ids = new Set();
      for (i++; i < argv.length; i++) {
        const id = parseSafeInt(argv[i]);
        if (id === null || id <= 0) {
          c.reply.error('ERR Invalid client ID');
          return;
        }
        ids.add(id);
      }
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const now = c.server.clock.now();
  let text = '';
  for (const other of c.server.clients.values()) {
    if (type !== null && clientType(other) !== type) continue;
    if (ids !== null && !ids.has(other.id)) continue;
    text += clientInfoLine(other, now, other === c ? 'client|list' : undefined) + '\n';
  }
  c.reply.verbatim(text);
}

// ---------------------------------------------------------------------------------------------
// CLIENT KILL
// ---------------------------------------------------------------------------------------------

interface KillFilter {
  id?: number;
  type?: ClientType;
  user?: string;
  addr?: string;
  laddr?: string;
  skipMe: boolean;
}

/** Parses the filter form; replies the error and returns null when it is malformed. */
function parseKillFilter(c: Client, argv: string[]): KillFilter | null {
  const f: KillFilter = { skipMe: true };
  if ((argv.length - 2) % 2 !== 0) {
    c.reply.error(ERR_SYNTAX);
    return null;
  }
  for (let i = 2; i < argv.length; i += 2) {
    const opt = argv[i].toLowerCase();
    const val = argv[i + 1];
    if (opt === 'id') {
      const id = parseSafeInt(val);
      if (id === null || id <= 0) {
        c.reply.error('ERR client-id should be greater than 0');
        return null;
      }
      f.id = id;
    } else if (opt === 'type') {
      const t = parseClientType(val);
      if (t === null) {
        c.reply.error(`ERR Unknown client type '${val}'`);
        return null;
      }
      f.type = t;
    } else if (opt === 'user') {
      if (!c.server.acl.users.has(val)) {
        c.reply.error(`ERR No such user '${val}'`);
        return null;
      }
      f.user = val;
    } else if (opt === 'addr') {
      f.addr = val;
    } else if (opt === 'laddr') {
      f.laddr = val;
    } else if (opt === 'skipme') {
      const v = val.toLowerCase();
      if (v !== 'yes' && v !== 'no') {
        c.reply.error(ERR_SYNTAX);
        return null;
      }
      f.skipMe = v === 'yes';
    } else {
      c.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return f;
}

function matchesKillFilter(f: KillFilter, self: Client, other: Client): boolean {
  if (f.id !== undefined && other.id !== f.id) return false;
  if (f.type !== undefined && clientType(other) !== f.type) return false;
  if (f.user !== undefined && other.user !== f.user) return false;
  if (f.addr !== undefined && other.addr !== f.addr) return false;
  if (f.laddr !== undefined && other.laddr !== f.laddr) return false;
  return !(f.skipMe && other === self);
}

/** Kills a client; the caller itself is closed after its reply is written, as in Redis. */
function killClient(self: Client, victim: Client): void {
  if (victim === self) self.closeAfterReply = true;
  else self.server.closeClient(victim);
}

function clientKill(c: Client, argv: string[]): void {
  if (argv.length === 3) {
    let victim: Client | undefined;
    for (const other of c.server.clients.values()) if (other.addr === argv[2]) victim = other;
    if (victim === undefined) {
      c.reply.error('ERR No such client');
      return;
    }
    killClient(c, victim);
    c.reply.ok();
    return;
  }
  const f = parseKillFilter(c, argv);
  if (f === null) return;
  const victims = [...c.server.clients.values()].filter((other) => matchesKillFilter(f, c, other));
  for (const v of victims) killClient(c, v);
  c.reply.int(victims.length);
}

// ---------------------------------------------------------------------------------------------
// CLIENT PAUSE / UNPAUSE
// ---------------------------------------------------------------------------------------------

/** The server's pause: what it holds back, until when, and who is waiting. */
class PauseState {
  mode: 'write' | 'all' | null = null;
  end = 0;
  timer: NodeJS.Timeout | null = null;
  /** Each waiting client's command and its size on the wire (a master link counts applied bytes). */
  readonly waiting = new Map<Client, { argv: string[]; bytes: number }>();
}

const pauses = new WeakMap<Server, PauseState>();

function pauseOf(server: Server): PauseState {
  return pauses.get(server)!;
}

/** Whether the current pause holds this command back (replica links and monitors are never paused). */
function isHeldBack(p: PauseState, c: Client, spec: CommandSpec): boolean {
  if (p.mode === null || c.role === 'replica' || c.role === 'monitor') return false;
  if (p.mode === 'all') return true;
  return spec.flags.includes('write') || spec.flags.includes('may_replicate');
}

/**
 * Wires CLIENT PAUSE into the server: a queuer that sets a held-back command aside (it must run
 * before MULTI's queuer, as Redis checks the pause before queueing), and forgetting clients that
 * go away while waiting.
 */
export function installClientCommands(server: Server): void {
  const p = new PauseState();
  pauses.set(server, p);
  server.gates.addQueuer((c, spec, argv) => {
    if (!isHeldBack(p, c, spec)) return false;
    c.paused = true;
    p.waiting.set(c, { argv, bytes: c.parser.lastCommandBytes });
    return true;
  });
  server.hooks.clientClosed.push((c) => {
    p.waiting.delete(c);
  });
}

/** Pauses clients' commands (all, or writes only) for `ms`; a pause in force is never shortened. */
export function pause(server: Server, mode: 'write' | 'all', ms: number): void {
  const p = pauseOf(server);
  // A new pause never shortens or weakens one in force.
  const end = server.clock.now() + ms;
  if (p.mode !== 'all') p.mode = mode;
  if (end > p.end || p.timer === null) {
    p.end = Math.max(end, p.end);
    if (p.timer !== null) clearTimeout(p.timer);
    p.timer = setTimeout(() => unpause(server), p.end - server.clock.now());
  }
}

/** Ends the pause and processes the commands held back, in the order the clients sent them. */
export function unpause(server: Server): void {
  const p = pauseOf(server);
  if (p.timer !== null) clearTimeout(p.timer);
  p.timer = null;
  p.mode = null;
  p.end = 0;
  const waiting = [...p.waiting];
  p.waiting.clear();
  for (const [c, { argv, bytes }] of waiting) {
    c.paused = false;
    if (c.closed) continue;
    processCommand(server, c, argv, bytes);
    server.processInput(c);
  }
}

function clientPause(c: Client, argv: string[]): void {
  const ms = parseSafeInt(argv[2]);
  if (ms === null) {
    c.reply.error('ERR timeout is not an integer or out of range');
    return;
  }
  if (ms < 0) {
    c.reply.error('ERR timeout is negative');
    return;
  }
  let mode: 'write' | 'all' = 'all';
  if (argv.length === 4) {
    const m = argv[3].toLowerCase();
    if (m !== 'write' && m !== 'all') {
      c.reply.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
      return;
    }
    mode = m;
  } else if (argv.length > 4) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  pause(c.server, mode, ms);
  c.reply.ok();
}

// ---------------------------------------------------------------------------------------------
// The rest
// ---------------------------------------------------------------------------------------------

function setName(c: Client, argv: string[]): void {
  const name = argv[2];
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch < 0x21 || ch > 0x7e) {
      c.reply.error('ERR Client names cannot contain spaces, newlines or special characters.');
      return;
    }
  }
  c.name = name;
  c.reply.ok();
}

function reply(c: Client, argv: string[]): void {
  const mode = argv[2].toLowerCase();
  if (mode === 'on') {
    c.replyMode = 'on';
    c.skipNextReply = false;
    c.reply.ok();
  } else if (mode === 'off') {
    c.replyMode = 'off';
  } else if (mode === 'skip') {
    if (c.replyMode !== 'off') c.skipNextReply = true;
  } else {
    c.reply.error(ERR_SYNTAX);
  }
}

/** NO-EVICT ON|OFF. */
function noEvict(c: Client, argv: string[]): void {
  const v = argv[2].toLowerCase();
  if (v !== 'on' && v !== 'off') {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  c.noEvict = v === 'on';
  c.reply.ok();
}

function unblock(c: Client, argv: string[]): void {
  const id = parseSafeInt(argv[2]);
  if (id === null) {
    c.reply.error(ERR_NOT_INTEGER);
    return;
  }
  let asError = false;
  if (argv.length === 4) {
    const how = argv[3].toLowerCase();
    if (how !== 'timeout' && how !== 'error') {
      c.reply.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
      return;
    }
    asError = how === 'error';
  } else if (argv.length > 4) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  const target = c.server.clients.get(id);
  const release = target?.ext.clientUnblock as ((asError: boolean) => void) | undefined;
  if (target === undefined || !target.blocked || release === undefined) {
    c.reply.int(0);
    return;
  }
  release(asError);
  c.reply.int(1);
}

function trackingInfo(c: Client): void {
  c.reply.mapHeader(3);
  c.reply.bulk('flags');
  c.reply.setHeader(1);
  c.reply.bulk('off');
  c.reply.bulk('redirect');
  c.reply.int(-1);
  c.reply.bulk('prefixes');
  c.reply.arrayHeader(0);
}

const HELP = [
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
];

const PER_CLIENT = 'O(N) where N is the number of client connections';
const CONN: CommandFlag[] = ['noscript', 'loading', 'stale'];
const ADMIN: CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];

function sub(name: string, arity: number, flags: CommandFlag[], summary: string, since: string, handler: (c: Client, argv: string[]) => void, tips?: string[], complexity = 'O(1)'): CommandSpec {
  return command({ name, arity, flags, categories: ['connection'], group: 'connection', summary, since, complexity, tips, handler });
}

export const CLIENT_COMMANDS: CommandSpec[] = [
  command({
    name: 'client', arity: -2, flags: ['sentinel'], group: 'connection', summary: 'A container for client connection commands', since: '2.4.0',
    complexity: 'Depends on subcommand.',
    subcommands: [
      sub('getname', 2, CONN, 'Get the current connection name', '2.6.9', (c) => c.reply.bulkOrNull(c.name === '' ? null : c.name)),
      sub('getredir', 2, CONN, 'Get tracking notifications redirection client ID if any', '6.0.0', (c) => c.reply.int(-1)),
      sub('help', 2, ['loading', 'stale'], 'Show helpful text about the different subcommands', '5.0.0', (c) => helpReply(c, 'CLIENT', HELP)),
      sub('id', 2, CONN, 'Returns the client ID for the current connection', '5.0.0', (c) => c.reply.int(c.id)),
      sub('info', 2, CONN, 'Returns information about the current client connection.', '6.2.0', (c) => c.reply.verbatim(clientInfoLine(c, c.server.clock.now(), 'client|info') + '\n'), ['nondeterministic_output']),
      sub('kill', -3, ADMIN, 'Kill the connection of a client', '2.4.0', clientKill, undefined, PER_CLIENT),
      sub('list', -2, ADMIN, 'Get the list of client connections', '2.4.0', clientList, ['nondeterministic_output'], PER_CLIENT),
      sub('no-evict', 3, ADMIN, 'Set client eviction mode for the current connection', '7.0.0', noEvict),
      sub('pause', -3, ADMIN, 'Stop processing commands from clients for some time', '2.9.50', clientPause),
      sub('reply', 3, CONN, 'Instruct the server whether to reply to commands', '3.2.0', reply),
      sub('setname', 3, CONN, 'Set the current connection name', '2.6.9', setName),
      sub('trackinginfo', 2, CONN, 'Return information about server assisted client side caching for the current connection', '6.2.0', trackingInfo),
      sub('unblock', -3, ADMIN, 'Unblock a client blocked in a blocking command from a different connection', '5.0.0', unblock, undefined, 'O(log N) where N is the number of client connections'),
      sub('unpause', 2, ADMIN, 'Resume processing of clients that were paused', '6.2.0', (c) => {
        unpause(c.server);
        c.reply.ok();
      }, undefined, 'O(N) Where N is the number of paused clients'),
    ],
  }),
];
