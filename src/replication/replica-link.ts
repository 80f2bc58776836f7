// The replica side of replication: one link to our master, driven as an ordered state machine
// (connect -> PING -> AUTH -> REPLCONF port/ip/capa -> PSYNC -> RDB transfer -> connected),
// logging each step with Redis's wording so operators read the same log as with redis-server.
//
// Once connected, the master's stream is applied through the normal dispatch as the master
// client (role 'master': writes allowed on a read-only replica, replies suppressed, expired keys
// visible), counting bytes exactly: slave_read_repl_offset is what was read, slave_repl_offset
// (our feed offset) what was applied. Applied bytes are relayed unchanged into our own feed, so
// the backlog and chained replicas get the master's stream byte for byte.
//
// A lost link is retried every second; our replid/offset stay as a "cached master" so the next
// attempt asks for a partial resync (PSYNC replid offset+1).

import * as net from 'node:net';
import * as tls from 'node:tls';
import { tlsClientOptions } from '../server/tls';
import { SHARED_READ_MEMORY, sharedReadOption } from '../server/direct-io';
import { SUPERUSER } from '../acl/acl';
import type { Client } from '../server/client';
import type { Replication } from './replication';
import { beginCommandRun, endCommandRun, processCommand } from '../server/dispatch';
import { ProtocolError } from '../protocol/resp-parser';
import { encodeCommand } from '../protocol/encode-command';
import { PayloadReceiver, SpoolToDisk, StreamLoad } from './rdb-payload';

export enum LinkState {
  None,
  Connect,
  Connecting,
  ReceivePingReply,
  ReceiveAuthReply,
  ReceivePortReply,
  ReceiveIpReply,
  ReceiveCapaReply,
  ReceivePsyncReply,
  Transfer,
  Connected,
}

const RECONNECT_MS = 1000;

const STRERROR: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EPIPE: 'Broken pipe',
};

/** The C library's wording for a socket error, as Redis logs it. */
function strerror(e: NodeJS.ErrnoException): string {
  return (e.code !== undefined ? STRERROR[e.code] : undefined) ?? e.message;
}
const EOF_MARK_LEN = 40;

/** The RDB being received after +FULLRESYNC. */
interface Transfer {
  /** -1 until the `$` line arrives; then the payload size, or -1 for an `$EOF:` stream. */
  size: number;
  headerSeen: boolean;
  eofMark: string;
  /**
   * `$EOF:` mode: the last bytes received, not yet given to the receiver (up to the mark's
   * length), so the mark never reaches the parser.
   */
  tail: Buffer;
  /** Where the payload goes while it arrives (set with the `$` line). */
  receiver: PayloadReceiver | null;
  /** repl-diskless-load swapdb: Redis's swap wording when the load ends. */
  swapdb: boolean;
  /** Redis loads from disk after the transfer: its load log lines come at the end. */
  diskWording: boolean;
  /** Our history was dropped for this sync ("Discarding previously cached master state."). */
  discardedCachedMaster: boolean;
  read: number;
  masterReplid: string;
  masterOffset: number;
  lastIo: number;
}

export class ReplicaLink {
  state = LinkState.Connect;
  /** The master client, once the stream flows. */
  client: Client | null = null;
  /** Bytes of the stream read from the master (slave_read_repl_offset). */
  private readOffsetValue = 0;
  lastIo = 0;
  /** When the link went down (master_link_down_since_seconds); 0 = never up. */
  downSince = 0;
  private socket: net.Socket | null = null;
  private inbuf: Buffer = Buffer.alloc(0);
  private transfer: Transfer | null = null;
  private lastAttempt = 0;
  private lastAck = 0;
  private stateSince = 0;
  /**
   * Stream bytes received but not yet applied, as received (they are relayed once applied). A
   * list, so a large value arriving in many packets is never re-joined per packet.
   */
  private unapplied: Buffer[] = [];
  /** The database the master's stream had selected, kept across a partial resync. */
  private masterDb = 0;
  private stopped = false;

  constructor(
    readonly repl: Replication,
    readonly host: string,
    readonly port: number,
  ) {}

  private get server() {
    return this.repl.server;
  }

  private get log() {
    return this.repl.server.log;
  }

  get isConnected(): boolean {
    return this.state === LinkState.Connected;
  }

  get appliedOffset(): number {
    if (this.isConnected || this.repl.canPartialResync) return this.repl.offset;
    return 1;
  }

  get readOffset(): number {
    if (this.isConnected) return this.readOffsetValue;
    return this.appliedOffset;
  }

  /** The database the master's stream has selected (repl-stream-db in our RDBs). */
  get masterDbId(): number {
    return this.client?.db.id ?? this.masterDb;
  }

  /** The stream's database when our history comes from an RDB (a restart). */
  setMasterDb(db: number): void {
    this.masterDb = db;
  }

  /** ROLE's state word. */
  roleState(): string {
    switch (this.state) {
      case LinkState.None:
        return 'none';
      case LinkState.Connect:
        return 'connect';
      case LinkState.Connecting:
        return 'connecting';
      case LinkState.Transfer:
        return 'sync';
      case LinkState.Connected:
        return 'connected';
      default:
        return 'handshake';
    }
  }

  start(): void {
    this.log.notice(`Connecting to MASTER ${this.host}:${this.port}`);
    this.connect();
  }

  /** Ends the link for good (REPLICAOF NO ONE or another master). */
  stop(): void {
    this.stopped = true;
    if (this.isConnected) this.repl.canPartialResync = true;
    this.teardown();
    this.state = LinkState.None;
  }

  private setState(s: LinkState): void {
    this.state = s;
    this.stateSince = this.server.clock.now();
  }

  // -------------------------------------------------------------------------------------------
  // Connecting and the handshake
  // -------------------------------------------------------------------------------------------

  private connect(): void {
    if (this.stopped || this.state !== LinkState.Connect) return;
    this.lastAttempt = this.server.clock.now();
    this.log.notice('MASTER <-> REPLICA sync started');
    this.setState(LinkState.Connecting);
    let socket: net.Socket;
    const useTls = this.server.config.bool('tls-replication');
    try {
      // tls-replication yes: the master's port is its tls-port, and we present our certificate.
      // A plain link reads into the shared read buffer (see onSharedRead); TLS with 'data' events.
      socket = useTls
        ? tls.connect({ ...tlsClientOptions(this.server.config, this.host), port: this.port })
        : net.connect({
            host: this.host,
            port: this.port,
            onread: sharedReadOption((chunk) => {
              if (this.socket === socket) this.onSharedRead(chunk);
            }),
          });
    } catch (e) {
      this.fail(`Error condition on socket for SYNC: ${(e as Error).message}`);
      return;
    }
    socket.setNoDelay(!this.server.config.bool('repl-disable-tcp-nodelay'));
    this.socket = socket;
    socket.once(useTls ? 'secureConnect' : 'connect', () => {
      if (this.socket !== socket) return;
      this.log.notice('Non blocking connect for SYNC fired the event.');
      this.lastIo = this.server.clock.now();
      this.setState(LinkState.ReceivePingReply);
      socket.write(encodeCommand(['PING']));
    });
    if (useTls) {
      socket.on('data', (chunk: Buffer) => {
        if (this.socket === socket) this.onData(chunk);
      });
    }
    socket.on('error', (e) => {
      if (this.socket !== socket) return;
      this.fail(`Error condition on socket for SYNC: ${strerror(e as NodeJS.ErrnoException)}`);
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      if (this.isConnected) this.linkLost();
      else this.fail('Error condition on socket for SYNC: Connection lost');
    });
  }

  /** Gives up this attempt; the cron retries in a second. */
  private fail(why: string): void {
    if (why !== '') this.log.warning(why);
    this.teardown();
    this.setState(LinkState.Connect);
  }

  private teardown(): void {
    const socket = this.socket;
    this.socket = null;
    this.transfer?.receiver?.abort();
    this.transfer = null;
    this.inbuf = Buffer.alloc(0);
    this.unapplied = [];
    if (this.client !== null) {
      const c = this.client;
      this.masterDb = c.db.id;
      this.client = null;
      this.server.closeClient(c);
    }
    if (socket !== null && !socket.destroyed) socket.destroy();
  }

  /** The connected link dropped: keep our history to continue from it. */
  private linkLost(): void {
    this.log.warning('Connection with master lost.');
    this.log.notice('Caching the disconnected master state.');
    this.repl.canPartialResync = true;
    this.fail('');
    this.downSince = this.server.clock.now();
  }

  /** The master client was closed from our side (CLIENT KILL TYPE master, protocol error). */
  masterClientClosed(c: Client): void {
    if (c !== this.client) return;
    this.client = null;
    this.masterDb = c.db.id;
    this.linkLost();
  }

  /**
   * A read of a plain link, into the shared read buffer (direct-io.ts): the view is valid only
   * until this returns. The stream is applied straight from it, then what outlives the read (the
   * parser's unparsed input, the unapplied bytes not relayed yet) is copied; the handshake and the
   * RDB transfer keep their input across reads, so they get a copy up front. Against a Buffer per
   * read pushed through the Readable stream ('data' events), the stream machinery was ~7% of the
   * replica's CPU under a 50k SET/s load (--cpu-prof).
   */
  private onSharedRead(view: Buffer): void {
    if (this.state !== LinkState.Connected) {
      this.onData(Buffer.from(view));
      return;
    }
    this.onData(view);
    this.client?.parser.copyInputOutOf(SHARED_READ_MEMORY);
    const unapplied = this.unapplied;
    for (let i = 0; i < unapplied.length; i++) if (unapplied[i].buffer === SHARED_READ_MEMORY) unapplied[i] = Buffer.from(unapplied[i]);
  }

  private onData(chunk: Buffer): void {
    this.lastIo = this.server.clock.now();
    this.server.stats.netInputBytes += chunk.length;
    if (this.state === LinkState.Connected) {
      this.applyStream(chunk);
      return;
    }
    this.inbuf = this.inbuf.length === 0 ? chunk : Buffer.concat([this.inbuf, chunk]);
    while (this.socket !== null && !this.isConnected) {
      if (this.state === LinkState.Transfer) {
        this.readTransfer();
        return;
      }
      const line = this.readLine();
      if (line === null) return;
      this.onReply(line);
    }
    if (this.isConnected && this.inbuf.length > 0) {
      const rest = this.inbuf;
      this.inbuf = Buffer.alloc(0);
      this.applyStream(rest);
    }
  }

  /** Takes one CRLF (or LF) terminated line from the input, without the terminator. */
  private readLine(): string | null {
    const nl = this.inbuf.indexOf(10);
    if (nl < 0) return null;
    const end = nl > 0 && this.inbuf[nl - 1] === 13 ? nl - 1 : nl;
    const line = this.inbuf.toString('latin1', 0, end);
    this.inbuf = this.inbuf.subarray(nl + 1);
    return line;
  }

  private send(argv: string[]): void {
    this.socket?.write(encodeCommand(argv));
  }

  private onReply(line: string): void {
    const cfg = this.server.config;
    switch (this.state) {
      case LinkState.ReceivePingReply: {
        if (line === '') return;
        if (line.startsWith('-') && !/^-(NOAUTH|NOPERM|ERR operation not permitted)/.test(line)) {
          this.fail(`Error reply to PING from master: '${line}'`);
          return;
        }
        this.log.notice('Master replied to PING, replication can continue...');
        // The handshake is pipelined as in Redis 7: every command now, replies read in order.
        const masterauth = cfg.str('masterauth');
        if (masterauth !== '') {
          const user = cfg.str('masteruser');
          this.send(user !== '' ? ['AUTH', user, masterauth] : ['AUTH', masterauth]);
        }
        const announcedPort = cfg.int('replica-announce-port');
        this.send(['REPLCONF', 'listening-port', String(announcedPort !== 0 ? announcedPort : cfg.int('port'))]);
        const announcedIp = cfg.str('replica-announce-ip');
        if (announcedIp !== '') this.send(['REPLCONF', 'ip-address', announcedIp]);
        this.send(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']);
        this.setState(masterauth !== '' ? LinkState.ReceiveAuthReply : LinkState.ReceivePortReply);
        return;
      }
      case LinkState.ReceiveAuthReply:
        if (line.startsWith('-')) {
          this.fail(`Unable to AUTH to MASTER: ${line}`);
          return;
        }
        this.setState(LinkState.ReceivePortReply);
        return;
      case LinkState.ReceivePortReply:
        if (line.startsWith('-')) this.log.notice(`(Non critical) Master does not understand REPLCONF listening-port: ${line}`);
        this.setState(cfg.str('replica-announce-ip') !== '' ? LinkState.ReceiveIpReply : LinkState.ReceiveCapaReply);
        return;
      case LinkState.ReceiveIpReply:
        if (line.startsWith('-')) this.log.notice(`(Non critical) Master does not understand REPLCONF ip-address: ${line}`);
        this.setState(LinkState.ReceiveCapaReply);
        return;
      case LinkState.ReceiveCapaReply:
        if (line.startsWith('-')) this.log.notice(`(Non critical) Master does not understand REPLCONF capa: ${line}`);
        this.sendPsync();
        return;
      case LinkState.ReceivePsyncReply:
        this.onPsyncReply(line);
        return;
      default:
        return;
    }
  }

  private sendPsync(): void {
    const repl = this.repl;
    if (repl.canPartialResync) {
      const offset = repl.offset + 1;
      this.log.notice(`Trying a partial resynchronization (request ${repl.replid}:${offset}).`);
      this.send(['PSYNC', repl.replid, String(offset), ...repl.failover.psyncSuffix()]);
    } else {
      this.log.notice('Partial resynchronization not possible (no cached master)');
      this.send(['PSYNC', '?', '-1']);
    }
    this.setState(LinkState.ReceivePsyncReply);
  }

  private onPsyncReply(line: string): void {
    const repl = this.repl;
    // The master may send newlines while it prepares (keepalives).
    if (line === '') return;
    if (line.startsWith('+FULLRESYNC')) {
      const [, replid, offset] = line.split(' ');
      this.log.notice(`Full resync from master: ${replid}:${offset}`);
      const discardedCachedMaster = repl.canPartialResync;
      repl.lastFullSyncReason = discardedCachedMaster ? 'master refused a partial resync' : 'no cached master';
      repl.canPartialResync = false;
      this.transfer = {
        size: -1, headerSeen: false, eofMark: '', tail: Buffer.alloc(0), receiver: null, swapdb: false, diskWording: false, discardedCachedMaster,
        read: 0, masterReplid: replid, masterOffset: Number(offset), lastIo: this.server.clock.now(),
      };
      this.setState(LinkState.Transfer);
      return;
    }
    if (line.startsWith('+CONTINUE')) {
      const newId = line.slice('+CONTINUE'.length).trim();
      this.log.notice('Successful partial resynchronization with master.');
      if (newId !== '' && newId !== repl.replid) {
        repl.replid2 = repl.replid;
        repl.secondReplOffset = repl.offset + 1;
        repl.replid = newId;
        this.log.notice(`Master replication ID changed to ${newId}`);
        // Our own replicas must learn the new ID: they reconnect and continue partially.
        repl.master.disconnectAll();
      }
      repl.createBacklog();
      this.log.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      this.becomeConnected(this.masterDb);
      repl.failover.linkUp();
      return;
    }
    if (line.startsWith('-NOMASTERLINK') || line.startsWith('-LOADING')) {
      this.fail(`Master is currently unable to PSYNC but should be in the future: ${line}`);
      return;
    }
    this.fail(`Unexpected reply to PSYNC from master: ${line}`);
    repl.failover.refused(line);
  }

  // -------------------------------------------------------------------------------------------
  // The RDB transfer
  // -------------------------------------------------------------------------------------------

  private readTransfer(): void {
    const t = this.transfer!;
    t.lastIo = this.server.clock.now();
    if (!t.headerSeen) {
      for (;;) {
        const line = this.readLine();
        if (line === null) return;
        if (line === '') continue;
        if (!line.startsWith('$')) {
          this.fail(`Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`);
          return;
        }
        t.headerSeen = true;
        if (line.startsWith('$EOF:') && line.length === 5 + EOF_MARK_LEN) t.eofMark = line.slice(5);
        else t.size = Number(line.slice(1));
        if (!this.startReceiving(t)) return;
        break;
      }
    }
    const data = this.inbuf;
    this.inbuf = Buffer.alloc(0);
    try {
      if (t.size >= 0) {
        const want = t.size - t.read;
        const take = data.subarray(0, want);
        t.receiver!.push(take);
        t.read += take.length;
        if (t.read === t.size) this.finishTransfer(data.subarray(want));
        return;
      }
      t.read += data.length;
      // Everything but the last 40 bytes goes to the receiver: only those can be the mark.
      const held = t.tail.length + data.length > EOF_MARK_LEN && data.length < EOF_MARK_LEN ? Buffer.concat([t.tail, data]) : null;
      if (held !== null) {
        t.receiver!.push(held.subarray(0, held.length - EOF_MARK_LEN));
        t.tail = held.subarray(held.length - EOF_MARK_LEN);
      } else if (data.length >= EOF_MARK_LEN) {
        t.receiver!.push(t.tail);
        t.receiver!.push(data.subarray(0, data.length - EOF_MARK_LEN));
        t.tail = data.subarray(data.length - EOF_MARK_LEN);
      } else {
        t.tail = Buffer.concat([t.tail, data]);
      }
      if (t.tail.length === EOF_MARK_LEN && t.tail.latin1Slice(0, EOF_MARK_LEN) === t.eofMark) this.finishTransfer(Buffer.alloc(0));
    } catch (e) {
      if (this.transfer === t) this.fail(`Failed trying to load the MASTER synchronization DB from ${t.diskWording ? 'disk' : 'socket'}: ${(e as Error).message}`);
      else throw e;
    }
  }

  /**
   * The `$` line arrived: picks where the payload goes (see rdb-payload.ts for the modes) and
   * logs Redis's lines for it. False when the temp file cannot be created (the attempt failed).
   */
  private startReceiving(t: Transfer): boolean {
    const mode = this.server.config.str('repl-diskless-load');
    const empty = this.server.keyspace.totalKeys() === 0;
    // Whether Redis parses straight from the socket (swapdb, or on-empty-db with no keys).
    const diskless = mode === 'swapdb' || (mode === 'on-empty-db' && empty);
    const target = diskless ? 'to parser' : 'to disk';
    if (t.size < 0) this.log.notice(`MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF ${target}`);
    else this.log.notice(`MASTER <-> REPLICA sync: receiving ${t.size} bytes from master ${target}`);
    t.swapdb = mode === 'swapdb';
    t.diskWording = !diskless;
    if (t.discardedCachedMaster && !t.swapdb) this.log.notice('Discarding previously cached master state.');
    if (diskless) {
      if (!t.swapdb) this.log.notice('MASTER <-> REPLICA sync: Flushing old data');
      this.log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
      t.receiver = new StreamLoad(this.server, { blocking: true, deferLogs: false, totalBytes: Math.max(t.size, 0) });
      return true;
    }
    if (empty) {
      t.receiver = new StreamLoad(this.server, { blocking: false, deferLogs: true, totalBytes: Math.max(t.size, 0) });
      return true;
    }
    try {
      t.receiver = new SpoolToDisk(this.server);
    } catch (e) {
      this.fail(`Opening the temp file needed for MASTER <-> REPLICA synchronization: ${(e as Error).message}`);
      return false;
    }
    return true;
  }

  /** The whole payload arrived: load what is left and install it, then start streaming. */
  private finishTransfer(rest: Buffer): void {
    const t = this.transfer!;
    const repl = this.repl;
    const log = this.log;
    if (t.diskWording) {
      log.notice('MASTER <-> REPLICA sync: Flushing old data');
      log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
    }
    // Our replicas followed our old history: they must resync from the new one.
    repl.master.disconnectAll();
    t.receiver!.finish();
    this.transfer = null;
    if (t.swapdb) {
      if (t.discardedCachedMaster) log.notice('Discarding previously cached master state.');
      log.notice('MASTER <-> REPLICA sync: Swapping active DB with loaded DB');
      log.notice('MASTER <-> REPLICA sync: Discarding old DB in background');
    }
    repl.replid = t.masterReplid;
    repl.clearReplid2();
    repl.resetStream(t.masterOffset);
    log.notice('MASTER <-> REPLICA sync: Finished with success');
    this.becomeConnected(0);
    // The first ACK also tells a diskless master that it may start the stream.
    this.sendAck();
    if (rest.length > 0) this.applyStream(rest);
  }

  private becomeConnected(db: number): void {
    const server = this.server;
    const c = server.createClient(this.socket);
    c.role = 'master';
    // As in Redis, the master link runs as the superuser: no ACL applies to its stream.
    c.setAuthenticated(SUPERUSER);
    c.db = server.keyspace.dbs[db] ?? server.keyspace.dbs[0];
    this.client = c;
    this.readOffsetValue = this.repl.offset;
    this.unapplied = [];
    this.downSince = 0;
    this.lastAck = server.clock.now();
    this.setState(LinkState.Connected);
  }

  /** master_sync_* fields while the RDB is being received. */
  transferInfo(now: number): string[] {
    const t = this.transfer;
    if (t === null) return [];
    const total = t.size >= 0 ? t.size : -1;
    return [
      `master_sync_total_bytes:${total}`,
      `master_sync_read_bytes:${t.read}`,
      `master_sync_left_bytes:${total >= 0 ? total - t.read : -1}`,
      `master_sync_perc:${total > 0 ? ((t.read * 100) / total).toFixed(2) : '0.00'}`,
      `master_sync_last_io_seconds_ago:${Math.floor((now - t.lastIo) / 1000)}`,
    ];
  }

  // -------------------------------------------------------------------------------------------
  // The command stream
  // -------------------------------------------------------------------------------------------

  private applyStream(chunk: Buffer): void {
    const c = this.client;
    if (c === null) return;
    const server = this.server;
    this.readOffsetValue += chunk.length;
    this.unapplied.push(chunk);
    c.parser.feed(chunk);
    c.lastInteraction = this.lastIo;
    const ks = server.keyspace;
    // Applied bytes are relayed once per chunk rather than per command (one feed entry, one
    // backlog copy). Our offset must be exact only where something reads it: the ACK that
    // REPLCONF GETACK sends, so the bytes before a REPLCONF are relayed first.
    let applied = 0;
    // One run of commands (dispatch.ts): one clock read per applied command.
    beginCommandRun();
    try {
      while (this.client === c && !c.closed) {
        let argv: string[] | null;
        try {
          argv = c.parser.next();
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
          if (applied > 0) this.relayApplied(applied);
          this.log.warning(`Protocol error (${e.message}) from client: id=${c.id} addr=${c.addr} (master)`);
          server.closeClient(c);
          return;
        }
        applied += c.parser.skippedBytes;
        if (argv === null) break;
        if (applied > 0 && argv[0].length === 8 && argv[0].toLowerCase() === 'replconf') {
          this.relayApplied(applied);
          applied = 0;
        }
        ks.expiryMode = 'ignore';
        try {
          processCommand(server, c, argv, c.parser.lastCommandBytes);
        } finally {
          ks.expiryMode = 'hide';
        }
        applied += c.parser.lastCommandBytes;
      }
    } finally {
      endCommandRun();
    }
    // The master gets no replies: what its commands produced is dropped once per read, not per
    // command (a discard per command was an empty array per write, 5% of the replica's
    // allocation under a SET load). Nothing flushes the master client meanwhile.
    c.reply.discard();
    if (applied > 0 && this.client === c) this.relayApplied(applied);
  }

  /** Moves the first `n` unapplied bytes into our feed, exactly as the master sent them. */
  private relayApplied(n: number): void {
    const feed = this.server.feed;
    while (n > 0) {
      const head = this.unapplied[0];
      const transient = head.buffer === SHARED_READ_MEMORY;
      if (head.length <= n) {
        this.unapplied.shift();
        feed.relay(head, transient);
        n -= head.length;
      } else {
        feed.relay(head.subarray(0, n), transient);
        this.unapplied[0] = head.subarray(n);
        n = 0;
      }
    }
  }

  /** REPLCONF ACK <applied offset>; also the answer to REPLCONF GETACK. */
  sendAck(): void {
    if (this.socket === null) return;
    this.lastAck = this.server.clock.now();
    this.send(['REPLCONF', 'ACK', String(this.repl.offset)]);
  }

  // -------------------------------------------------------------------------------------------
  // Cron: reconnects, timeouts, ACKs
  // -------------------------------------------------------------------------------------------

  cron(now: number): void {
    if (this.stopped) return;
    const timeoutMs = this.server.config.int('repl-timeout') * 1000;
    switch (this.state) {
      case LinkState.Connect:
        if (now - this.lastAttempt >= RECONNECT_MS) {
          this.log.notice(`Connecting to MASTER ${this.host}:${this.port}`);
          this.connect();
        }
        return;
      case LinkState.Connected:
        if (now - this.lastIo > timeoutMs) {
          this.log.warning('MASTER timeout: no data nor PING received...');
          const c = this.client;
          if (c !== null) this.server.closeClient(c);
          return;
        }
        if (now - this.lastAck >= 1000) this.sendAck();
        return;
      case LinkState.Transfer:
        if (now - this.transfer!.lastIo > timeoutMs) {
          this.fail("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
        }
        return;
      default:
        if (now - this.stateSince > timeoutMs) this.fail('Timeout connecting to the MASTER...');
    }
  }
}
