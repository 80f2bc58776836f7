// One tandem-cli session: the connection with its handshake (AUTH, SELECT, HELLO 3, each failure
// reported the way redis-cli reports it), the state the prompt shows (database, MULTI), and
// running one command with its reply printed. Commands that turn the connection into a stream
// (SUBSCRIBE, MONITOR) keep printing what arrives until the process is interrupted. `help` is
// answered here, from the server's COMMAND DOCS, as redis-cli does.

import { CliConnection } from './connection';
import { formatReply, OutputMode } from './format';
import { GENERAL_HELP, HelpEntry, helpEntries, helpText } from './help';
import { CliOptions } from './options';
import { Reply } from '../protocol/reply-reader';

/** Commands whose reply redis-cli prints unformatted even on a terminal (they are text reports). */
function isTextReport(argv: string[]): boolean {
  const cmd = argv[0].toLowerCase();
  const sub = argv.length >= 2 ? argv[1].toLowerCase() : '';
  switch (cmd) {
    case 'info':
    case 'lolwut':
      return true;
    case 'client':
      return sub === 'list' || sub === 'info';
    case 'memory':
      return sub === 'malloc-stats' || sub === 'doctor';
    case 'latency':
      return (argv.length === 2 && sub === 'doctor') || (argv.length === 3 && sub === 'graph');
    case 'cluster':
      return argv.length === 2 && (sub === 'nodes' || sub === 'info');
    case 'debug':
      return sub === 'htstats' || sub === 'htstats-key' || sub === 'client-eviction';
    default:
      return false;
  }
}

const STREAMING_COMMANDS = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'monitor']);

export interface Output {
  out(s: string): void;
  err(s: string): void;
}

export class CliSession {
  conn: CliConnection | null = null;
  db = 0;
  inMulti = false;
  /** `help` entries, fetched with COMMAND DOCS on first use. */
  private help: HelpEntry[] | null = null;

  constructor(readonly opts: CliOptions, readonly mode: OutputMode, private readonly io: Output) {}

  /** Connects and performs the handshake. Returns false (after saying why) when it cannot connect. */
  async connect(): Promise<boolean> {
    const { host, port } = this.opts;
    try {
      this.conn = await CliConnection.connect(host, port);
    } catch (e) {
      this.io.err(`Could not connect to Redis at ${host}:${port}: ${(e as Error).message}\n`);
      this.conn = null;
      return false;
    }
    this.db = 0;
    this.inMulti = false;
    const { user, password, db, resp3 } = this.opts;
    if (password !== null) {
      const r = await this.conn.call(user !== null ? ['AUTH', user, password] : ['AUTH', password]);
      if (r.kind === 'error') this.io.err(`AUTH failed: ${r.text}\n`);
    }
    if (db !== 0) {
      const r = await this.conn.call(['SELECT', String(db)]);
      if (r.kind === 'error') this.io.err(`SELECT ${db} failed: ${r.text}\n`);
      else this.db = db;
    }
    if (resp3) {
      const r = await this.conn.call(['HELLO', '3']);
      if (r.kind === 'error') this.io.err(`HELLO 3 failed: ${r.text}\n`);
    }
    return true;
  }

  get connected(): boolean {
    return this.conn !== null && !this.conn.closed;
  }

  /** `127.0.0.1:6379[2](TX)> `, or `not connected> `. */
  prompt(): string {
    if (!this.connected) return 'not connected> ';
    const { host, port } = this.opts;
    const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    return `${addr}${this.db !== 0 ? `[${this.db}]` : ''}${this.inMulti ? '(TX)' : ''}> `;
  }

  /**
   * Sends one command and prints its reply; reconnects first if the connection was lost.
   * Resolves false when the server cannot be reached. Streaming commands never resolve.
   */
  async run(argv: string[]): Promise<boolean> {
    const cmd = argv[0].toLowerCase();
    if ((cmd === 'help' || cmd === '?') && argv.length === 1) {
      this.io.out(GENERAL_HELP);
      return true;
    }
    if (!this.connected && !(await this.connect())) return false;
    const conn = this.conn as CliConnection;
    if (cmd === 'help' || cmd === '?') {
      this.io.out(helpText(await this.helpEntries(conn), argv.slice(1)));
      return true;
    }
    if (STREAMING_COMMANDS.has(cmd)) return this.stream(conn, argv);
    let reply: Reply;
    try {
      reply = await conn.call(argv);
    } catch (e) {
      this.io.err(`Error: ${(e as Error).message}\n`);
      return false;
    }
    this.track(argv, reply);
    this.print(reply, isTextReport(argv));
    return true;
  }

  private async helpEntries(conn: CliConnection): Promise<HelpEntry[]> {
    this.help ??= helpEntries(await conn.call(['COMMAND', 'DOCS']));
    return this.help;
  }

  /**
   * Tab completion, as redis-cli offers it: command names, and after `help ` also @groups.
   * Empty when not connected (the names come from the server).
   */
  async completions(line: string): Promise<string[]> {
    if (!this.connected) return [];
    const entries = await this.helpEntries(this.conn as CliConnection);
    const isHelp = /^help\s+/i.test(line);
    const head = isHelp ? (/^help\s+/i.exec(line) as RegExpExecArray)[0] : '';
    const typed = line.slice(head.length).toLowerCase();
    const names = entries.map((e) => e.words.join(' '));
    if (isHelp) names.push(...new Set(entries.map((e) => `@${e.group}`)));
    return names.filter((n) => n.toLowerCase().startsWith(typed)).map((n) => head + n);
  }

  /** Keeps the prompt's state in step with what the command did. */
  private track(argv: string[], reply: Reply): void {
    const cmd = argv[0].toLowerCase();
    if (reply.kind === 'error') return;
    if (cmd === 'select' && argv.length === 2) this.db = Number(argv[1]);
    else if (cmd === 'multi') this.inMulti = true;
    else if (cmd === 'exec' || cmd === 'discard' || cmd === 'reset') this.inMulti = false;
  }

  private print(reply: Reply, unformatted: boolean): void {
    this.io.out(unformatted ? formatReply(reply, 'raw').slice(0, -1) : formatReply(reply, this.mode));
  }

  private stream(conn: CliConnection, argv: string[]): Promise<boolean> {
    const isMonitor = argv[0].toLowerCase() === 'monitor';
    if (!isMonitor && this.mode !== 'raw') this.io.out('Reading messages... (press Ctrl-C to quit)\n');
    conn.onUnsolicited = (r) => this.print(r, false);
    return new Promise((resolve) => {
      conn.onClose = () => {
        this.io.err('Error: Server closed the connection\n');
        resolve(false);
      };
      conn.call(argv).then((r) => this.print(r, false), () => undefined);
    });
  }
}
