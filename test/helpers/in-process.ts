// A Server built in this process (no sockets, logging off), for tests that drive the keyspace,
// the snapshot engine or the RDB reader directly.

import { Config } from '../../src/config/config';
import { Logger } from '../../src/server/log';
import { Server } from '../../src/server/server';
import { createServer } from '../../src/server/setup';

/** A server with the given config settings (as config-file lines would set them). */
export function inProcessServer(settings: Record<string, string> = {}): Server {
  const config = new Config();
  for (const [k, v] of Object.entries(settings)) config.set(k, [v], 'file');
  const log = new Logger();
  log.level = 'nothing';
  return createServer(config, log);
}
