// One connection and everything Redis keeps per client: its parser and reply buffer, selected
// database, authenticated user, name, protocol version, and the role flags (the link to our
// master is an ordinary client with role 'master'; a replica attached to us has role 'replica').
//
// The client does no I/O policy of its own: the server feeds it bytes, runs its commands and
// flushes its replies once per event-loop turn.

import type * as net from 'node:net';
import { RespParser } from '../protocol/resp-parser';
import { ReplyBuffer } from '../protocol/reply-buffer';
import type { Database } from '../keyspace/keyspace';
import type { CommandSpec } from '../commands/command';
import type { Server } from './server';
import type { DirectWriter } from './direct-io';

export type ClientRole = 'normal' | 'master' | 'replica' | 'monitor' | 'pubsub';

export class Client {
  readonly parser: RespParser;
  readonly reply = new ReplyBuffer();
  db: Database;
  name = '';
  user = 'default';
  authenticated: boolean;
  role: ClientRole = 'normal';
  /** CLIENT REPLY: 'on', 'off', or 'skip' (drop the next command's reply). */
  replyMode: 'on' | 'off' | 'skip' = 'on';
  /** Set by CLIENT REPLY SKIP for the command after it. */
  skipNextReply = false;
  /** Close once pending replies are written (QUIT, protocol errors). */
  closeAfterReply = false;
  closed = false;
  /** A blocked client (BLPOP, WAIT, CLIENT PAUSE) runs no further commands until released. */
  blocked = false;
  /** Set when the client is waiting for a CLIENT PAUSE to end. */
  paused = false;
  /** No eviction / no touch flags (CLIENT NO-EVICT / NO-TOUCH). */
  noEvict = false;
  readonly createdAt: number;
  lastInteraction: number;
  /** Last command run (CLIENT LIST cmd=). */
  lastCommand = 'NULL';
  /** The command being run and, when a handler rewrites what is propagated, the rewritten argv. */
  currentCommand: CommandSpec | null = null;
  propagateArgv: string[] | null = null;
  /** The replication offset right after this client's last propagated write (what WAIT waits for). */
  woff = 0;
  /** Extra state owned by other modules (transactions, pub/sub, replication link, blocking). */
  readonly ext: Record<string, unknown> = {};
  readonly addr: string;
  readonly laddr: string;
  /** Writes replies straight to the socket's handle (plain connections, see direct-io.ts), or null: socket.write(). */
  writer: DirectWriter | null = null;

  constructor(
    readonly server: Server,
    readonly id: number,
    readonly socket: net.Socket | null,
    db: Database,
    requiresAuth: boolean,
    maxBulkLen: number,
    now: number,
  ) {
    this.db = db;
    this.authenticated = !requiresAuth;
    this.parser = new RespParser({ maxBulkLen });
    this.parser.authenticated = this.authenticated;
    this.createdAt = now;
    this.lastInteraction = now;
    if (socket) {
      this.addr = formatAddr(socket.remoteAddress, socket.remotePort, socket);
      this.laddr = formatAddr(socket.localAddress, socket.localPort, socket);
    } else {
      this.addr = '';
      this.laddr = '';
    }
  }

  /** Replies handed to the socket and not yet taken by the kernel (CLIENT LIST omem, output buffer limits). */
  get queuedOutputBytes(): number {
    if (this.socket === null) return 0;
    return this.writer === null ? this.socket.writableLength : this.socket.writableLength + this.writer.queuedBytes;
  }

  get resp(): 2 | 3 {
    return this.reply.resp;
  }

  setAuthenticated(user: string): void {
    this.user = user;
    this.authenticated = true;
    this.parser.authenticated = true;
  }
}

function formatAddr(host: string | undefined, port: number | undefined, socket: net.Socket): string {
  if (host === undefined) {
    // A unix socket connection: Redis prints the socket path.
    const path = (socket as unknown as { server?: { address(): unknown } }).server?.address();
    return typeof path === 'string' ? `${path}:0` : '/unixsocket:0';
  }
  const h = host.startsWith('::ffff:') ? host.slice(7) : host;
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
}
