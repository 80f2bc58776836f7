// OBJECT ENCODING / FREQ / IDLETIME / REFCOUNT / HELP, and the per-key metadata Redis keeps in
// every object header that Tandem keeps on the side, only for the keys and the time it is needed:
//
// - String encodings. Redis reports "int" for an integer text of up to 20 bytes, "embstr" up to
//   44 bytes and "raw" beyond, except that APPEND/SETRANGE (and SETBIT, PFADD...) leave a "raw"
//   string and INCRBYFLOAT an "embstr" one whatever the text. Those few exceptions are kept in a
//   per-database map of marks that any write to the key clears; every other string's encoding
//   follows from its text, so plain SET/GET keys cost nothing.
// - Access times (IDLETIME) and LFU counters (FREQ). A JS string key has no header to hide 24
//   bits in, and a Map entry per key costs ~50 bytes plus a Map write per read, so tracking starts
//   only once something needs it: an LRU/LFU maxmemory-policy, or the first OBJECT IDLETIME/FREQ.
//   A key not accessed since tracking began counts as last accessed at server start (an upper
//   bound on its idle time) and, under LFU, with the initial counter.
//
// Both side tables are keyed by the database's dict object, so SWAPDB carries them along and
// FLUSHDB/DEL/expiry clear them through the keyspace listener.

import { command, CommandSpec } from './command';
import { helpReply } from './command-docs';
import { parseInt64 } from './args';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import type { Database, KeyspaceListener } from '../keyspace/keyspace';
import { Value } from '../keyspace/values';

type DictMap = Map<string, Value>;

/** Longest string Redis stores embedded in its object header (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
const EMBSTR_SIZE_LIMIT = 44;
/** Integers 0..9999 are shared objects (OBJ_SHARED_INTEGERS); REFCOUNT reports INT_MAX for them. */
const SHARED_INTEGERS = 10000;
const SHARED_REFCOUNT = 2147483647;
const LFU_INIT_VAL = 5;

/** Drops the entries of a per-dict side table whose key is gone (flush) or changed. */
class PerDictTable<T> implements KeyspaceListener {
  private readonly tables = new WeakMap<DictMap, Map<string, T>>();

  get(db: Database, key: string): T | undefined {
    return this.tables.get(db.dict)?.get(key);
  }

  set(db: Database, key: string, value: T): void {
    let t = this.tables.get(db.dict);
    if (t === undefined) {
      t = new Map();
      this.tables.set(db.dict, t);
    }
    t.set(key, value);
  }

  keyModified(db: Database, key: string): void {
    this.tables.get(db.dict)?.delete(key);
  }

  keyExpired(): void {
    // keyModified already ran for the expired key.
  }

  dbReplaced(db: Database): void {
    const t = this.tables.get(db.dict);
    if (t === undefined) return;
    if (db.dict.size === 0) this.tables.delete(db.dict);
    else for (const key of t.keys()) if (!db.dict.has(key)) t.delete(key);
  }
}

// -------------------------------------------------------------------------------------------
// String encodings
// -------------------------------------------------------------------------------------------

const encodingMarks = new WeakMap<Server, PerDictTable<'raw' | 'embstr'>>();

/**
 * Records that the string now at `key` has the encoding its creator gives it regardless of its
 * text (APPEND/SETRANGE/SETBIT: 'raw'; INCRBYFLOAT: 'embstr'). Call after the write.
 */
export function markStringEncoding(server: Server, db: Database, key: string, encoding: 'raw' | 'embstr'): void {
  const v = db.dict.get(key);
  if (typeof v !== 'string' || v.length > EMBSTR_SIZE_LIMIT || encoding === naturalEncoding(v)) return;
  let marks = encodingMarks.get(server);
  if (marks === undefined) {
    marks = new PerDictTable();
    encodingMarks.set(server, marks);
    server.addKeyspaceListener(marks);
  }
  marks.set(db, key, encoding);
}

/** The encoding SET gives a string (tryObjectEncoding). */
function naturalEncoding(s: string): 'int' | 'embstr' | 'raw' {
  if (s.length <= 20 && s !== '-0' && parseInt64(s) !== null) return 'int'; // string2ll
  return s.length <= EMBSTR_SIZE_LIMIT ? 'embstr' : 'raw';
}

function stringEncoding(server: Server, db: Database, key: string, s: string): 'int' | 'embstr' | 'raw' {
  return encodingMarks.get(server)?.get(db, key) ?? naturalEncoding(s);
}

/** OBJECT ENCODING's answer for any value. */
export function encodingOf(server: Server, db: Database, key: string, v: Value): string {
  if (typeof v === 'string') return stringEncoding(server, db, key, v);
  return (v as { encoding: string }).encoding;
}

// -------------------------------------------------------------------------------------------
// Access tracking (LRU idle time, LFU counters)
// -------------------------------------------------------------------------------------------

function policyIsLfu(server: Server): boolean {
  return server.config.str('maxmemory-policy').endsWith('-lfu');
}

function policyIsLruOrLfu(server: Server): boolean {
  return /-(lru|lfu)$/.test(server.config.str('maxmemory-policy'));
}

/**
 * Last access per key: seconds since tracking began (LRU), or Redis's packed LFU word
 * (minutes << 8 | log counter). The eviction module reads it through idleMs()/frequency().
 */
export class AccessTracker extends PerDictTable<number> {
  private readonly baseSec: number;
  lfu: boolean;

  constructor(private readonly server: Server) {
    super();
    this.baseSec = Math.floor(server.startTime / 1000);
    this.lfu = policyIsLfu(server);
  }

  private nowSec(): number {
    return Math.floor(this.server.keyspace.now / 1000) - this.baseSec;
  }

  private nowMinutes(): number {
    return Math.floor(this.server.keyspace.now / 60000) & 65535;
  }

  /** A read of the key (lookupKey without NOTOUCH). */
  touch(db: Database, key: string): void {
    if (!this.lfu) {
      this.set(db, key, this.nowSec());
      return;
    }
    const counter = logIncr(this.decayedCounter(this.get(db, key)), this.server.config.int('lfu-log-factor'));
    this.set(db, key, (this.nowMinutes() << 8) | counter);
  }

  override keyModified(db: Database, key: string): void {
    if (!db.dict.has(key)) super.keyModified(db, key);
    else if (!this.lfu) this.set(db, key, this.nowSec());
    else if (this.get(db, key) === undefined) this.set(db, key, (this.nowMinutes() << 8) | LFU_INIT_VAL);
  }

  /**
   * RESTORE ... IDLETIME / FREQ (Redis's objectSetLRUOrLFU): under an LFU policy the frequency
   * given, otherwise the idle time given; -1 leaves the fresh key's access as it is.
   */
  restored(db: Database, key: string, idleSec: number, freq: number): void {
    if (this.lfu) {
      if (freq >= 0) this.set(db, key, (this.nowMinutes() << 8) | freq);
    } else if (idleSec >= 0) this.set(db, key, this.nowSec() - idleSec);
  }

  /** Estimated ms since the key was last accessed (whole seconds, as Redis's LRU clock). */
  idleMs(db: Database, key: string): number {
    const last = this.get(db, key) ?? 0;
    return Math.max(0, this.nowSec() - last) * 1000;
  }

  /** LFUDecrAndReturn: the key's counter after time decay. */
  frequency(db: Database, key: string): number {
    return this.decayedCounter(this.get(db, key));
  }

  private decayedCounter(word: number | undefined): number {
    if (word === undefined) return LFU_INIT_VAL;
    const ldt = word >> 8;
    const counter = word & 255;
    const decay = this.server.config.int('lfu-decay-time');
    if (decay === 0) return counter;
    const now = this.nowMinutes();
    const elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
    const periods = Math.floor(elapsed / decay);
    return periods > counter ? 0 : counter - periods;
  }
}

/** LFULogIncr: increments with probability 1 / ((counter - 5) * factor + 1), saturating at 255. */
function logIncr(counter: number, factor: number): number {
  if (counter === 255) return 255;
  const base = Math.max(0, counter - LFU_INIT_VAL);
  return Math.random() < 1 / (base * factor + 1) ? counter + 1 : counter;
}

const trackers = new WeakMap<Server, AccessTracker>();

/** The server's access tracker, started on first use. */
export function accessTracker(server: Server): AccessTracker {
  let t = trackers.get(server);
  if (t === undefined) {
    const tracker = new AccessTracker(server);
    t = tracker;
    trackers.set(server, tracker);
    server.addKeyspaceListener(tracker);
    server.keyspace.accessHook = (db, key) => tracker.touch(db, key);
  }
  return t;
}

/** Wires tracking to maxmemory-policy: an LRU/LFU policy starts it; LFU switches the meaning. */
export function setupAccessTracking(server: Server): void {
  if (policyIsLruOrLfu(server)) accessTracker(server);
  server.config.watch('maxmemory-policy', () => {
    const t = trackers.get(server);
    if (t !== undefined) t.lfu = policyIsLfu(server);
    else if (policyIsLruOrLfu(server)) accessTracker(server);
  });
}

// -------------------------------------------------------------------------------------------
// OBJECT
// -------------------------------------------------------------------------------------------

const NOTE_SWITCHING = 'Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';

/** objectCommandLookupOrReply: the value without touching it, or null after a null reply. */
function lookupForObject(c: Client, key: string): Value | null {
  const v = c.server.keyspace.lookupRead(c.db, key, false, false);
  if (v === undefined) {
    c.reply.nullBulk();
    return null;
  }
  return v;
}

function objectEncoding(c: Client, argv: string[]): void {
  const v = lookupForObject(c, argv[2]);
  if (v !== null) c.reply.bulk(encodingOf(c.server, c.db, argv[2], v));
}

function objectRefcount(c: Client, argv: string[]): void {
  const v = lookupForObject(c, argv[2]);
  if (v === null) return;
  const sharedAllowed = c.server.config.int('maxmemory') === 0 || !policyIsLruOrLfu(c.server);
  const shared =
    typeof v === 'string' && sharedAllowed && stringEncoding(c.server, c.db, argv[2], v) === 'int' && !v.startsWith('-') && v.length <= 4 && Number(v) < SHARED_INTEGERS;
  c.reply.int(shared ? SHARED_REFCOUNT : 1);
}

function objectIdletime(c: Client, argv: string[]): void {
  const tracker = accessTracker(c.server);
  const v = lookupForObject(c, argv[2]);
  if (v === null) return;
  if (policyIsLfu(c.server)) {
    c.reply.error(`ERR An LFU maxmemory policy is selected, idle time not tracked. ${NOTE_SWITCHING}`);
    return;
  }
  c.reply.int(Math.floor(tracker.idleMs(c.db, argv[2]) / 1000));
}

function objectFreq(c: Client, argv: string[]): void {
  const tracker = accessTracker(c.server);
  const v = lookupForObject(c, argv[2]);
  if (v === null) return;
  if (!policyIsLfu(c.server)) {
    c.reply.error(`ERR An LFU maxmemory policy is not selected, access frequency not tracked. ${NOTE_SWITCHING}`);
    return;
  }
  c.reply.int(tracker.frequency(c.db, argv[2]));
}

const OBJECT_HELP = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
];

const KEY2 = { firstKey: 2, lastKey: 2, step: 1, categories: ['keyspace'], group: 'generic', tips: ['nondeterministic_output'] };

export const OBJECT_COMMANDS: CommandSpec[] = [
  command({
    name: 'object', arity: -2, flags: [], group: 'generic', summary: 'A container for object introspection commands', since: '2.2.3', complexity: 'Depends on subcommand.',
    subcommands: [
      command({ name: 'encoding', arity: 3, flags: ['readonly'], ...KEY2, summary: 'Inspect the internal encoding of a Redis object', since: '2.2.3', complexity: 'O(1)', handler: objectEncoding }),
      command({ name: 'freq', arity: 3, flags: ['readonly'], ...KEY2, summary: 'Get the logarithmic access frequency counter of a Redis object', since: '4.0.0', complexity: 'O(1)', handler: objectFreq }),
      command({ name: 'idletime', arity: 3, flags: ['readonly'], ...KEY2, summary: 'Get the time since a Redis object was last accessed', since: '2.2.3', complexity: 'O(1)', handler: objectIdletime }),
      command({ name: 'refcount', arity: 3, flags: ['readonly'], ...KEY2, summary: 'Get the number of references to the value of the key', since: '2.2.3', complexity: 'O(1)', handler: objectRefcount }),
      command({ name: 'help', arity: 2, flags: ['loading', 'stale'], categories: ['keyspace'], group: 'generic', summary: 'Show helpful text about the different subcommands', since: '6.2.0', complexity: 'O(1)', handler: (c) => helpReply(c, 'OBJECT', OBJECT_HELP) }),
    ],
  }),
];

