// Active expiry: Redis's activeExpireCycle (slow cycle), run from the server cron.
//
// Each tick walks the databases' expires tables with a cursor kept between ticks (Redis 6+ also
// scans `expires` with a persistent cursor rather than sampling at random). For each database it
// checks batches of keys_per_loop keys with a TTL, deletes the expired ones through
// keyspace.deleteExpired (so listeners propagate DEL and fire "expired"), and moves on once a batch
// finds no more than `acceptable_stale` percent expired. The whole tick stops when its time budget
// is spent: timelimit_percentage of the tick period (25% at hz 10, i.e. 25 ms) plus the effort
// adjustments of `active-expire-effort`, exactly Redis's formulas. A million keys expiring at
// once are therefore removed over several ticks without the event loop stalling for longer than
// one budget.
//
// The cursor is a live Map iterator: deletions and inserts while it is parked are safe, and a
// finished pass simply starts a new one. Only servers that delete expired keys run it (a replica
// waits for its master's DELs), and DEBUG SET-ACTIVE-EXPIRE 0 turns it off.

import type { Server } from '../server/server';
import type { Database, Keyspace } from './keyspace';

const KEYS_PER_LOOP = 20;
const ACCEPTABLE_STALE = 10;
const CYCLE_SLOW_TIME_PERC = 25;
/** Databases visited per cron tick (CRON_DBS_PER_CALL). */
const DBS_PER_CALL = 16;

export interface ExpireCycleStats {
  /** Keys deleted by the cycle (they also count in keyspace.expiredKeys). */
  expired: number;
  /** Ticks that stopped on their time budget (expired_time_cap_reached_count). */
  timeCapReached: number;
  /** Share of stale keys among those sampled, smoothed (expired_stale_perc). */
  stalePerc: number;
  /** Time spent in the cycle (expire_cycle_cpu_milliseconds). */
  cpuMs: number;
}

export class ExpireCycle {
  readonly stats: ExpireCycleStats = { expired: 0, timeCapReached: 0, stalePerc: 0, cpuMs: 0 };
  private readonly cursors = new WeakMap<Map<string, number>, Iterator<[string, number]>>();
  private nextDb = 0;

  constructor(
    private readonly keyspace: Keyspace,
    private readonly wallClock: () => number = () => Date.now(),
  ) {}

  /**
   * Runs one slow cycle. `effort` is active-expire-effort (1..10), `hz` the cron frequency; the
   * clock is injectable for tests. Returns the number of keys deleted.
   */
  run(effort: number, hz: number, clock: () => number = () => performance.now()): number {
    const ks = this.keyspace;
    if (ks.expiryMode !== 'delete') return 0;
    const e = Math.min(Math.max(effort, 1), 10) - 1;
    const keysPerLoop = KEYS_PER_LOOP + (KEYS_PER_LOOP / 4) * e;
    const acceptableStale = ACCEPTABLE_STALE - e;
    const budgetMs = (1000 * (CYCLE_SLOW_TIME_PERC + 2 * e)) / hz / 100;
    const start = clock();
    const dbCount = Math.min(ks.dbs.length, DBS_PER_CALL);
    let deleted = 0;
    let sampledTotal = 0;
    let expiredTotal = 0;
    let timedOut = false;
    for (let n = 0; n < dbCount && !timedOut; n++) {
      const db = ks.dbs[this.nextDb % ks.dbs.length];
      this.nextDb = (this.nextDb + 1) % ks.dbs.length;
      for (;;) {
        if (db.expires.size === 0) break;
        ks.now = this.wallClock();
        const { sampled, expired } = this.sampleBatch(db, keysPerLoop);
        sampledTotal += sampled;
        expiredTotal += expired;
        deleted += expired;
        if (clock() - start > budgetMs) {
          timedOut = true;
          break;
        }
        if (sampled === 0 || (expired * 100) / sampled <= acceptableStale) break;
      }
    }
    const elapsed = clock() - start;
    this.stats.cpuMs += elapsed;
    this.stats.expired += deleted;
    if (timedOut) this.stats.timeCapReached++;
    const current = sampledTotal > 0 ? expiredTotal / sampledTotal : 0;
    this.stats.stalePerc = current * 0.05 + this.stats.stalePerc * 0.95;
    return deleted;
  }

  /** Checks up to `count` keys with a TTL from the database's cursor; deletes the expired. */
  private sampleBatch(db: Database, count: number): { sampled: number; expired: number } {
    const ks = this.keyspace;
    let it = this.cursors.get(db.expires);
    let sampled = 0;
    let expired = 0;
    let restarts = 0;
    while (sampled < count) {
      if (it === undefined) {
        it = db.expires.entries();
        this.cursors.set(db.expires, it);
      }
      const r = it.next();
      if (r.done) {
        it = undefined;
        // One full pass per batch at most: a small table is not re-read in the same batch.
        if (++restarts > 1 || sampled >= db.expires.size) break;
        continue;
      }
      sampled++;
      const [key, when] = r.value;
      if (when <= ks.now) {
        ks.deleteExpired(db, key);
        expired++;
      }
    }
    if (it === undefined) this.cursors.delete(db.expires);
    return { sampled, expired };
  }
}

const cycles = new WeakMap<Server, ExpireCycle>();

/** The server's expire cycle (its stats feed INFO). */
export function expireCycleOf(server: Server): ExpireCycle | undefined {
  return cycles.get(server);
}

/**
 * Wires expiry into the server: every key the keyspace expires (lazily on access or from this
 * cycle) is propagated to replicas and the AOF as DEL (UNLINK with lazyfree-lazy-expire), as
 * Redis's propagateDeletion does; the cycle runs from the cron while DEBUG SET-ACTIVE-EXPIRE
 * leaves it on.
 */
export function setupActiveExpiry(server: Server): ExpireCycle {
  server.addKeyspaceListener({
    keyExpired: (db, key) => server.feed.propagate(db.id, [server.config.bool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]),
    dbReplaced: () => undefined,
  });
  const cycle = new ExpireCycle(server.keyspace, () => server.clock.now());
  cycles.set(server, cycle);
  server.hooks.cron.push(() => {
    if (!server.activeExpireEnabled || server.loading) return;
    const hz = Math.min(Math.max(server.config.int('hz'), 1), 500);
    cycle.run(server.config.int('active-expire-effort'), hz);
  });
  return cycle;
}
