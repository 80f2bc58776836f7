// BGREWRITEAOF: rewrite the append-only file in the background (see persistence/aof.ts).

import { command, CommandSpec } from './command';
import { aofOf } from '../persistence/aof';

export const AOF_COMMANDS: CommandSpec[] = [
  command({
    name: 'bgrewriteaof', arity: 1, flags: ['admin', 'noscript', 'no_async_loading'], group: 'server',
    summary: 'Asynchronously rewrite the append-only file', since: '1.0.0', complexity: 'O(1)',
    handler: (c) => {
      const err = aofOf(c.server).startRewrite();
      if (err !== null) c.reply.error(err);
      else c.reply.simple('Background append only file rewriting started');
    },
  }),
];
