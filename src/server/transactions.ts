// Transactions: MULTI's command queue and WATCH's optimistic locks, as in Redis 7.0 (multi.c).
//
// A client in MULTI has its commands queued by a gate queuer after they passed every check; a
// command refused while queuing (unknown, wrong arity, a gate's refusal) marks the transaction
// so that EXEC answers EXECABORT. At EXEC the queue passes the gates again (the server may have
// become a read-only replica meanwhile: EXECABORT with the reason), except that a command the
// user's changed ACL rules refuse fails alone, as in Redis. EXEC runs the queue through
// dispatch.call() and holds the replication feed, so what the queue wrote reaches replicas and
// the AOF as one MULTI ... EXEC block (a lone write goes out bare, as Redis 7.0 propagates it).
//
// WATCH registers keys per database; the keyspace listeners mark every client watching a key
// "dirty" when it changes (writes, expiry, FLUSHDB/FLUSHALL, SWAPDB), and EXEC of a dirty
// transaction answers a null array.

import type { Server } from './server';
import type { Client } from './client';
import type { CommandSpec } from '../commands/command';
import type { Database } from '../keyspace/keyspace';
import { call } from './dispatch';
import { clientListContributors } from '../commands/client';

interface QueuedCommand {
  spec: CommandSpec;
  argv: string[];
  fullName: string;
}

interface MultiState {
  queue: QueuedCommand[];
  /** A command was refused while queuing: EXEC must answer EXECABORT. */
  aborted: boolean;
}

interface WatchedKey {
  db: Database;
  key: string;
  /** The key was already logically expired when WATCH ran (Redis's wk->expired). */
  expiredAtWatch: boolean;
  /**
   * The key existed when WATCH ran. Any later change to it dirties the watcher, so while the
   * watcher is clean this is also whether the key exists just before a FLUSHDB or SWAPDB.
   */
  existed: boolean;
}

interface WatchState {
  keys: WatchedKey[];
  /** A watched key changed: EXEC must answer a null array. */
  dirty: boolean;
}

/** Commands a client in MULTI runs at once instead of queuing (Redis's processCommand list). */
const NOT_QUEUED = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

const ERR_EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';

/** Redis's reasons in the error of a queued command that ACL rules no longer allow. */
const ACL_CHANGED_REASONS = {
  command: 'no permission to execute the command or subcommand',
  key: 'no permission to touch the specified keys',
  channel: 'no permission to access one of the channels used as arguments',
} as const;

export class Transactions {
  /** Per database: watched key -> clients watching it. */
  private readonly watchers = new Map<Database, Map<string, Set<Client>>>();
  private watchedKeyCount = 0;
  /** True while EXEC runs its queue (blocking commands then behave as non-blocking). */
  executing = false;

  constructor(private readonly server: Server) {}

  // ---------------------------------------------------------------------------------------------
  // MULTI state
  // ---------------------------------------------------------------------------------------------

  inMulti(c: Client): boolean {
    return c.ext.multi !== undefined;
  }

  /** Number of queued commands, or -1 outside MULTI (CLIENT LIST multi=). */
  queueLength(c: Client): number {
    const m = c.ext.multi as MultiState | undefined;
    return m === undefined ? -1 : m.queue.length;
  }

  begin(c: Client): void {
    c.ext.multi = { queue: [], aborted: false } satisfies MultiState;
  }

  /** The gate queuer: takes every command of a client in MULTI except the few that run at once. */
  queue(c: Client, spec: CommandSpec, argv: string[], fullName: string): boolean {
    const m = c.ext.multi as MultiState | undefined;
    if (m === undefined || NOT_QUEUED.has(fullName)) return false;
    // No use keeping commands of a transaction that can only fail (Redis does the same).
    if (!m.aborted && !this.isWatchDirty(c)) m.queue.push({ spec, argv, fullName });
    c.reply.simple('QUEUED');
    return true;
  }

  /** A command was refused: a transaction being queued is now doomed to EXECABORT. */
  flagRejected(c: Client): void {
    const m = c.ext.multi as MultiState | undefined;
    if (m !== undefined) m.aborted = true;
  }

  /** Drops the queue and the watched keys (DISCARD, EXEC, RESET, disconnect). */
  discard(c: Client): void {
    delete c.ext.multi;
    this.unwatchAll(c);
  }

  /** EXEC: runs the queue, or answers EXECABORT / a null array. */
  exec(c: Client): void {
    const m = c.ext.multi as MultiState;
    if (m.aborted) {
      this.discard(c);
      c.reply.error(ERR_EXECABORT);
      return;
    }
    if (this.isWatchDirty(c) || this.watchedKeyExpired(c)) {
      this.discard(c);
      c.reply.nullArray();
      return;
    }
    // The server may have changed since the commands were queued (turned read-only replica,
    // reached maxmemory, ...): Redis then refuses EXEC as a whole with the reason. Changed ACL
    // rules are different: only the commands no longer allowed fail, each with its own error.
    for (const q of m.queue) {
      const refusal = this.server.gates.check(c, q.spec, q.argv, q.fullName);
      if (refusal !== null && this.aclDenial(c, q) === null) {
        this.discard(c);
        c.reply.error(`EXECABORT Transaction discarded because of: ${refusal}`);
        return;
      }
    }
    // Unwatch first, as Redis does: the queue's own writes must not dirty anything. The MULTI
    // state stays until the queue has run, so commands see they run inside a transaction.
    this.unwatchAll(c);
    const server = this.server;
    c.reply.arrayHeader(m.queue.length);
    this.executing = true;
    server.feed.hold();
    try {
      for (const q of m.queue) {
        const denial = this.aclDenial(c, q);
        if (denial === null) call(server, c, q.spec, q.argv, q.fullName);
        else c.reply.error(`NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${ACL_CHANGED_REASONS[denial]}`);
      }
    } finally {
      this.executing = false;
      delete c.ext.multi;
      server.feed.releaseHeld();
    }
  }

  /** Why the client's user may no longer run a queued command, or null if it may. */
  private aclDenial(c: Client, q: QueuedCommand): keyof typeof ACL_CHANGED_REASONS | null {
    if (q.spec.flags.includes('no_auth')) return null;
    const user = this.server.acl.users.get(c.user);
    if (user === undefined || (user.root.allCommands && user.root.allKeys && user.root.allChannels)) return null;
    return this.server.acl.permission(user, q.spec, q.argv, q.fullName)?.reason ?? null;
  }

  // ---------------------------------------------------------------------------------------------
  // WATCH
  // ---------------------------------------------------------------------------------------------

  watch(c: Client, keys: readonly string[]): void {
    let w = c.ext.watch as WatchState | undefined;
    if (w === undefined) {
      w = { keys: [], dirty: false };
      c.ext.watch = w;
    }
    // No point watching more once the transaction is doomed (Redis answers OK and skips it).
    if (w.dirty) return;
    const db = c.db;
    let byKey = this.watchers.get(db);
    if (byKey === undefined) {
      byKey = new Map();
      this.watchers.set(db, byKey);
    }
    for (const key of keys) {
      let clients = byKey.get(key);
      if (clients === undefined) {
        clients = new Set();
        byKey.set(key, clients);
      } else if (clients.has(c)) {
        continue;
      }
      clients.add(c);
      this.watchedKeyCount++;
      w.keys.push({ db, key, expiredAtWatch: this.server.keyspace.isLogicallyExpired(db, key), existed: db.dict.has(key) });
    }
  }

  unwatchAll(c: Client): void {
    const w = c.ext.watch as WatchState | undefined;
    if (w === undefined) return;
    delete c.ext.watch;
    for (const { db, key } of w.keys) {
      const byKey = this.watchers.get(db);
      const clients = byKey?.get(key);
      if (clients === undefined) continue;
      clients.delete(c);
      this.watchedKeyCount--;
      if (clients.size === 0) byKey!.delete(key);
    }
  }

  isWatchDirty(c: Client): boolean {
    return (c.ext.watch as WatchState | undefined)?.dirty === true;
  }

  /** A watched key that was alive at WATCH time has since expired (even if not yet deleted). */
  private watchedKeyExpired(c: Client): boolean {
    const w = c.ext.watch as WatchState | undefined;
    if (w === undefined) return false;
    const ks = this.server.keyspace;
    return w.keys.some((k) => !k.expiredAtWatch && ks.isLogicallyExpired(k.db, k.key));
  }

  /** keyModified listener: dirties every client watching the key. */
  keyModified(db: Database, key: string): void {
    if (this.watchedKeyCount === 0) return;
    const clients = this.watchers.get(db)?.get(key);
    if (clients === undefined) return;
    for (const c of [...clients]) this.touch(c, db, key);
  }

  /**
   * dbReplaced listener (FLUSHDB, FLUSHALL, SWAPDB), called once the contents changed. As in
   * Redis, a watched key counts as touched only if it existed before or exists now.
   */
  dbReplaced(db: Database): void {
    if (this.watchedKeyCount === 0) return;
    const byKey = this.watchers.get(db);
    if (byKey === undefined) return;
    for (const [key, clients] of [...byKey]) {
      for (const c of [...clients]) {
        const wk = watchedKey(c, db, key);
        if (wk.existed || db.dict.has(key)) this.touch(c, db, key);
      }
    }
  }

  private touch(c: Client, db: Database, key: string): void {
    const wk = watchedKey(c, db, key);
    if (wk.expiredAtWatch && !db.dict.has(key)) {
      // The key was already expired at WATCH time and is now deleted: logically no change.
      wk.expiredAtWatch = false;
      wk.existed = false;
      return;
    }
    this.markDirty(c);
  }

  private markDirty(c: Client): void {
    // Once dirty the keys no longer matter: release them early, as Redis does.
    this.unwatchAll(c);
    c.ext.watch = { keys: [], dirty: true } satisfies WatchState;
  }
}

function watchedKey(c: Client, db: Database, key: string): WatchedKey {
  return (c.ext.watch as WatchState).keys.find((k) => k.db === db && k.key === key)!;
}

const modules = new WeakMap<Server, Transactions>();

/** The transactions module of a server (installed by setupTransactions). */
export function transactionsOf(server: Server): Transactions {
  const t = modules.get(server);
  if (t === undefined) throw new Error('transactions module not installed');
  return t;
}

/**
 * Creates the module and wires it: the queuer, the EXECABORT rejection hook, the no_multi check
 * (returned so setup.ts can place it in Redis's check order), keyspace listeners and cleanup.
 */
export function setupTransactions(server: Server): { noMultiCheck: (c: Client, spec: CommandSpec) => string | null } {
  const t = new Transactions(server);
  modules.set(server, t);
  server.gates.addQueuer((c, spec, argv, fullName) => t.queue(c, spec, argv, fullName));
  server.gates.onRejection((c) => t.flagRejected(c));
  server.addKeyspaceListener({
    keyModified: (db, key) => t.keyModified(db, key),
    keyExpired: () => undefined,
    dbReplaced: (db) => t.dbReplaced(db),
  });
  server.hooks.clientReset.push((c) => t.discard(c));
  server.hooks.clientClosed.push((c) => t.discard(c));
  clientListContributors.push((c) => {
    const multi = t.queueLength(c);
    const flags = (multi >= 0 ? 'x' : '') + (t.isWatchDirty(c) ? 'd' : '');
    return multi < 0 && flags === '' ? null : { multi, flags };
  });
  return {
    noMultiCheck: (c, spec) => (t.inMulti(c) && spec.flags.includes('no_multi') ? 'ERR Command not allowed inside a transaction' : null),
  };
}
