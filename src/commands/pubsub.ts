// Pub/sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB's
// subcommands. Delivery and subscriber state live in pubsub/pubsub.ts.
//
// PUBLISH is propagated to replicas (Redis 7.0 forces it into the replication stream outside
// cluster mode) so that a replica's subscribers hear what is published on its master; it is not
// a write, so it does not count as a change to the dataset.

import { command, CommandSpec } from './command';
import type { Client } from '../server/client';
import { pubsubOf, SubscriptionKind } from '../pubsub/pubsub';

const PUBSUB_HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
];

function publish(c: Client, argv: string[]): void {
  const receivers = pubsubOf(c.server).publish(argv[1], argv[2]);
  if (c.role !== 'master') c.server.feed.propagate(c.db.id, argv);
  c.reply.int(receivers);
}

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]. */
function listChannels(c: Client, argv: string[], kind: 'channel' | 'shard'): void {
  if (argv.length > 3) {
    c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try PUBSUB HELP.`);
    return;
  }
  c.reply.arrayOfBulks(pubsubOf(c.server).activeNames(kind, argv.length === 3 ? argv[2] : null));
}

/** PUBSUB NUMSUB / SHARDNUMSUB [name ...]: name, count pairs as a flat array. */
function countSubscribers(c: Client, argv: string[], kind: 'channel' | 'shard'): void {
  const p = pubsubOf(c.server);
  c.reply.arrayHeader((argv.length - 2) * 2);
  for (let i = 2; i < argv.length; i++) {
    c.reply.bulk(argv[i]);
    c.reply.int(p.subscriberCount(kind, argv[i]));
  }
}

const P = { group: 'pubsub' };
// `sentinel`: also offered by a server in sentinel mode (Sentinel's event channels).
const SUBSCRIBING = ['pubsub', 'noscript', 'loading', 'stale', 'sentinel'] as CommandSpec['flags'];

function subscribing(name: string, kind: SubscriptionKind, unsubscribe: boolean, rest: Omit<CommandSpec, 'name' | 'arity' | 'flags' | 'handler' | 'group' | 'firstKey' | 'lastKey' | 'step'>): CommandSpec {
  const keyed = kind === 'shard' ? { firstKey: 1, lastKey: -1, step: 1 } : {};
  return command({
    ...P, ...keyed, ...rest, name, arity: unsubscribe ? -1 : -2, flags: SUBSCRIBING,
    handler: (c, argv) => {
      const p = pubsubOf(c.server);
      if (unsubscribe) p.unsubscribe(c, kind, argv.slice(1));
      else p.subscribe(c, kind, argv.slice(1));
    },
  });
}

export const PUBSUB_COMMANDS: CommandSpec[] = [
  subscribing('subscribe', 'channel', false, { summary: 'Listen for messages published to the given channels', since: '2.0.0', complexity: 'O(N) where N is the number of channels to subscribe to.' }),
  subscribing('unsubscribe', 'channel', true, { summary: 'Stop listening for messages posted to the given channels', since: '2.0.0', complexity: 'O(N) where N is the number of clients already subscribed to a channel.' }),
  subscribing('psubscribe', 'pattern', false, { summary: 'Listen for messages published to channels matching the given patterns', since: '2.0.0', complexity: 'O(N) where N is the number of patterns the client is already subscribed to.' }),
  subscribing('punsubscribe', 'pattern', true, { summary: 'Stop listening for messages posted to channels matching the given patterns', since: '2.0.0', complexity: 'O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).' }),
  subscribing('ssubscribe', 'shard', false, { summary: 'Listen for messages published to the given shard channels', since: '7.0.0', complexity: 'O(N) where N is the number of shard channels to subscribe to.' }),
  subscribing('sunsubscribe', 'shard', true, { summary: 'Stop listening for messages posted to the given shard channels', since: '7.0.0', complexity: 'O(N) where N is the number of clients already subscribed to a shard channel.' }),
  command({ ...P, name: 'publish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast'], summary: 'Post a message to a channel', since: '2.0.0', complexity: 'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).', handler: publish }),
  command({
    ...P, name: 'spublish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast'], firstKey: 1, lastKey: 1, step: 1, summary: 'Post a message to a shard channel', since: '7.0.0', complexity: 'O(N) where N is the number of clients subscribed to the receiving shard channel.',
    handler: (c, argv) => c.reply.int(pubsubOf(c.server).publishShard(argv[1], argv[2])),
  }),
  command({
    ...P, name: 'pubsub', arity: -2, flags: [], summary: 'A container for Pub/Sub commands', since: '2.8.0', complexity: 'Depends on subcommand.',
    subcommands: [
      command({ ...P, name: 'channels', arity: -2, flags: ['pubsub', 'loading', 'stale'], summary: 'List active channels', since: '2.8.0', complexity: 'O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)', handler: (c, argv) => listChannels(c, argv, 'channel') }),
      command({ ...P, name: 'numsub', arity: -2, flags: ['pubsub', 'loading', 'stale'], summary: 'Get the count of subscribers for channels', since: '2.8.0', complexity: 'O(N) for the NUMSUB subcommand, where N is the number of requested channels', handler: (c, argv) => countSubscribers(c, argv, 'channel') }),
      command({ ...P, name: 'numpat', arity: 2, flags: ['pubsub', 'loading', 'stale'], summary: 'Get the count of unique patterns pattern subscriptions', since: '2.8.0', complexity: 'O(1)', handler: (c) => c.reply.int(pubsubOf(c.server).patternCount) }),
      command({ ...P, name: 'shardchannels', arity: -2, flags: ['pubsub', 'loading', 'stale'], summary: 'List active shard channels', since: '7.0.0', complexity: 'O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).', handler: (c, argv) => listChannels(c, argv, 'shard') }),
      command({ ...P, name: 'shardnumsub', arity: -2, flags: ['pubsub', 'loading', 'stale'], summary: 'Get the count of subscribers for shard channels', since: '7.0.0', complexity: 'O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels', handler: (c, argv) => countSubscribers(c, argv, 'shard') }),
      command({ ...P, name: 'help', arity: 2, flags: ['loading', 'stale'], summary: 'Show helpful text about the different subcommands', since: '6.2.0', complexity: 'O(1)', handler: (c) => {
        c.reply.arrayHeader(PUBSUB_HELP.length);
        for (const line of PUBSUB_HELP) c.reply.simple(line);
      } }),
    ],
  }),
];
