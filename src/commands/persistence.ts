// SAVE, BGSAVE [SCHEDULE] and LASTSAVE; the work is in persistence/persistence.ts.

import { command, CommandSpec } from './command';
import { ERR_SYNTAX } from './args';
import type { Client } from '../server/client';
import { inExec, persistenceOf } from '../persistence/persistence';

function save(c: Client): void {
  const p = persistenceOf(c.server);
  if (p.bgsaveInProgress) return c.reply.error('ERR Background save already in progress');
  if (!p.saveSync()) return c.reply.error('ERR');
  c.reply.ok();
}

/**
 * BGSAVE [SCHEDULE]. SCHEDULE only matters when another background job (an AOF rewrite) holds
 * the fork in Redis; with none here it starts at once, as in Redis with no child running.
 */
function bgsave(c: Client, argv: string[]): void {
  if (argv.length > 1 && (argv.length !== 2 || argv[1].toLowerCase() !== 'schedule')) return c.reply.error(ERR_SYNTAX);
  const p = persistenceOf(c.server);
  if (p.bgsaveInProgress) return c.reply.error('ERR Background save already in progress');
  if (inExec(c.server)) {
    p.bgsaveScheduled = true;
    return c.reply.simple('Background saving scheduled');
  }
  p.startBackgroundSave();
  c.reply.simple('Background saving started');
}

export const PERSISTENCE_COMMANDS: CommandSpec[] = [
  command({
    name: 'save', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], group: 'server',
    summary: 'Synchronously save the dataset to disk', since: '1.0.0', complexity: 'O(N) where N is the total number of keys in all databases',
    handler: save,
  }),
  command({
    name: 'bgsave', arity: -1, flags: ['admin', 'noscript', 'no_async_loading'], group: 'server',
    summary: 'Asynchronously save the dataset to disk', since: '1.0.0', complexity: 'O(1)', handler: bgsave,
  }),
  command({
    name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], categories: ['admin', 'dangerous'], group: 'server',
    summary: 'Get the UNIX time stamp of the last successful save to disk', since: '1.0.0', complexity: 'O(1)',
    tips: ['nondeterministic_output'],
    handler: (c) => c.reply.int(persistenceOf(c.server).lastSave),
  }),
];
