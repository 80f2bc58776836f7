// tandem-cli's connection to the server: sends one command at a time and reads its reply. Replies
// that arrive with nobody waiting (pub/sub messages, MONITOR lines, RESP3 pushes) go to
// `onUnsolicited`, so the caller can print them as they come.

import * as net from 'node:net';
import { Reply, ReplyReader } from '../protocol/reply-reader';
import { encodeCommand } from '../protocol/encode-command';

export class CliConnection {
  private readonly reader = new ReplyReader();
  private waiter: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;
  closed = false;
  onUnsolicited: ((r: Reply) => void) | null = null;
  onClose: (() => void) | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.reader.feed(chunk);
      this.drain();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.reject(new Error('Server closed the connection'));
      this.waiter = null;
      this.onClose?.();
    });
    socket.on('error', () => undefined);
  }

  /** Connects; rejects with the reason as redis-cli words it ("Connection refused"). */
  static connect(host: string, port: number): Promise<CliConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.setNoDelay(true);
      socket.once('connect', () => resolve(new CliConnection(socket)));
      socket.once('error', (e: NodeJS.ErrnoException) => reject(new Error(describeConnectError(e))));
    });
  }

  private drain(): void {
    for (;;) {
      let r: Reply | null;
      try {
        r = this.reader.next();
      } catch (e) {
        this.waiter?.reject(e as Error);
        this.waiter = null;
        this.socket.destroy();
        return;
      }
      if (r === null) return;
      if (this.waiter !== null) {
        const w = this.waiter;
        this.waiter = null;
        w.resolve(r);
      } else {
        this.onUnsolicited?.(r);
      }
    }
  }

  /** Sends a command and resolves with its reply. */
  call(argv: string[]): Promise<Reply> {
    if (this.closed) return Promise.reject(new Error('Server closed the connection'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.socket.write(encodeCommand(argv));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

function describeConnectError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'Connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'Name or service not known';
    case 'ETIMEDOUT':
      return 'Connection timed out';
    case 'EHOSTUNREACH':
      return 'No route to host';
    default:
      return e.message;
  }
}
