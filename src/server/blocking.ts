// Blocked clients: BLPOP and friends (waiting for keys), and any other command that waits
// (WAIT). A blocked client runs nothing more from its pipeline until it is released; then the
// server resumes reading its input.
//
// Fairness is Redis's: per key, clients are served in the order they blocked. A key becomes
// "ready" when the keyspace reports it modified (a push, from a client, an EXEC, or a replica
// applying its master's stream); ready keys are served after the command that touched them has
// finished (after EXEC as a whole, never in the middle of a transaction), by retrying each
// waiting client's command. A served command propagates as the non-blocking command it became
// (BLPOP -> LPOP k, BLMOVE -> LMOVE, BZPOPMIN -> ZPOPMIN), which its retry sets in
// c.propagateArgv.
//
// Timeouts are per-client timers with millisecond precision. CLIENT UNBLOCK releases a client
// with its timeout reply or "-UNBLOCKED client unblocked via CLIENT UNBLOCK"; a master turning
// replica drops the clients blocked on keys, as Redis does.

import type { Server } from './server';
import { preserveKey } from '../persistence/snapshot';
import type { Client } from './client';
import type { Database } from '../keyspace/keyspace';
import { transactionsOf } from './transactions';
import { setUnblockHandler } from '../commands/client';

export interface BlockRequest {
  /** Keys of the client's database whose change may let the command complete (none for WAIT). */
  keys: readonly string[];
  /** Absolute deadline in ms since the epoch; 0 waits forever. */
  deadline: number;
  /**
   * Tries the command again on the key that changed (Redis serves from the key that became
   * ready, not the first listed): replies, sets c.propagateArgv to its effect and returns true,
   * or returns false (replying nothing) to keep waiting.
   */
  retry?: (c: Client, key: string) => boolean;
  /** Keys the retry writes besides `keys` (BLMOVE's destination). */
  alsoWrites?: readonly string[];
  /** Replies what the command answers when its time is up (also CLIENT UNBLOCK .. TIMEOUT). */
  onTimeout: (c: Client) => void;
}

interface BlockedState {
  req: BlockRequest;
  db: Database;
  timer: NodeJS.Timeout | null;
}

export class Blocking {
  /** Per database: key -> clients blocked on it, in blocking order. */
  private readonly waiters = new Map<Database, Map<string, Set<Client>>>();
  private readonly blocked = new Set<Client>();
  /** Keys changed since the last serve, in order, deduplicated per database. */
  private ready: Array<{ db: Database; key: string }> = [];
  private readonly readyIndex = new Map<Database, Set<string>>();
  private serving = false;
  /** The server's role when last looked at, to notice it turning into a replica. */
  private lastRole: Server['role'];

  constructor(private readonly server: Server) {
    this.lastRole = server.role;
  }

  /** Clients blocked with a deadline (INFO clients_in_timeout_table). */
  get withTimeout(): number {
    let n = 0;
    for (const c of this.blocked) if ((c.ext.blocking as BlockedState).req.deadline > 0) n++;
    return n;
  }

  /**
   * Whether a command may block now: not inside EXEC (blocking commands then answer as if they
   * timed out at once, as in Redis) and not for the master link (its stream never waits).
   */
  canBlock(c: Client): boolean {
    return !transactionsOf(this.server).executing && c.role !== 'master';
  }

  /** Blocks a client until released, served by `retry`, timed out, or unblocked. */
  block(c: Client, req: BlockRequest): void {
    const state: BlockedState = { req, db: c.db, timer: null };
    c.ext.blocking = state;
    c.blocked = true;
    this.blocked.add(c);
    let byKey = this.waiters.get(c.db);
    if (byKey === undefined && req.keys.length > 0) {
      byKey = new Map();
      this.waiters.set(c.db, byKey);
    }
    for (const key of req.keys) {
      let clients = byKey!.get(key);
      if (clients === undefined) {
        clients = new Set();
        byKey!.set(key, clients);
      }
      clients.add(c);
    }
    if (req.deadline > 0) {
      const delay = Math.max(0, req.deadline - Date.now());
      // Beyond setTimeout's range the wait is, in practice, forever.
      if (delay <= MAX_TIMER_DELAY) {
        state.timer = setTimeout(() => this.timeOut(c), delay);
        // The listeners keep the process alive; a wait alone must not (in-process servers).
        state.timer.unref();
      }
    }
    setUnblockHandler(c, (asError) => {
      if (asError) c.reply.error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
      else req.onTimeout(c);
      this.release(c);
    });
  }

  /** Ends a client's wait after its reply was written, and resumes its pipeline. */
  release(c: Client): void {
    if (!this.forget(c)) return;
    this.server.processInput(c);
  }

  private timeOut(c: Client): void {
    const state = c.ext.blocking as BlockedState | undefined;
    if (state === undefined) return;
    state.timer = null;
    state.req.onTimeout(c);
    this.release(c);
  }

  /** Drops a client from the waiting structures; false if it was not blocked here. */
  private forget(c: Client): boolean {
    const state = c.ext.blocking as BlockedState | undefined;
    if (state === undefined) return false;
    delete c.ext.blocking;
    c.blocked = false;
    this.blocked.delete(c);
    setUnblockHandler(c, null);
    if (state.timer !== null) clearTimeout(state.timer);
    const byKey = this.waiters.get(state.db);
    for (const key of state.req.keys) {
      const clients = byKey?.get(key);
      if (clients === undefined) continue;
      clients.delete(c);
      if (clients.size === 0) byKey!.delete(key);
    }
    return true;
  }

  clientClosed(c: Client): void {
    this.forget(c);
  }

  /** dbReplaced listener: after SWAPDB any waited key of the database may now hold data. */
  dbReplaced(db: Database): void {
    const byKey = this.waiters.get(db);
    if (byKey !== undefined) for (const key of byKey.keys()) this.keyModified(db, key);
  }

  /** keyModified listener: remembers keys someone is blocked on. */
  keyModified(db: Database, key: string): void {
    if (this.blocked.size === 0) return;
    if (this.waiters.get(db)?.has(key) !== true) return;
    let keys = this.readyIndex.get(db);
    if (keys === undefined) {
      keys = new Set();
      this.readyIndex.set(db, keys);
    }
    if (keys.has(key)) return;
    keys.add(key);
    this.ready.push({ db, key });
  }

  /**
   * After a command: when it turned this master into a replica, Redis drops every client blocked
   * on keys with an error (their wait belonged to the master's dataset; WAIT is answered by the
   * replication module instead).
   */
  afterCommand(): void {
    const role = this.server.role;
    if (role !== this.lastRole) {
      this.lastRole = role;
      if (role === 'slave') this.dropKeyWaiters();
    }
    this.serveReady();
  }

  private dropKeyWaiters(): void {
    for (const c of [...this.blocked]) {
      if ((c.ext.blocking as BlockedState).req.keys.length === 0) continue;
      this.forget(c);
      c.reply.error('UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)');
      c.closeAfterReply = true;
      this.server.scheduleFlush(c);
    }
  }

  /**
   * Serves clients blocked on keys that changed, first blocked first served, until no ready key
   * is left (a served BLMOVE may itself make another key ready).
   */
  private serveReady(): void {
    if (this.serving || this.ready.length === 0 || transactionsOf(this.server).executing) return;
    this.serving = true;
    const served: Client[] = [];
    try {
      while (this.ready.length > 0) {
        const batch = this.ready;
        this.ready = [];
        this.readyIndex.clear();
        for (const { db, key } of batch) {
          const clients = this.waiters.get(db)?.get(key);
          if (clients === undefined) continue;
          for (const c of [...clients]) {
            if (!db.dict.has(key)) break;
            if (this.retry(c, key)) served.push(c);
          }
        }
      }
    } finally {
      this.serving = false;
    }
    for (const c of served) this.server.processInput(c);
  }

  /** Retries one blocked client's command; on success propagates its effect and unblocks it. */
  private retry(c: Client, key: string): boolean {
    const state = c.ext.blocking as BlockedState;
    const server = this.server;
    server.keyspace.now = server.clock.now();
    const dirtyBefore = server.dirty;
    c.propagateArgv = null;
    // The retry writes outside any command handler: a running snapshot must save these keys'
    // values from before the write first (snapshot.ts guards handlers the same way).
    for (const k of state.req.keys) preserveKey(server, k);
    for (const k of state.req.alsoWrites ?? []) preserveKey(server, k);
    if (!state.req.retry!(c, key)) return false;
    if (server.dirty !== dirtyBefore && c.propagateArgv !== null) server.feed.propagate(c.db.id, c.propagateArgv);
    c.propagateArgv = null;
    this.forget(c);
    return true;
  }
}

/** setTimeout's longest delay (about 24.8 days). */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

const modules = new WeakMap<Server, Blocking>();

/** The blocking module of a server (installed by setupBlocking). */
export function blockingOf(server: Server): Blocking {
  const b = modules.get(server);
  if (b === undefined) throw new Error('blocking module not installed');
  return b;
}

/** Creates the module: keyspace listener, serving after each command, cleanup on disconnect. */
export function setupBlocking(server: Server): Blocking {
  const b = new Blocking(server);
  modules.set(server, b);
  server.addKeyspaceListener({
    keyModified: (db, key) => b.keyModified(db, key),
    keyExpired: () => undefined,
    dbReplaced: (db) => b.dbReplaced(db),
  });
  server.hooks.afterCommand.push(() => b.afterCommand());
  server.hooks.clientClosed.push((c) => b.clientClosed(c));
  return b;
}
