// String commands. Values are latin1 strings (see keyspace/values.ts).
//
// Expiring writes propagate with an absolute time (SET k v EX 10 -> SET k v PXAT <abs>) so that
// replicas and the AOF expire the key at the same instant whenever they apply it.

import { command, CommandSpec } from './command';
import { ERR_SYNTAX, ERR_WRONGTYPE, parseSafeInt } from './args';
import type { Client } from '../server/client';

/** The string at `key`, undefined when missing, or null after replying WRONGTYPE. */
export function getString(c: Client, key: string): string | undefined | null {
  const v = c.server.keyspace.lookupRead(c.db, key);
  if (v === undefined || typeof v === 'string') return v;
  c.reply.error(ERR_WRONGTYPE);
  return null;
}

function get(c: Client, argv: string[]): void {
  const v = getString(c, argv[1]);
  if (v === null) return;
  c.reply.bulkOrNull(v);
}

interface SetOptions {
  condition: 'nx' | 'xx' | null;
  get: boolean;
  keepTtl: boolean;
  /** Absolute expiry in ms, or null. */
  expireAt: number | null;
}

/** Parses SET's options from argv[3..]; null after replying the error. */
function parseSetOptions(c: Client, argv: string[], now: number): SetOptions | null {
  const o: SetOptions = { condition: null, get: false, keepTtl: false, expireAt: null };
  let unit: string | null = null;
  for (let i = 3; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if ((a === 'nx' || a === 'xx') && o.condition === null) o.condition = a;
    else if (a === 'get' && !o.get) o.get = true;
    else if (a === 'keepttl' && unit === null && !o.keepTtl) o.keepTtl = true;
    else if ((a === 'ex' || a === 'px' || a === 'exat' || a === 'pxat') && unit === null && !o.keepTtl && i + 1 < argv.length) {
      unit = a;
      const n = parseSafeInt(argv[++i]);
      if (n === null) {
        c.reply.error('ERR value is not an integer or out of range');
        return null;
      }
      if (n <= 0 || ((a === 'ex' || a === 'exat') && n > Number.MAX_SAFE_INTEGER / 1000)) {
        c.reply.error("ERR invalid expire time in 'set' command");
        return null;
      }
      o.expireAt = a === 'ex' ? now + n * 1000 : a === 'px' ? now + n : a === 'exat' ? n * 1000 : n;
    } else {
      c.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return o;
}

function set(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const o = parseSetOptions(c, argv, ks.now);
  if (o === null) return;
  const key = argv[1];
  let old: string | undefined;
  if (o.get) {
    const v = getString(c, key);
    if (v === null) return;
    old = v;
  }
  const exists = o.get ? old !== undefined || ks.exists(c.db, key) : o.condition !== null && ks.exists(c.db, key);
  if ((o.condition === 'nx' && exists) || (o.condition === 'xx' && !exists)) {
    if (o.get) c.reply.bulkOrNull(old);
    else c.reply.nullBulk();
    return;
  }
  ks.set(c.db, key, argv[2], o.keepTtl);
  if (o.expireAt !== null) ks.setExpire(c.db, key, o.expireAt);
  c.server.dirty++;
  c.propagateArgv =
    o.expireAt !== null ? ['SET', key, argv[2], 'PXAT', String(o.expireAt)] : o.keepTtl ? ['SET', key, argv[2], 'KEEPTTL'] : ['SET', key, argv[2]];
  if (o.get) c.reply.bulkOrNull(old);
  else c.reply.ok();
}

export const STRING_COMMANDS: CommandSpec[] = [
  command({ name: 'get', arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1, categories: ['string'], group: 'string', summary: 'Get the value of a key', since: '1.0.0', complexity: 'O(1)', handler: get }),
  command({ name: 'set', arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1, categories: ['string'], group: 'string', summary: 'Set the string value of a key', since: '1.0.0', complexity: 'O(1)', handler: set }),
];
