// INFO [section ...]: the server's state as Redis 7.0 prints it (text built in server/info.ts).
// A verbatim string for RESP3 clients, a bulk string for RESP2, as in Redis.

import { command, CommandSpec } from './command';
import { infoText, selectSections } from '../server/info';

export const INFO_COMMANDS: CommandSpec[] = [
  command({
    name: 'info', arity: -1, flags: ['loading', 'stale', 'sentinel'], categories: ['dangerous'], group: 'server',
    summary: 'Get information and statistics about the server', since: '1.0.0', complexity: 'O(1)',
    tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
    handler: (c, argv) => c.reply.verbatim(infoText(c.server, selectSections(c.server, argv.slice(1)))),
  }),
];
