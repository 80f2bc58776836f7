// Keyspace notifications (Redis 7.0 notify.c): commands report what they did to a key with
// notifyKeyspaceEvent(server, NOTIFY.LIST, 'lpush', key, db.id); when `notify-keyspace-events`
// enables that class, the event is published on __keyspace@<db>__:<key> (message: the event)
// and/or __keyevent@<db>__:<event> (message: the key).
//
// The class letters and their canonical order are Redis's, so CONFIG GET prints what Redis
// prints ("KEA" reads back as "AKE"). Expiry is wired here from the keyspace listener; the
// commands that change keys call notifyKeyspaceEvent themselves.

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

const CLASS_LETTERS: ReadonlyArray<[string, number]> = [
  ['g', NOTIFY.GENERIC], ['$', NOTIFY.STRING], ['l', NOTIFY.LIST], ['s', NOTIFY.SET], ['h', NOTIFY.HASH], ['z', NOTIFY.ZSET],
  ['x', NOTIFY.EXPIRED], ['e', NOTIFY.EVICTED], ['t', NOTIFY.STREAM], ['d', NOTIFY.MODULE], ['n', NOTIFY.NEW],
];

export const ERR_EVENT_CLASS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/** Parses a `notify-keyspace-events` value into flags; null on an unknown character. */
export function parseKeyspaceEvents(classes: string): number | null {
  let flags = 0;
  for (const ch of classes) {
    if (ch === 'A') flags |= ALL;
    else if (ch === 'K') flags |= NOTIFY.KEYSPACE;
    else if (ch === 'E') flags |= NOTIFY.KEYEVENT;
    else if (ch === 'm') flags |= NOTIFY.KEY_MISS;
    else {
      const entry = CLASS_LETTERS.find(([letter]) => letter === ch);
      if (entry === undefined) return null;
      flags |= entry[1];
    }
  }
  return flags;
}

/** The canonical text of flags, as CONFIG GET shows it (Redis's keyspaceEventsFlagsToString). */
export function keyspaceEventsToString(flags: number): string {
  let s = '';
  if ((flags & ALL) === ALL) s += 'A';
  else for (const [letter, bit] of CLASS_LETTERS) if (flags & bit) s += letter;
  if (flags & NOTIFY.KEYSPACE) s += 'K';
  if (flags & NOTIFY.KEYEVENT) s += 'E';
  if (flags & NOTIFY.KEY_MISS) s += 'm';
  return s;
}

const enabled = new WeakMap<Server, number>();

/** Publishes a keyspace event if its class is enabled; a no-op (one lookup) otherwise. */
export function notifyKeyspaceEvent(server: Server, type: number, event: string, key: string, dbId: number): void {
  const flags = enabled.get(server) ?? 0;
  if ((flags & type) === 0) return;
  const pubsub = pubsubOf(server);
  if (flags & NOTIFY.KEYSPACE) pubsub.publish(`__keyspace@${dbId}__:${key}`, event);
  if (flags & NOTIFY.KEYEVENT) pubsub.publish(`__keyevent@${dbId}__:${event}`, key);
}

/** Follows `notify-keyspace-events` and publishes 'expired' events for keys the keyspace expires. */
export function setupNotifications(server: Server): void {
  const apply = (text: string): void => {
    enabled.set(server, parseKeyspaceEvents(text) ?? 0);
  };
  apply(server.config.str('notify-keyspace-events'));
  server.config.watch('notify-keyspace-events', (v) => {
    if (parseKeyspaceEvents(String(v)) === null) return ERR_EVENT_CLASS;
    apply(String(v));
  });
  server.addKeyspaceListener({
    keyModified: () => undefined,
    keyExpired: (db, key) => notifyKeyspaceEvent(server, NOTIFY.EXPIRED, 'expired', key, db.id),
    dbReplaced: () => undefined,
  });
}
