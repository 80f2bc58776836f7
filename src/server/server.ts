// The server process: listeners (TCP on each `bind` address, optional unix socket), the client
// table, reading bytes into each client's parser, flushing all pending replies once per
// event-loop turn, the cron (`hz` times a second), and shutdown.
//
// One event loop owns the keyspace: a command runs to completion before the next one starts, in
// arrival order, and that order is the replication order. Command gatekeeping and execution live
// in dispatch.ts; the commands themselves under src/commands/.

import * as net from 'node:net';
import * as tls from 'node:tls';
import * as fs from 'node:fs';
import * as crypto from 'node:crypto';
import { Config } from '../config/config';
import { Logger } from './log';
import { Keyspace, KeyspaceListener, Database } from '../keyspace/keyspace';
import { Client } from './client';
import { ProtocolError } from '../protocol/resp-parser';
import { CommandTable } from '../commands/command-table';
import type { CommandSpec } from '../commands/command';
import type { Sentinel } from '../sentinel/sentinel';
import { beginCommandRun, endCommandRun, processCommand } from './dispatch';
import { ReplicationFeed } from '../replication/feed';
import { Stats } from './stats';
import { CommandGates } from './gates';
import { SlowLog, redactSecrets } from './slowlog';
import { repr } from '../protocol/repr';
import { Acl } from '../acl/acl';
import { tlsServerOptions } from './tls';
import { adoptForDirectIo, SHARED_READ_MEMORY } from './direct-io';

type ListenerKind = 'tcp' | 'tls' | 'unix';

/** Time source; tests inject a fake one. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Hooks other modules attach to without the server knowing them. */
export interface ServerHooks {
  /** Runs every cron tick (1000/hz ms). */
  cron: Array<(now: number) => void>;
  /** Runs after every command with its size on the wire (a replica counts applied bytes). */
  afterCommand: Array<(c: Client, bytes: number) => void>;
  /** Runs once per event-loop turn before replies are written (the AOF writes first, as Redis's beforeSleep). */
  beforeReplies: Array<() => void>;
  /** Runs on RESET: each module drops the client's state it owns (MULTI, subscriptions, ...). */
  clientReset: Array<(c: Client) => void>;
  /** Runs when a client goes away, before it is removed. */
  clientClosed: Array<(c: Client) => void>;
  /** Runs before the process exits on SHUTDOWN/SIGTERM; may save data. Returns false to abort. */
  beforeShutdown: Array<(opts: ShutdownOptions) => boolean>;
}

export interface ShutdownOptions {
  save: boolean | null; // null: save if save points are configured
  now: boolean;
  force: boolean;
}

export class Server {
  readonly keyspace: Keyspace;
  readonly commands: CommandTable;
  readonly clients = new Map<number, Client>();
  readonly stats = new Stats();
  /** INFO stats sync_full / sync_partial_ok / sync_partial_err, counted by the replication module. */
  readonly replStats = { syncFull: 0, syncPartialOk: 0, syncPartialErr: 0 };
  readonly feed = new ReplicationFeed();
  readonly hooks: ServerHooks = { cron: [], afterCommand: [], beforeReplies: [], clientReset: [], clientClosed: [], beforeShutdown: [] };
  readonly gates = new CommandGates();
  readonly slowlog: SlowLog;
  readonly acl: Acl;
  /**
   * INFO sections provided by the modules that own them (e.g. 'replication', 'persistence'):
   * each returns the section's `field:value` lines. info.ts prints built-in defaults for
   * sections nobody provides.
   */
  readonly infoProviders = new Map<string, () => string[]>();
  /** Clients in MONITOR mode. */
  readonly monitors = new Set<Client>();
  readonly runId = crypto.randomBytes(20).toString('hex');
  readonly startTime: number;
  /** Changes since the last save (rdb_changes_since_last_save); also "did this command write". */
  dirty = 0;
  /** 'master' or 'slave' as INFO prints it; the replication module switches it. */
  role: 'master' | 'slave' = 'master';
  /** Set while the dataset is loading (commands without the `loading` flag get -LOADING). */
  loading = false;
  shuttingDown = false;
  /** DEBUG SET-ACTIVE-EXPIRE: when false the active expire cycle leaves expired keys to lazy expiry. */
  activeExpireEnabled = true;
  /** Ports actually bound (tcp_port in INFO), useful when `port 0` is not used. */
  port = 0;

  private nextClientId = 1;
  /** Bound listeners by kind: CONFIG SET port/tls-port/bind replace one kind's set. */
  private readonly listening: Record<ListenerKind, net.Server[]> = { tcp: [], tls: [], unix: [] };
  private pendingFlush: Client[] = [];
  private flushScheduled = false;
  /**
   * Connections made while listen() is still binding the other ports, served once every port is
   * bound: Redis binds all its ports before it serves anyone, so a client that reached one port
   * can count on the others (a TLS port is bound after the plain one).
   */
  private heldConnections: net.Socket[] | null = [];
  /** See readTurnTime; -1 until read in this turn. */
  private turnTime = -1;
  private cronTimer: NodeJS.Timeout | null = null;

  /** Set in sentinel mode (tandem-sentinel / --sentinel): the Sentinel this server runs. */
  sentinel: Sentinel | null = null;

  constructor(
    readonly config: Config,
    readonly log: Logger,
    readonly clock: Clock = systemClock,
    /** The commands this server offers (sentinel mode offers its own set). */
    commandSpecs?: CommandSpec[],
  ) {
    this.startTime = clock.now();
    this.keyspace = new Keyspace(config.int('databases'));
    this.keyspace.clock = () => clock.now();
    this.commands = new CommandTable(config.renames, commandSpecs);
    this.slowlog = new SlowLog(config);
    this.acl = new Acl(this);
    // accept() applies maxclients exactly; the listeners' own cap must follow CONFIG SET too.
    config.watch('maxclients', (v) => {
      for (const l of this.listeners) l.maxConnections = (v as number) + 32;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Listening and accepting
  // ---------------------------------------------------------------------------------------------

  /** Binds every configured address. Rejects with a Redis-style message if none can be bound. */
  async listen(): Promise<void> {
    this.port = this.config.int('port');
    for (const kind of ['tcp', 'tls'] as const) this.listening[kind] = await this.bindPort(kind);
    const unixsocket = this.config.str('unixsocket');
    if (unixsocket !== '') {
      try {
        fs.unlinkSync(unixsocket);
      } catch {
        // not there: fine
      }
      this.listening.unix = [await this.listenOn(net.createServer(PLAIN_LISTENER_OPTIONS), { path: unixsocket })];
      const perm = parseInt(this.config.str('unixsocketperm'), 8);
      if (perm) fs.chmodSync(unixsocket, perm);
    }
    const held = this.heldConnections!;
    this.heldConnections = null;
    for (const socket of held) this.accept(socket);
  }

  /**
   * After CONFIG SET port, tls-port or bind: closes those kinds' listeners and binds the
   * configured ones. Resolves to null, or to the reason on failure, after restoring the previous
   * addresses of every kind (`restore` puts the previous config values back first).
   */
  async rebind(kinds: ReadonlySet<'tcp' | 'tls'>, restore: () => void): Promise<string | null> {
    const close = (): void => {
      for (const kind of kinds) {
        for (const l of this.listening[kind]) l.close();
        this.listening[kind] = [];
      }
    };
    // Closing first lets a new bind list reuse the same port.
    close();
    try {
      for (const kind of kinds) this.listening[kind] = await this.bindPort(kind);
      this.port = this.config.int('port');
      return null;
    } catch (e) {
      this.log.warning((e as Error).message);
      close();
      restore();
      for (const kind of kinds) {
        this.listening[kind] = await this.bindPort(kind).catch((again: Error) => {
          this.log.warning(`Failed to restore the previous listening sockets: ${again.message}`);
          return [];
        });
      }
      return (e as Error).message;
    }
  }

  /**
   * Listens on the kind's configured port at every `bind` address ("-" prefix: optional; "*" any
   * IPv4, "::*" any IPv6); nothing when the port is 0. On failure closes what it opened and
   * rejects with Redis's message.
   */
  private async bindPort(kind: 'tcp' | 'tls'): Promise<net.Server[]> {
    const port = this.config.int(kind === 'tcp' ? 'port' : 'tls-port');
    if (port === 0) return [];
    const options = kind === 'tls' ? tlsServerOptions(this.config) : null;
    const bound: net.Server[] = [];
    try {
      for (const raw of this.config.str('bind').split(' ').filter(Boolean)) {
        const optional = raw.startsWith('-');
        const host = optional ? raw.slice(1) : raw;
        const opts: net.ListenOptions =
          host === '*' ? { port, host: '0.0.0.0' } : host === '::*' ? { port, host: '::', ipv6Only: true } : { port, host };
        try {
          bound.push(await this.listenOn(options ? tls.createServer(options) : net.createServer(PLAIN_LISTENER_OPTIONS), opts));
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          if (optional && ['EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EPROTONOSUPPORT'].includes(err.code ?? '')) continue;
          throw new Error(`Warning: Could not create server TCP listening socket ${raw}:${port}: ${err.message}`);
        }
      }
      if (bound.length === 0) throw new Error(`Failed listening on port ${port} (${kind}), aborting.`);
    } catch (e) {
      for (const l of bound) l.close();
      throw e;
    }
    return bound;
  }

  private get listeners(): net.Server[] {
    return [...this.listening.tcp, ...this.listening.tls, ...this.listening.unix];
  }

  private listenOn(srv: net.Server, opts: net.ListenOptions): Promise<net.Server> {
    return new Promise((resolve, reject) => {
      srv.on(srv instanceof tls.Server ? 'secureConnection' : 'connection', (socket: net.Socket) => this.accept(socket));
      if (srv instanceof tls.Server) srv.on('tlsClientError', (e) => this.log.verbose(`Error accepting a client connection: ${e.message}`));
      srv.maxConnections = this.config.int('maxclients') + 32;
      srv.once('error', reject);
      srv.listen({ ...opts, backlog: this.config.int('tcp-backlog') }, () => {
        srv.off('error', reject);
        srv.on('error', (e) => this.log.warning(`Listener error: ${e.message}`));
        resolve(srv);
      });
    });
  }

  private accept(socket: net.Socket): void {
    if (this.heldConnections !== null) {
      this.heldConnections.push(socket);
      return;
    }
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    const maxclients = this.config.int('maxclients');
    if (this.clients.size >= maxclients) {
      this.stats.rejectedConnections++;
      closeAfterWrite(socket, '-ERR max number of clients reached\r\n');
      return;
    }
    if (this.refusedByProtectedMode(socket)) return;
    const direct = adoptForDirectIo(
      socket,
      (chunk) => this.onDirectRead(c, chunk),
      () => c.socket!.destroy(),
    );
    if (direct !== null) socket = direct.socket;
    const keepalive = this.config.int('tcp-keepalive');
    if (keepalive > 0) socket.setKeepAlive(true, keepalive * 1000);
    socket.setNoDelay(true);
    const c = this.createClient(socket);
    if (direct !== null) c.writer = direct.writer;
    this.stats.totalConnections++;
    if (direct === null) socket.on('data', (chunk: Buffer) => this.onData(c, chunk));
    socket.on('error', () => this.closeClient(c));
    socket.on('close', () => this.closeClient(c));
  }

  /** protected-mode: Redis's DENIED explanation, then close, for clients it does not serve. */
  private refusedByProtectedMode(socket: net.Socket): boolean {
    const refused = protectedModeRefuses(socket.remoteAddress, {
      protectedMode: this.config.bool('protected-mode'),
      defaultUserNopass: this.acl.defaultUserIsNopass(),
    });
    if (refused) closeAfterWrite(socket, PROTECTED_MODE_DENIED);
    return refused;
  }

  /** Creates a client (also used for the master link, which has no listening socket). */
  createClient(socket: net.Socket | null): Client {
    const c = new Client(
      this,
      this.nextClientId++,
      socket,
      this.keyspace.dbs[0],
      this.requiresAuth(),
      this.config.int('proto-max-bulk-len'),
      this.clock.now(),
    );
    c.reply.onError = (msg) => this.stats.countError(msg);
    this.clients.set(c.id, c);
    return c;
  }

  /** Whether new connections must AUTH first (the default user has a password or is off). */
  requiresAuth(): boolean {
    return !this.acl.defaultUserIsNopass();
  }

  // ---------------------------------------------------------------------------------------------
  // Reading and running commands
  // ---------------------------------------------------------------------------------------------

  /** A read into the shared read buffer (direct-io.ts): what the parser keeps of it is copied before the next read reuses it. */
  private onDirectRead(c: Client, chunk: Buffer): void {
    this.onData(c, chunk);
    c.parser.copyInputOutOf(SHARED_READ_MEMORY);
  }

  private onData(c: Client, chunk: Buffer): void {
    if (c.closed) return;
    this.stats.netInputBytes += chunk.length;
    c.lastInteraction = this.readTurnTime();
    c.parser.feed(chunk);
    const limit = this.config.int('client-query-buffer-limit');
    if (c.parser.bufferedBytes > limit && c.role !== 'master') {
      this.log.warning(`Closing client that reached max query buffer length: id=${c.id} addr=${c.addr} (qbuf initial bytes: ${c.parser.bufferedBytes})`);
      this.closeClient(c);
      return;
    }
    this.processInput(c);
  }

  /**
   * The time of this event-loop turn's reads: one clock read for all of them instead of one per
   * read (Date.now() is a call into the runtime, ~1.5% of a plain request's CPU in a profile).
   * Redis also stamps lastinteraction with a cached clock. flushAll, at the turn's end, drops it.
   */
  private readTurnTime(): number {
    if (this.turnTime < 0) {
      this.turnTime = this.clock.now();
      this.scheduleTurnEnd();
    }
    return this.turnTime;
  }

  /** Runs every complete command in the client's input, until it blocks, pauses or closes. */
  processInput(c: Client): void {
    beginCommandRun();
    try {
      while (!c.closed && !c.blocked && !c.paused && !c.closeAfterReply) {
        let argv: string[] | null;
        try {
          argv = c.parser.next();
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
          this.log.verbose(`Protocol error (${e.message}) from client: id=${c.id} addr=${c.addr}`);
          c.reply.error('ERR ' + e.message);
          c.closeAfterReply = true;
          break;
        }
        if (argv === null) break;
        processCommand(this, c, argv, c.parser.lastCommandBytes);
      }
    } finally {
      endCommandRun();
    }
    this.scheduleFlush(c);
  }

  /** Sends a command to every MONITOR client, formatted as Redis does. */
  feedMonitors(c: Client, argv: string[]): void {
    const usec = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    const unix = c.socket !== null && c.socket.remoteAddress === undefined;
    const who = c.role === 'master' ? 'master' : c.socket === null ? 'lua' : unix ? `unix:${this.config.str('unixsocket')}` : c.addr;
    let line = `+${Math.floor(usec / 1e6)}.${String(usec % 1e6).padStart(6, '0')} [${c.db.id} ${who}]`;
    for (const a of redactSecrets(argv, this.config)) line += ' ' + repr(a);
    line += '\r\n';
    for (const m of this.monitors) {
      m.reply.raw(line);
      this.scheduleFlush(m);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing replies: once per event-loop turn
  // ---------------------------------------------------------------------------------------------

  /** Queues a client's pending replies to be written at the end of this event-loop turn. */
  scheduleFlush(c: Client): void {
    if (c.reply.pendingBytes === 0 && !c.closeAfterReply) return;
    this.pendingFlush.push(c);
    this.scheduleTurnEnd();
  }

  /** Runs flushAll once this turn's I/O callbacks are done (setImmediate: the loop's check phase). */
  private scheduleTurnEnd(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushAll());
    }
  }

  private flushAll(): void {
    this.flushScheduled = false;
    this.turnTime = -1;
    for (const h of this.hooks.beforeReplies) h();
    const list = this.pendingFlush;
    this.pendingFlush = [];
    for (const c of list) this.flushClient(c);
  }

  /** Writes a client's pending replies to its socket; enforces output buffer limits. */
  flushClient(c: Client): void {
    if (c.closed) return;
    const socket = c.socket;
    // Nothing queued in socket.write()'s buffer, which only writes after what it holds: the
    // handle can take the replies now and keeps them in order behind anything it holds itself.
    const writer = socket !== null && socket.writableLength === 0 ? c.writer : null;
    const bufs = c.reply.take(socket !== null && c.queuedOutputBytes === 0);
    if (socket !== null && bufs.length > 0) {
      for (const b of bufs) this.stats.netOutputBytes += b.length;
      if (writer !== null) {
        writer.write(bufs);
      } else if (bufs.length === 1) {
        socket.write(bufs[0]);
      } else {
        socket.cork();
        for (const b of bufs) socket.write(b);
        socket.uncork();
      }
      const queued = c.queuedOutputBytes;
      c.reply.written(queued > 0);
      if (this.outputBufferOverLimit(c, queued)) return;
    }
    if (c.closeAfterReply) this.closeClient(c);
  }

  /** Applies client-output-buffer-limit for the client's class to `used` queued bytes; closes the client when over. */
  private outputBufferOverLimit(c: Client, used: number): boolean {
    // Nothing queued: under every limit, and no soft-limit timer to reset (the usual flush).
    if (used === 0 && c.ext.softLimitSince === undefined) return false;
    const cls = c.role === 'replica' ? 'slave' : c.role === 'pubsub' ? 'pubsub' : 'normal';
    const limit = this.config.outputBufferLimit(cls);
    let over = limit.hard > 0 && used >= limit.hard;
    if (!over && limit.soft > 0 && used >= limit.soft) {
      const now = this.clock.now();
      const since = (c.ext.softLimitSince as number | undefined) ?? now;
      c.ext.softLimitSince = since;
      over = now - since >= limit.softSeconds * 1000;
    } else if (!over && c.ext.softLimitSince !== undefined) {
      delete c.ext.softLimitSince;
    }
    if (!over) return false;
    this.log.warning(
      `Client id=${c.id} addr=${c.addr} name=${c.name} scheduled to be closed ASAP for overcoming of output buffer limits.`,
    );
    this.closeClient(c);
    return true;
  }

  /** Disconnects a client and forgets it. Safe to call twice. */
  closeClient(c: Client): void {
    if (c.closed) return;
    c.closed = true;
    for (const h of this.hooks.clientClosed) h(c);
    this.clients.delete(c.id);
    c.reply.discard();
    if (c.socket && !c.socket.destroyed) {
      if (c.closeAfterReply) closeAfterWrite(c.socket);
      else c.socket.destroy();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Cron
  // ---------------------------------------------------------------------------------------------

  startCron(): void {
    this.scheduleCron();
    this.config.watch('hz', () => this.scheduleCron());
  }

  /** (Re)starts the cron timer at the current `hz` (CONFIG SET hz restarts it). */
  private scheduleCron(): void {
    if (this.cronTimer) clearInterval(this.cronTimer);
    const hz = Math.min(Math.max(this.config.int('hz'), 1), 500);
    this.cronTimer = setInterval(() => this.cron(), Math.floor(1000 / hz));
    this.cronTimer.unref();
  }

  private cron(): void {
    const now = this.clock.now();
    this.stats.sample(now);
    this.closeIdleClients(now);
    for (const h of this.hooks.cron) h(now);
  }

  private closeIdleClients(now: number): void {
    const timeout = this.config.int('timeout');
    if (timeout <= 0) return;
    for (const c of this.clients.values()) {
      if (c.role !== 'normal' || c.blocked) continue;
      if (now - c.lastInteraction > timeout * 1000) {
        this.log.verbose(`Closing idle client`);
        this.closeClient(c);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Shutdown
  // ---------------------------------------------------------------------------------------------

  /**
   * Runs the shutdown sequence (save if asked or if save points are set, remove the pidfile),
   * then exits the process. Returns an error message (and does not exit) when a save fails
   * without FORCE.
   */
  shutdown(opts: ShutdownOptions): string | null {
    this.log.warning('User requested shutdown...');
    for (const h of this.hooks.beforeShutdown) {
      if (!h(opts)) {
        this.log.warning('Errors trying to shut down the server. Check the logs for more information.');
        return 'Errors trying to SHUTDOWN. Check logs.';
      }
    }
    this.shuttingDown = true;
    const pidfile = this.config.str('pidfile');
    if (pidfile !== '') {
      this.log.notice('Removing the pid file.');
      try {
        fs.unlinkSync(pidfile);
      } catch {
        // already gone
      }
    }
    const unixsocket = this.config.str('unixsocket');
    if (unixsocket !== '') {
      this.log.notice('Removing the unix socket file.');
      try {
        fs.unlinkSync(unixsocket);
      } catch {
        // already gone
      }
    }
    for (const l of this.listeners) l.close();
    for (const c of this.clients.values()) if (c.socket) c.socket.destroy();
    this.log.warning('Redis is now ready to exit, bye bye...');
    process.exit(0);
  }

  /** Addresses actually bound, for tests started with port 0. */
  boundPorts(): number[] {
    return this.listeners.map((l) => l.address()).filter((a): a is net.AddressInfo => typeof a === 'object' && a !== null).map((a) => a.port);
  }

  /** The database a client has selected (by number, as SELECT/MOVE/SWAPDB see it). */
  db(index: number): Database | undefined {
    return this.keyspace.dbs[index];
  }

  addKeyspaceListener(l: KeyspaceListener): void {
    this.keyspace.listeners.push(l);
  }
}

/**
 * Plain TCP and unix-socket listeners hand over accepted sockets paused, so that accept() can
 * adopt them for direct I/O before anything is read.
 */
const PLAIN_LISTENER_OPTIONS: net.ServerOpts = { noDelay: true, pauseOnConnect: true };

/**
 * Writes the last bytes and then closes both directions, as Redis's close() after a final reply:
 * nothing more is read from the peer, and a peer that never reads cannot keep the socket open.
 */
function closeAfterWrite(socket: net.Socket, last?: string): void {
  socket.pause();
  if (last === undefined) socket.end();
  else socket.end(last);
  socket.once('finish', () => socket.destroy());
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * protected-mode: while the default user has no password, only loopback and unix-socket clients
 * are served. Redis 7.0 applies this whatever `bind` says (older versions skipped it when a bind
 * address was configured).
 */
export function protectedModeRefuses(
  remoteAddress: string | undefined,
  opts: { protectedMode: boolean; defaultUserNopass: boolean },
): boolean {
  if (!opts.protectedMode || !opts.defaultUserNopass) return false;
  if (remoteAddress === undefined) return false;
  return !(remoteAddress.startsWith('127.') || remoteAddress === '::1' || remoteAddress.startsWith('::ffff:127.'));
}

export const PROTECTED_MODE_DENIED =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. ' +
  'In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you ' +
  'may adopt one of the following solutions: 1) Just disable protected mode sending the command \'CONFIG SET protected-mode no\' from the ' +
  'loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible ' +
  "from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by " +
  "editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started " +
  "the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the " +
  'default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n';
