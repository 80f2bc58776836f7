// Transaction commands: MULTI EXEC DISCARD WATCH UNWATCH. The queue, WATCH bookkeeping and EXEC's
// propagation live in server/transactions.ts; these handlers only apply Redis's rules on when
// each command may run.

import { command, CommandSpec } from './command';
import { transactionsOf } from '../server/transactions';

const T = { categories: ['transaction'], group: 'transactions' };

export const TRANSACTION_COMMANDS: CommandSpec[] = [
  command({
    ...T, name: 'multi', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], summary: 'Mark the start of a transaction block', since: '1.2.0', complexity: 'O(1)',
    handler: (c) => {
      const t = transactionsOf(c.server);
      if (t.inMulti(c)) return c.reply.error('ERR MULTI calls can not be nested');
      t.begin(c);
      c.reply.ok();
    },
  }),
  command({
    ...T, name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'], summary: 'Execute all commands issued after MULTI', since: '1.2.0', complexity: 'Depends on commands in the transaction',
    handler: (c) => {
      const t = transactionsOf(c.server);
      if (!t.inMulti(c)) return c.reply.error('ERR EXEC without MULTI');
      t.exec(c);
    },
  }),
  command({
    ...T, name: 'discard', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], summary: 'Discard all commands issued after MULTI', since: '2.0.0', complexity: 'O(N), when N is the number of queued commands',
    handler: (c) => {
      const t = transactionsOf(c.server);
      if (!t.inMulti(c)) return c.reply.error('ERR DISCARD without MULTI');
      t.discard(c);
      c.reply.ok();
    },
  }),
  command({
    ...T, name: 'watch', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], firstKey: 1, lastKey: -1, step: 1, summary: 'Watch the given keys to determine execution of the MULTI/EXEC block', since: '2.2.0', complexity: 'O(1) for every key.',
    handler: (c, argv) => {
      const t = transactionsOf(c.server);
      if (t.inMulti(c)) return c.reply.error('ERR WATCH inside MULTI is not allowed');
      t.watch(c, argv.slice(1));
      c.reply.ok();
    },
  }),
  command({
    ...T, name: 'unwatch', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], summary: 'Forget about all watched keys', since: '2.2.0', complexity: 'O(1)',
    handler: (c) => {
      transactionsOf(c.server).unwatchAll(c);
      c.reply.ok();
    },
  }),
];
