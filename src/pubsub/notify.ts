// Keyspace notifications (Redis 7.0 notify.c): commands report what they did to a key with
// notifyKeyspaceEvent(server, NOTIFY.LIST, 'lpush', key, db.id); when `notify-keyspace-events`
// enables that class, the event is published on __keyspace@<db>__:<key> (message: the event)
// and/or __keyevent@<db>__:<event> (message: the key).
//
// Expiry is wired here from the keyspace listener, 'new' and 'keymiss' from the keyspace's hooks
// (where Redis's dbAdd and lookupKeyRead fire them); the commands that change keys call
// notifyKeyspaceEvent themselves.

import type { Server } from '../server/server';
import { pubsubOf } from './pubsub';

export const NOTIFY = {
  KEYSPACE: 1 << 0, // K
  KEYEVENT: 1 << 1, // E
  GENERIC: 1 << 2, // g
  STRING: 1 << 3, // $
  LIST: 1 << 4, // l
  SET: 1 << 5, // s
  HASH: 1 << 6, // h
  ZSET: 1 << 7, // z
  EXPIRED: 1 << 8, // x
  EVICTED: 1 << 9, // e
  STREAM: 1 << 10, // t
  KEY_MISS: 1 << 11, // m (not part of A)
  MODULE: 1 << 12, // d
  NEW: 1 << 13, // n (not part of A)
} as const;

const ALL = NOTIFY.GENERIC | NOTIFY.STRING | NOTIFY.LIST | NOTIFY.SET | NOTIFY.HASH | NOTIFY.ZSET | NOTIFY.EXPIRED | NOTIFY.EVICTED | NOTIFY.STREAM | NOTIFY.MODULE;

const FLAG_OF_LETTER: Record<string, number> = {
  A: ALL, K: NOTIFY.KEYSPACE, E: NOTIFY.KEYEVENT, g: NOTIFY.GENERIC, $: NOTIFY.STRING, l: NOTIFY.LIST, s: NOTIFY.SET,
  h: NOTIFY.HASH, z: NOTIFY.ZSET, x: NOTIFY.EXPIRED, e: NOTIFY.EVICTED, t: NOTIFY.STREAM, m: NOTIFY.KEY_MISS,
  d: NOTIFY.MODULE, n: NOTIFY.NEW,
};

/**
 * The flags of a `notify-keyspace-events` value. The config module has already validated it
 * and stored Redis's canonical text (CONFIG GET), so this only reads the letters.
 */
export function parseKeyspaceEvents(classes: string): number {
  let flags = 0;
  for (const ch of classes) flags |= FLAG_OF_LETTER[ch] ?? 0;
  return flags;
}

/**
 * `__keyspace@<db>__:` and `__keyevent@<db>__:` per database number, built once: a template
 * literal per event made three strings (12 chars flat, then two cons strings) where appending
 * the key to a kept prefix makes one.
 */
const keyspacePrefixes: string[] = [];
const keyeventPrefixes: string[] = [];

/** Publishes a keyspace event if its class is enabled; a no-op (one field read) otherwise. */
export function notifyKeyspaceEvent(server: Server, type: number, event: string, key: string, dbId: number): void {
  const flags = server.keyspace.eventFlags;
  if ((flags & type) === 0) return;
  const pubsub = pubsubOf(server);
  // Most events reach nobody (a subscriber watches a few keys); mayReach tells without making
  // the channel name, which matching it against a pattern then copied once more (flattening).
  if (flags & NOTIFY.KEYSPACE) {
    const prefix = (keyspacePrefixes[dbId] ??= `__keyspace@${dbId}__:`);
    if (pubsub.mayReach(prefix, key)) pubsub.publish(prefix + key, event);
  }
  if (flags & NOTIFY.KEYEVENT) {
    const prefix = (keyeventPrefixes[dbId] ??= `__keyevent@${dbId}__:`);
    if (pubsub.mayReach(prefix, event)) pubsub.publish(prefix + event, key);
  }
}

/** Follows `notify-keyspace-events` and publishes 'expired' events for keys the keyspace expires. */
export function setupNotifications(server: Server): void {
  const apply = (text: string): void => {
    const flags = parseKeyspaceEvents(text);
    server.keyspace.eventFlags = flags;
    const publishes = (flags & (NOTIFY.KEYSPACE | NOTIFY.KEYEVENT)) !== 0;
    server.keyspace.newKeyHook =
      publishes && flags & NOTIFY.NEW ? (db, key) => notifyKeyspaceEvent(server, NOTIFY.NEW, 'new', key, db.id) : null;
    server.keyspace.missHook =
      publishes && flags & NOTIFY.KEY_MISS ? (db, key) => notifyKeyspaceEvent(server, NOTIFY.KEY_MISS, 'keymiss', key, db.id) : null;
  };
  apply(server.config.str('notify-keyspace-events'));
  server.config.watch('notify-keyspace-events', (v) => apply(String(v)));
  server.addKeyspaceListener({
    keyExpired: (db, key) => notifyKeyspaceEvent(server, NOTIFY.EXPIRED, 'expired', key, db.id),
    dbReplaced: () => undefined,
  });
}
