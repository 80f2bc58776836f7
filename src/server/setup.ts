// Builds a ready-to-listen Server from a loaded Config: creates it and wires the modules that
// hook into it, in one place so their order is visible. The command gates are added here in the
// order Redis checks them.

import { Config } from '../config/config';
import { Logger } from './log';
import { Server, Clock, systemClock } from './server';
import { installInfo } from './info';
import { installClientCommands } from '../commands/client';
import { installServerAdmin } from '../commands/server-admin';

export function createServer(config: Config, log: Logger, clock: Clock = systemClock): Server {
  const server = new Server(config, log, clock);
  installInfo(server);
  installClientCommands(server);
  installServerAdmin(server);
  server.acl.loadAtStartup();
  server.gates.addCheck((c, spec, argv, fullName) => server.acl.check(c, spec, argv, fullName));
  return server;
}
