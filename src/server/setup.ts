// Builds a ready-to-listen Server from a loaded Config: creates it and wires the modules that
// hook into it, in one place so their order is visible. The command gates are added here in the
// order Redis checks them.

import { Config } from '../config/config';
import { Logger } from './log';
import { Server, Clock, systemClock } from './server';
import { installInfo } from './info';
import { installClientCommands } from '../commands/client';
import { installServerAdmin } from '../commands/server-admin';
import { setupTransactions } from './transactions';
import { setupBlocking } from './blocking';
import { setupPubSub } from '../pubsub/pubsub';
import { setupNotifications } from '../pubsub/notify';
import { setupActiveExpiry } from '../keyspace/expire-cycle';
import { setupAccessTracking } from '../commands/object';
import { installPersistence, loadingCheck, misconfCheck, persistenceOf } from '../persistence/persistence';
import { snapshotEngine } from '../persistence/snapshot';
import { installAof } from '../persistence/aof';
import { Eviction, evictionCheck } from '../keyspace/eviction';
import { installSentinel, sentinelCommandSpecs } from '../sentinel/sentinel-mode';
import { setupReplication } from '../replication/replication';
import { installConfig } from '../commands/config';
import { flagsOf } from '../commands/command';

export function createServer(config: Config, log: Logger, clock: Clock = systemClock, mode: 'standalone' | 'sentinel' = 'standalone'): Server {
  const server = new Server(config, log, clock, mode === 'sentinel' ? sentinelCommandSpecs() : undefined);
  installInfo(server);
  installClientCommands(server);
  installServerAdmin(server);
  server.acl.loadAtStartup();
  const pubsub = setupPubSub(server);
  if (mode === 'sentinel') {
    // A sentinel keeps no dataset: no persistence, expiry or transactions, just its own state.
    installSentinel(server);
    server.gates.addCheck((c, spec, argv, fullName) => server.acl.check(c, spec, argv, fullName));
    server.gates.addCheck((c, _spec, _argv, fullName) => pubsub.subscriberContextCheck(c, fullName));
    return server;
  }
  const transactions = setupTransactions(server);
  setupNotifications(server);
  setupBlocking(server);
  setupActiveExpiry(server);
  setupAccessTracking(server);
  installPersistence(server);
  installAof(server);
  snapshotEngine(server);
  const replication = setupReplication(server, server.replStats);
  // Saved files carry the replication history, so a restarted replica can continue with PSYNC.
  const persistence = persistenceOf(server);
  persistence.saveAux = () => replication.rdbAux() ?? {};
  persistence.afterStartupLoad = (aux) => replication.restoreFromRdb(aux);
  // Redis refuses DEBUG/MODULE (enable-debug-command, enable-module-command) before other checks.
  installConfig(server, replication);
  // Redis refuses no_multi commands inside MULTI right after authentication, before ACLs.
  server.gates.addCheck((c, spec) => transactions.noMultiCheck(c, spec));
  server.gates.addCheck((c, spec, argv, fullName) => server.acl.check(c, spec, argv, fullName));
  const eviction = new Eviction(server);
  server.gates.addCheck((_c, spec) => evictionCheck(eviction, server, spec));
  server.gates.addCheck((c, spec, _argv, fullName) => misconfCheck(server, c, flagsOf(spec).write, fullName));
  server.gates.addCheck((c, spec) => replication.minReplicasCheck(c, spec));
  server.gates.addCheck((c, spec) => replication.readOnlyCheck(c, spec));
  // The RESP2 subscriber context comes after ACL, OOM, min-replicas and read-only replica checks.
  server.gates.addCheck((c, _spec, _argv, fullName) => pubsub.subscriberContextCheck(c, fullName));
  server.gates.addCheck((c, spec) => replication.staleDataCheck(c, spec));
  server.gates.addCheck((_c, spec) => loadingCheck(server, flagsOf(spec).loading));
  return server;
}
