// Running a server as a sentinel (tandem-sentinel, or tandem-server --sentinel): the command set
// is the commands flagged `sentinel` plus Sentinel's own (SENTINEL, and sentinel versions of
// PUBLISH and ROLE), the default port is 26379, and INFO gains the sentinel section.

import { ALL_COMMANDS } from '../commands/index';
import type { CommandSpec } from '../commands/command';
import { SENTINEL_COMMANDS, sentinelInfoLines } from '../commands/sentinel';
import type { Server } from '../server/server';
import { Sentinel } from './sentinel';

export const SENTINEL_DEFAULT_PORT = 26379;

export function sentinelCommandSpecs(): CommandSpec[] {
  const own = new Map(SENTINEL_COMMANDS.map((s) => [s.name, s]));
  const shared = ALL_COMMANDS.filter((s) => s.flags.includes('sentinel') && !own.has(s.name) && !s.flags.includes('only_sentinel'));
  return [...shared, ...own.values()];
}

export function installSentinel(server: Server): void {
  const sentinel = new Sentinel(server);
  server.sentinel = sentinel;
  server.infoProviders.set('sentinel', () => sentinelInfoLines(sentinel));
}
