// Publish/subscribe, as Redis 7.0 (pubsub.c): channel, pattern and shard-channel subscriptions,
// message delivery, and the client's subscriber state.
//
// Messages are written straight into each subscriber's reply buffer (RESP3 as `>` pushes, RESP2
// as arrays) and flushed with the server's per-turn flush, so a PUBLISH reaches every receiver
// before the publisher sees its reply. A client with any subscription has the 'pubsub' role (its
// output buffer class, CLIENT LIST flag P); in RESP2 that also restricts its commands, enforced
// by the gate check `subscriberContextCheck` that setup.ts places in Redis's check order.

import type { Server } from '../server/server';
import type { Client } from '../server/client';
import { globMatch, literalStartFits } from '../keyspace/glob';
import { clientListContributors } from '../commands/client';

export type SubscriptionKind = 'channel' | 'pattern' | 'shard';

/** A client's subscriptions, in subscription order. */
interface ClientSubscriptions {
  channel: Set<string>;
  pattern: Set<string>;
  shard: Set<string>;
}

/** Per kind: the reply names Redis uses for (un)subscribe confirmations. */
const CONFIRM: Record<SubscriptionKind, { sub: string; unsub: string }> = {
  channel: { sub: 'subscribe', unsub: 'unsubscribe' },
  pattern: { sub: 'psubscribe', unsub: 'punsubscribe' },
  shard: { sub: 'ssubscribe', unsub: 'sunsubscribe' },
};

/** Frames at least this large are encoded once into a Buffer shared by every receiver. */
const SHARED_FRAME_BYTES = 4 * 1024;

/** Commands a RESP2 subscriber may still run (Redis's processCommand list). */
const SUBSCRIBER_COMMANDS = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);

export class PubSub {
  /** Per kind: name -> subscribed clients (in subscription order). */
  private readonly subscribers: Record<SubscriptionKind, Map<string, Set<Client>>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map(),
  };

  constructor(private readonly server: Server) {}

  // ---------------------------------------------------------------------------------------------
  // Publishing
  // ---------------------------------------------------------------------------------------------

  /** Delivers a message to the channel's subscribers and matching patterns; returns receivers. */
  publish(channel: string, message: string): number {
    let receivers = 0;
    const direct = this.subscribers.channel.get(channel);
    if (direct !== undefined) {
      this.deliver(direct, ['message', channel, message]);
      receivers += direct.size;
    }
    // keys() and get(): destructuring the entries made a [pattern, clients] array per pattern
    // per message (every keyspace event with a pattern subscribed).
    const patterns = this.subscribers.pattern;
    for (const pattern of patterns.keys()) {
      if (!globMatch(pattern, channel)) continue;
      const clients = patterns.get(pattern)!;
      this.deliver(clients, ['pmessage', pattern, channel, message]);
      receivers += clients.size;
    }
    return receivers;
  }

  /**
   * Whether a message on the channel `head + tail` could reach anyone, told without building
   * that name: false only when no client subscribes to any channel and every pattern differs
   * from it before its first wildcard (keyspace events with unrelated patterns subscribed).
   */
  mayReach(head: string, tail: string): boolean {
    if (this.subscribers.channel.size > 0) return true;
    for (const pattern of this.subscribers.pattern.keys()) if (literalStartFits(pattern, head, tail)) return true;
    return false;
  }

  /** SPUBLISH: shard channels only (no patterns); returns receivers. */
  publishShard(channel: string, message: string): number {
    const clients = this.subscribers.shard.get(channel);
    if (clients === undefined) return 0;
    this.deliver(clients, ['smessage', channel, message]);
    return clients.size;
  }

  /**
   * Writes one message to many subscribers: the frame is encoded once per protocol (a shared
   * Buffer when large) and copied to each, and a client is scheduled for flushing only when it
   * had nothing pending (otherwise it already is).
   */
  private deliver(clients: Iterable<Client>, parts: readonly string[]): void {
    let body = '';
    for (const p of parts) body += '$' + p.length + '\r\n' + p + '\r\n';
    const frame = (type: string): string | Buffer => {
      const s = type + parts.length + '\r\n' + body;
      return s.length >= SHARED_FRAME_BYTES ? Buffer.from(s, 'latin1') : s;
    };
    let resp2: string | Buffer | null = null;
    let resp3: string | Buffer | null = null;
    for (const c of clients) {
      const idle = c.reply.pendingBytes === 0;
      const f = c.resp === 3 ? (resp3 ??= frame('>')) : (resp2 ??= frame('*'));
      if (typeof f === 'string') c.reply.raw(f);
      else c.reply.rawBuffer(f);
      if (idle) this.server.scheduleFlush(c);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Subscribing
  // ---------------------------------------------------------------------------------------------

  /** (P|S)SUBSCRIBE: subscribes and confirms each name, Redis's way (duplicates confirmed too). */
  subscribe(c: Client, kind: SubscriptionKind, names: readonly string[]): void {
    const subs = this.subscriptionsOf(c, true);
    const byName = this.subscribers[kind];
    for (const name of names) {
      if (!subs[kind].has(name)) {
        subs[kind].add(name);
        let clients = byName.get(name);
        if (clients === undefined) {
          clients = new Set();
          byName.set(name, clients);
        }
        clients.add(c);
      }
      this.confirm(c, CONFIRM[kind].sub, name, this.confirmCount(subs, kind));
    }
    if (c.role === 'normal') c.role = 'pubsub';
  }

  /**
   * (P|S)UNSUBSCRIBE: unsubscribes from the given names, or from every subscription of that kind
   * when none are given; confirms each (with a null name when there was nothing to leave).
   */
  unsubscribe(c: Client, kind: SubscriptionKind, names: readonly string[]): void {
    const subs = this.subscriptionsOf(c, false);
    const targets = names.length > 0 ? names : [...(subs?.[kind] ?? [])];
    for (const name of targets) {
      this.remove(c, kind, name);
      this.confirm(c, CONFIRM[kind].unsub, name, this.confirmCount(subs, kind));
    }
    if (targets.length === 0) this.confirm(c, CONFIRM[kind].unsub, null, this.confirmCount(subs, kind));
    this.leaveSubscriberModeIfDone(c);
  }

  /** Drops every subscription silently (RESET, disconnect). */
  unsubscribeAll(c: Client): void {
    const subs = this.subscriptionsOf(c, false);
    if (subs === undefined) return;
    for (const kind of ['channel', 'pattern', 'shard'] as const) for (const name of [...subs[kind]]) this.remove(c, kind, name);
    this.leaveSubscriberModeIfDone(c);
  }

  private remove(c: Client, kind: SubscriptionKind, name: string): void {
    const subs = c.ext.pubsub as ClientSubscriptions | undefined;
    if (subs === undefined || !subs[kind].delete(name)) return;
    const byName = this.subscribers[kind];
    const clients = byName.get(name)!;
    clients.delete(c);
    if (clients.size === 0) byName.delete(name);
  }

  private leaveSubscriberModeIfDone(c: Client): void {
    const subs = c.ext.pubsub as ClientSubscriptions | undefined;
    if (subs !== undefined && subs.channel.size + subs.pattern.size + subs.shard.size > 0) return;
    delete c.ext.pubsub;
    if (c.role === 'pubsub') c.role = 'normal';
  }

  private subscriptionsOf(c: Client, create: true): ClientSubscriptions;
  private subscriptionsOf(c: Client, create: false): ClientSubscriptions | undefined;
  private subscriptionsOf(c: Client, create: boolean): ClientSubscriptions | undefined {
    let subs = c.ext.pubsub as ClientSubscriptions | undefined;
    if (subs === undefined && create) {
      subs = { channel: new Set(), pattern: new Set(), shard: new Set() };
      c.ext.pubsub = subs;
    }
    return subs;
  }

  /** The count a confirmation carries: channels + patterns, or shard channels alone. */
  private confirmCount(subs: ClientSubscriptions | undefined, kind: SubscriptionKind): number {
    if (subs === undefined) return 0;
    return kind === 'shard' ? subs.shard.size : subs.channel.size + subs.pattern.size;
  }

  private confirm(c: Client, what: string, name: string | null, count: number): void {
    c.reply.pushHeader(3);
    c.reply.bulk(what);
    c.reply.bulkOrNull(name);
    c.reply.int(count);
  }

  // ---------------------------------------------------------------------------------------------
  // Introspection (PUBSUB, CLIENT LIST)
  // ---------------------------------------------------------------------------------------------

  /** Active channel (or shard channel) names matching an optional glob pattern. */
  activeNames(kind: 'channel' | 'shard', pattern: string | null): string[] {
    const names = [...this.subscribers[kind].keys()];
    return pattern === null ? names : names.filter((n) => globMatch(pattern, n));
  }

  /** Subscribers of one channel or shard channel (pattern subscriptions not counted). */
  subscriberCount(kind: 'channel' | 'shard', name: string): number {
    return this.subscribers[kind].get(name)?.size ?? 0;
  }

  /** Distinct patterns subscribed by anyone (PUBSUB NUMPAT). */
  get patternCount(): number {
    return this.subscribers.pattern.size;
  }

  /** Distinct channels with subscribers (INFO stats pubsub_channels). */
  get channelCount(): number {
    return this.subscribers.channel.size;
  }

  /** A client's subscription counts (CLIENT LIST sub= psub= ssub=). */
  clientCounts(c: Client): { sub: number; psub: number; ssub: number } {
    const subs = c.ext.pubsub as ClientSubscriptions | undefined;
    return { sub: subs?.channel.size ?? 0, psub: subs?.pattern.size ?? 0, ssub: subs?.shard.size ?? 0 };
  }

  /** The RESP2 subscriber-context gate check (RESP3 subscribers may run anything). */
  subscriberContextCheck(c: Client, fullName: string): string | null {
    if (c.resp !== 2 || c.ext.pubsub === undefined) return null;
    const name = fullName.includes('|') ? '' : fullName;
    if (SUBSCRIBER_COMMANDS.has(name)) return null;
    return `ERR Can't execute '${fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
  }
}

const modules = new WeakMap<Server, PubSub>();

/** The pub/sub module of a server (installed by setupPubSub). */
export function pubsubOf(server: Server): PubSub {
  const p = modules.get(server);
  if (p === undefined) throw new Error('pub/sub module not installed');
  return p;
}

/**
 * Creates the module and its cleanup hooks; returns the subscriber-context check for setup.ts to
 * place among the gates.
 */
export function setupPubSub(server: Server): { subscriberContextCheck: (c: Client, fullName: string) => string | null } {
  const p = new PubSub(server);
  modules.set(server, p);
  server.hooks.clientReset.push((c) => p.unsubscribeAll(c));
  server.hooks.clientClosed.push((c) => p.unsubscribeAll(c));
  clientListContributors.push((c) => (c.ext.pubsub === undefined ? null : p.clientCounts(c)));
  return { subscriberContextCheck: (c, fullName) => p.subscriberContextCheck(c, fullName) };
}
