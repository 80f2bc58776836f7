// One outgoing connection from Sentinel to a server it watches (or to another sentinel): sends
// commands and hands each reply to the callback queued with it, in order; in pub/sub mode it
// hands messages to `onMessage`. On connect it authenticates (auth-user/auth-pass) and names
// itself `sentinel-<id>-cmd` / `-pubsub`, as Redis Sentinel does, so CLIENT LIST shows who it is.
//
// A link never throws on I/O: it reports `connected === false` and the owner reconnects it.

import * as net from 'node:net';
import { PlainReply, plainReply, ReplyError, ReplyReader } from '../protocol/reply-reader';
import { encodeCommand } from '../protocol/encode-command';

export type ReplyCallback = (reply: PlainReply) => void;

export interface LinkOptions {
  host: string;
  port: number;
  clientName: string;
  authUser?: string;
  authPass?: string;
  /** Pub/sub message handler: (channel, message). Setting it makes this a pub/sub link. */
  onMessage?: (channel: string, message: string) => void;
  onClose?: () => void;
}

export class InstanceLink {
  connected = false;
  /** Commands sent whose replies have not arrived (link-pending-commands). */
  private callbacks: Array<ReplyCallback | null> = [];
  private socket: net.Socket | null = null;
  private parser = new ReplyReader();
  readonly createdAt = Date.now();

  constructor(private readonly opts: LinkOptions) {}

  get pendingCommands(): number {
    return this.callbacks.length;
  }

  /** Starts connecting; commands sent meanwhile are queued by the socket. */
  connect(): void {
    const s = net.connect({ host: this.opts.host, port: this.opts.port });
    this.socket = s;
    s.setNoDelay(true);
    s.on('connect', () => {
      this.connected = true;
    });
    s.on('data', (d) => this.onData(d));
    s.on('error', () => this.close());
    s.on('close', () => this.close());
    if (this.opts.authPass) {
      const auth = this.opts.authUser ? ['AUTH', this.opts.authUser, this.opts.authPass] : ['AUTH', this.opts.authPass];
      this.send(auth);
    }
    this.send(['CLIENT', 'SETNAME', this.opts.clientName]);
  }

  /** Sends a command; `cb` gets its reply (an error reply is a ReplyError value). */
  send(argv: string[], cb: ReplyCallback | null = null): void {
    if (this.socket === null || this.socket.destroyed) {
      if (cb) cb(new ReplyError('ERR link is down'));
      return;
    }
    this.callbacks.push(cb);
    this.socket.write(encodeCommand(argv));
  }

  private onData(d: Buffer): void {
    this.parser.feed(d);
    for (;;) {
      let reply: PlainReply;
      try {
        const r = this.parser.next();
        if (r === null) return;
        reply = plainReply(r);
      } catch {
        // Not RESP: drop the link; the owner reconnects.
        this.close();
        return;
      }
      if (this.opts.onMessage && Array.isArray(reply) && reply[0] === 'message' && reply.length === 3) {
        this.opts.onMessage(String(reply[1]), String(reply[2]));
        continue;
      }
      const cb = this.callbacks.shift();
      if (cb) cb(reply);
    }
  }

  /** Closes the link; pending callbacks get an error reply. Safe to call twice. */
  close(): void {
    const wasOpen = this.socket !== null;
    this.connected = false;
    if (this.socket) this.socket.destroy();
    this.socket = null;
    const pending = this.callbacks;
    this.callbacks = [];
    for (const cb of pending) if (cb) cb(new ReplyError('ERR link closed'));
    if (wasOpen && this.opts.onClose) this.opts.onClose();
  }
}
