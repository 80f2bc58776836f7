// String commands. Values are latin1 strings (see keyspace/values.ts).
//
// Expiring writes propagate with an absolute time (SET k v EX 10 -> SET k v PXAT <abs>, GETEX k
// EX 10 -> PEXPIREAT k <abs>) so that replicas and the AOF expire the key at the same instant
// whenever they apply it. Counters are int64: the common small case stays in JS numbers, anything
// that could leave the safe-integer range is done in BigInt. INCRBYFLOAT computes in emulated x87
// long double (see the section below; exported for HINCRBYFLOAT) so its text matches Redis byte
// for byte.

import { constants as bufferConstants } from 'node:buffer';
import { command, CommandSpec } from './command';
import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE, parseInt64 } from './args';
import type { Client } from '../server/client';
import type { Value } from '../keyspace/values';
import { markStringEncoding } from './object';
import { NOTIFY, notifyKeyspaceEvent } from '../pubsub/notify';

const ERR_NOT_FLOAT = 'ERR value is not a valid float';
const ERR_OVERFLOW = 'ERR increment or decrement would overflow';
const ERR_TOO_LONG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** `v` when it is a string or missing; null after replying WRONGTYPE. */
function stringOrWrongType(c: Client, v: Value | undefined): string | undefined | null {
  if (v === undefined || typeof v === 'string') return v;
  c.reply.error(ERR_WRONGTYPE);
  return null;
}

/** The string at `key`, undefined when missing, or null after replying WRONGTYPE. */
export function getString(c: Client, key: string): string | undefined | null {
  return stringOrWrongType(c, c.server.keyspace.lookupRead(c.db, key));
}

/** Like getString for a write: no hit/miss accounting. */
function getStringForWrite(c: Client, key: string): string | undefined | null {
  return stringOrWrongType(c, c.server.keyspace.lookup(c.db, key));
}

/** Redis's string2ll: strict int64 text ("-0", "+1", " 1", "01" are not integers). */
export function parseStrictInt64(s: string): bigint | null {
  return s === '-0' ? null : parseInt64(s);
}

/**
 * checkStringLength: a string may not grow past proto-max-bulk-len (nor past what a JS string
 * can hold); the master's stream is exempt, as in Redis.
 */
function stringLengthOk(c: Client, total: number): boolean {
  if (c.role === 'master' && total <= bufferConstants.MAX_STRING_LENGTH) return true;
  if (total > c.server.config.int('proto-max-bulk-len') || total > bufferConstants.MAX_STRING_LENGTH) {
    c.reply.error(ERR_TOO_LONG);
    return false;
  }
  return true;
}

// -------------------------------------------------------------------------------------------
// GET SET and their variants
// -------------------------------------------------------------------------------------------

function get(c: Client, argv: string[]): void {
  const v = getString(c, argv[1]);
  if (v === null) return;
  c.reply.bulkOrNull(v);
}

type ExpireUnit = 'ex' | 'px' | 'exat' | 'pxat';

interface ExtendedOptions {
  condition: 'nx' | 'xx' | null;
  get: boolean;
  keepTtl: boolean;
  persist: boolean;
  unit: ExpireUnit | null;
  /** The expire argument, validated later (after every option parsed, as Redis does). */
  expireArg: string | null;
}

/**
 * parseExtendedStringArgumentsOrReply: SET's options (from argv[3]) or GETEX's (from argv[2]).
 * Repeating an option is allowed (the last expire wins); combining exclusive ones is a syntax
 * error. Returns null after replying.
 */
function parseExtendedOptions(c: Client, argv: string[], isSet: boolean): ExtendedOptions | null {
  const o: ExtendedOptions = { condition: null, get: false, keepTtl: false, persist: false, unit: null, expireArg: null };
  for (let i = isSet ? 3 : 2; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    const hasNext = i + 1 < argv.length;
    const otherUnit = (u: ExpireUnit): boolean => o.unit !== null && o.unit !== u;
    if (isSet && a === 'nx' && o.condition !== 'xx') o.condition = 'nx';
    else if (isSet && a === 'xx' && o.condition !== 'nx') o.condition = 'xx';
    else if (isSet && a === 'get') o.get = true;
    else if (isSet && a === 'keepttl' && !o.persist && o.unit === null) o.keepTtl = true;
    else if (!isSet && a === 'persist' && o.unit === null && !o.keepTtl) o.persist = true;
    else if ((a === 'ex' || a === 'px' || a === 'exat' || a === 'pxat') && !o.keepTtl && !o.persist && !otherUnit(a) && hasNext) {
      o.unit = a;
      o.expireArg = argv[++i];
    } else {
      c.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return o;
}

/**
 * getExpireMillisecondsOrReply: the absolute expiry in ms for an EX/PX/EXAT/PXAT argument, or
 * null after replying the error.
 */
function expireMsOrReply(c: Client, unit: ExpireUnit, arg: string, cmdName: string): number | null {
  const n = parseStrictInt64(arg);
  if (n === null) {
    c.reply.error(ERR_NOT_INTEGER);
    return null;
  }
  const seconds = unit === 'ex' || unit === 'exat';
  if (n <= 0n || (seconds && n > INT64_MAX / 1000n)) {
    c.reply.error(`ERR invalid expire time in '${cmdName}' command`);
    return null;
  }
  let ms = seconds ? n * 1000n : n;
  if (unit === 'ex' || unit === 'px') ms += BigInt(c.server.keyspace.now);
  if (ms > INT64_MAX) {
    c.reply.error(`ERR invalid expire time in '${cmdName}' command`);
    return null;
  }
  return Number(ms);
}

/**
 * setGenericCommand: stores `value` at `key` honouring NX/XX/GET/KEEPTTL and an absolute expiry.
 * Replies `okReply`/`abortReply` (GET replies the old value instead). Returns whether it wrote.
 */
function setGeneric(c: Client, key: string, value: string, o: Pick<ExtendedOptions, 'condition' | 'get' | 'keepTtl'>, expireAt: number | null, okReply: (c: Client) => void, abortReply: (c: Client) => void): boolean {
  const ks = c.server.keyspace;
  let old: string | undefined;
  if (o.get) {
    const v = getString(c, key);
    if (v === null) return false;
    old = v;
  }
  const exists = o.condition !== null && (old !== undefined || ks.exists(c.db, key));
  if ((o.condition === 'nx' && exists) || (o.condition === 'xx' && !exists)) {
    if (o.get) c.reply.bulkOrNull(old);
    else abortReply(c);
    return false;
  }
  ks.set(c.db, key, value, o.keepTtl);
  notifyKeyspaceEvent(c.server, NOTIFY.STRING, 'set', key, c.db.id);
  if (expireAt !== null) {
    ks.setExpire(c.db, key, expireAt);
    notifyKeyspaceEvent(c.server, NOTIFY.GENERIC, 'expire', key, c.db.id);
  }
  c.server.dirty++;
  if (o.get) c.reply.bulkOrNull(old);
  else okReply(c);
  return true;
}

/** SET key value's options, and its replies: a plain SET allocates no options or closures. */
const NO_SET_OPTIONS: ExtendedOptions = { condition: null, get: false, keepTtl: false, persist: false, unit: null, expireArg: null };
const replyOk = (c: Client): void => c.reply.ok();
const replyNullBulk = (c: Client): void => c.reply.nullBulk();

function set(c: Client, argv: string[]): void {
  const o = argv.length === 3 ? NO_SET_OPTIONS : parseExtendedOptions(c, argv, true);
  if (o === null) return;
  let expireAt: number | null = null;
  if (o.unit !== null) {
    expireAt = expireMsOrReply(c, o.unit, o.expireArg!, 'set');
    if (expireAt === null) return;
  }
  const key = argv[1];
  const wrote = setGeneric(c, key, argv[2], o, expireAt, replyOk, replyNullBulk);
  // An expiring SET propagates with PXAT; anything else as sent (NX/XX/GET are harmless there).
  if (wrote && expireAt !== null && o.unit !== 'pxat') c.propagateArgv = ['SET', key, argv[2], 'PXAT', String(expireAt)];
}

const PLAIN_SET = { condition: null, get: false, keepTtl: false };

function setnx(c: Client, argv: string[]): void {
  setGeneric(c, argv[1], argv[2], { ...PLAIN_SET, condition: 'nx' }, null, () => c.reply.int(1), () => c.reply.int(0));
}

/** SETEX / PSETEX key time value: propagated as SET key value PXAT <abs>. */
function setWithTtl(unit: 'ex' | 'px', cmdName: string) {
  return (c: Client, argv: string[]): void => {
    const expireAt = expireMsOrReply(c, unit, argv[2], cmdName);
    if (expireAt === null) return;
    setGeneric(c, argv[1], argv[3], PLAIN_SET, expireAt, () => c.reply.ok(), () => c.reply.ok());
    c.propagateArgv = ['SET', argv[1], argv[3], 'PXAT', String(expireAt)];
  };
}

function getset(c: Client, argv: string[]): void {
  if (setGeneric(c, argv[1], argv[2], { ...PLAIN_SET, get: true }, null, () => undefined, () => undefined)) {
    c.propagateArgv = ['SET', argv[1], argv[2]];
  }
}

/** DEL or UNLINK, as lazyfree-lazy-user-del / lazyfree-lazy-expire make Redis propagate. */
function deleteVerb(c: Client, lazyConfig: string): string {
  return c.server.config.bool(lazyConfig) ? 'UNLINK' : 'DEL';
}

function getdel(c: Client, argv: string[]): void {
  const v = getString(c, argv[1]);
  if (v === null) return;
  c.reply.bulkOrNull(v);
  if (v !== undefined && c.server.keyspace.delete(c.db, argv[1])) {
    notifyKeyspaceEvent(c.server, NOTIFY.GENERIC, 'del', argv[1], c.db.id);
    c.server.dirty++;
    c.propagateArgv = [deleteVerb(c, 'lazyfree-lazy-user-del'), argv[1]];
  }
}

function getex(c: Client, argv: string[]): void {
  const o = parseExtendedOptions(c, argv, false);
  if (o === null) return;
  const key = argv[1];
  const v = getString(c, key);
  if (v === null) return;
  if (v === undefined) {
    c.reply.nullBulk();
    return;
  }
  let when: number | null = null;
  if (o.unit !== null) {
    when = expireMsOrReply(c, o.unit, o.expireArg!, 'getex');
    if (when === null) return;
  }
  c.reply.bulk(v);
  const ks = c.server.keyspace;
  if ((o.unit === 'exat' || o.unit === 'pxat') && alreadyExpired(c, when!)) {
    ks.delete(c.db, key);
    notifyKeyspaceEvent(c.server, NOTIFY.GENERIC, 'del', key, c.db.id);
    c.server.dirty++;
    c.propagateArgv = [deleteVerb(c, 'lazyfree-lazy-expire'), key];
  } else if (when !== null) {
    ks.setExpire(c.db, key, when);
    notifyKeyspaceEvent(c.server, NOTIFY.GENERIC, 'expire', key, c.db.id);
    c.server.dirty++;
    c.propagateArgv = ['PEXPIREAT', key, String(when)];
  } else if (o.persist && ks.persist(c.db, key)) {
    notifyKeyspaceEvent(c.server, NOTIFY.GENERIC, 'persist', key, c.db.id);
    c.server.dirty++;
    c.propagateArgv = ['PERSIST', key];
  }
}

/**
 * checkAlreadyExpired: an absolute time already in the past deletes the key at once, except
 * while loading or on a replica (which waits for its master's DEL).
 */
export function alreadyExpired(c: Client, whenMs: number): boolean {
  const ks = c.server.keyspace;
  return whenMs <= ks.now && !c.server.loading && ks.expiryMode === 'delete';
}

function mget(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  c.reply.arrayHeader(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const v = ks.lookupRead(c.db, argv[i]);
    if (typeof v === 'string') c.reply.bulk(v);
    else c.reply.nullBulk();
  }
}

function msetGeneric(c: Client, argv: string[], nx: boolean): void {
  if (argv.length % 2 === 0) {
    c.reply.error(`ERR wrong number of arguments for '${nx ? 'msetnx' : 'mset'}' command`);
    return;
  }
  const ks = c.server.keyspace;
  if (nx) {
    for (let i = 1; i < argv.length; i += 2) {
      if (ks.exists(c.db, argv[i])) {
        c.reply.int(0);
        return;
      }
    }
  }
  for (let i = 1; i < argv.length; i += 2) {
    ks.set(c.db, argv[i], argv[i + 1]);
    notifyKeyspaceEvent(c.server, NOTIFY.STRING, 'set', argv[i], c.db.id);
  }
  c.server.dirty += (argv.length - 1) / 2;
  if (nx) c.reply.int(1);
  else c.reply.ok();
}

// -------------------------------------------------------------------------------------------
// Counters
// -------------------------------------------------------------------------------------------

/** Fast check for a decimal that is surely a safe integer (at most 15 digits, strict form). */
const SMALL_INT = /^-?[1-9][0-9]{0,14}$|^0$/;
/** Increments up to 2^52 added to a value of at most 15 digits stay exact in doubles. */
const SMALL_INCREMENT = 2 ** 52;

/** INCR/DECR/INCRBY/DECRBY: `by` is a number when |by| <= 2^52, else a bigint. */
function incrDecr(c: Client, key: string, by: number | bigint): void {
  const v = getStringForWrite(c, key);
  if (v === null) return;
  let next: string;
  if (typeof by === 'number' && (v === undefined || SMALL_INT.test(v))) {
    next = String((v === undefined ? 0 : Number(v)) + by);
  } else {
    const cur = v === undefined ? 0n : parseStrictInt64(v);
    if (cur === null) {
      c.reply.error(ERR_NOT_INTEGER);
      return;
    }
    const r = cur + BigInt(by);
    if (r > INT64_MAX || r < INT64_MIN) {
      c.reply.error(ERR_OVERFLOW);
      return;
    }
    next = String(r);
  }
  const ks = c.server.keyspace;
  if (v === undefined) ks.set(c.db, key, next);
  else ks.overwrite(c.db, key, next);
  notifyKeyspaceEvent(c.server, NOTIFY.STRING, 'incrby', key, c.db.id);
  c.server.dirty++;
  c.reply.raw(':' + next + '\r\n');
}

function incrByCommand(sign: 1 | -1) {
  return (c: Client, argv: string[]): void => {
    const by = parseStrictInt64(argv[2]);
    if (by === null) {
      c.reply.error(ERR_NOT_INTEGER);
      return;
    }
    if (sign < 0 && by === INT64_MIN) {
      c.reply.error('ERR decrement would overflow');
      return;
    }
    const signed = sign < 0 ? -by : by;
    incrDecr(c, argv[1], signed >= -SMALL_INCREMENT && signed <= SMALL_INCREMENT ? Number(signed) : signed);
  };
}

function incrbyfloat(c: Client, argv: string[]): void {
  const key = argv[1];
  const v = getStringForWrite(c, key);
  if (v === null) return;
  const cur = v === undefined ? LD_ZERO : parseLongDouble(v);
  const incr = cur === null ? null : parseLongDouble(argv[2]);
  if (cur === null || incr === null) {
    c.reply.error(ERR_NOT_FLOAT);
    return;
  }
  const sum = addLongDouble(cur, incr);
  if (sum === null) {
    c.reply.error('ERR increment would produce NaN or Infinity');
    return;
  }
  const text = formatLongDoubleHuman(sum);
  const ks = c.server.keyspace;
  if (v === undefined) ks.set(c.db, key, text);
  else ks.overwrite(c.db, key, text);
  markStringEncoding(c.server, c.db, key, 'embstr');
  notifyKeyspaceEvent(c.server, NOTIFY.STRING, 'incrbyfloat', key, c.db.id);
  c.server.dirty++;
  c.reply.bulk(text);
  c.propagateArgv = ['SET', key, text, 'KEEPTTL'];
}

// -------------------------------------------------------------------------------------------
// Long double (x87 80-bit extended) emulation for INCRBYFLOAT.
//
// Redis parses both operands with strtold, adds them in long double and prints "%.17Lf" with
// trailing zeros trimmed. Doubles give different text as soon as the extra 11 bits of mantissa
// matter (10.5 + 0.1 is "10.6" in long double, "10.59999999999999964" in double), so values are
// kept exactly as sign * m * 2^e with a 64-bit mantissa and every step rounds half-to-even on
// exact BigInt arithmetic, as the FPU does.
// -------------------------------------------------------------------------------------------

export interface LongDouble {
  neg: boolean;
  /** Exact value is m * 2^e; m < 2^64. Infinity is m = -1n. */
  m: bigint;
  e: number;
}

const LD_MANT_BITS = 64;
/** Smallest exponent of a mantissa bit (subnormals reach 2^-16445); largest finite < 2^16384. */
const LD_MIN_LSB = -16445;
const LD_MAX_EXP = 16384;
const LD_ZERO: LongDouble = { neg: false, m: 0n, e: 0 };
const LD_INF = -1n;
/** strtold's buffer in Redis's string2ld: longer inputs are not floats. */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Rounds n * 2^e (n >= 0; `sticky` says a nonzero tail below n's last bit was cut off) to the
 * nearest long double, ties to even. Returns an infinity on overflow.
 */
function roundLongDouble(neg: boolean, n: bigint, e: number, sticky: boolean): LongDouble {
  if (n === 0n) return { neg, m: 0n, e: 0 };
  const msb = e + bitLength(n) - 1;
  const lsb = Math.max(msb - (LD_MANT_BITS - 1), LD_MIN_LSB);
  let m = n;
  if (lsb > e) {
    const shift = BigInt(lsb - e);
    m = n >> shift;
    const rest = n - (m << shift);
    const half = 1n << (shift - 1n);
    if (rest > half || (rest === half && (sticky || (m & 1n) === 1n))) m += 1n;
    e = lsb;
  }
  if (m !== 0n && e + bitLength(m) - 1 >= LD_MAX_EXP) return { neg, m: LD_INF, e: 0 };
  return { neg, m, e };
}

/** string2ld: strtold over the whole string; NaN, overflow, underflow to zero are rejected. */
export function parseLongDouble(s: string): LongDouble | null {
  if (s.length === 0 || s.length >= MAX_LONG_DOUBLE_CHARS) return null;
  const special = /^([+-]?)(inf|infinity)$/i.exec(s);
  if (special) return { neg: special[1] === '-', m: LD_INF, e: 0 };
  const hex = /^([+-]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/i.exec(s);
  if (hex) {
    const digits = hex[2] + (hex[3] ?? '');
    if (digits.length === 0) return null;
    const exp = Number(hex[4] ?? '0') - 4 * (hex[3] ?? '').length;
    return nonZeroResult(roundLongDouble(hex[1] === '-', BigInt('0x' + digits), Math.max(Math.min(exp, 1e6), -1e6), false), digits);
  }
  const dec = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(s);
  if (!dec) return null;
  const digits = dec[2] + (dec[3] ?? '');
  if (digits.length === 0) return null;
  const neg = dec[1] === '-';
  const d = BigInt(digits);
  const exp10 = Number(dec[4] ?? '0') - (dec[3] ?? '').length;
  if (d === 0n) return { neg, m: 0n, e: 0 };
  const magnitude = exp10 + digits.replace(/^0+/, '').length;
  if (magnitude > 4940) return null; // > 1e4939: overflows long double
  if (magnitude < -4960) return null; // < 1e-4960: underflows to zero
  if (exp10 >= 0) return nonZeroResult(roundLongDouble(neg, d * 10n ** BigInt(exp10), 0, false), digits);
  // d / 10^k: take a quotient with at least 66 significant bits, remember the remainder.
  const p = 10n ** BigInt(-exp10);
  const shift = Math.max(0, LD_MANT_BITS + 2 + bitLength(p) - bitLength(d));
  const scaled = d << BigInt(shift);
  const q = scaled / p;
  return nonZeroResult(roundLongDouble(neg, q, -shift, q * p !== scaled), digits);
}

/** Overflow (ERANGE to HUGE_VALL) and underflow to zero are not valid floats for Redis. */
function nonZeroResult(v: LongDouble, digits: string): LongDouble | null {
  if (v.m === LD_INF) return null;
  if (v.m === 0n && /[1-9a-f]/i.test(digits)) return null;
  return v;
}

/** a + b rounded to long double; null when the result is NaN or infinite. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.m === LD_INF || b.m === LD_INF) return null;
  if (a.m === 0n) return b.m === 0n ? { neg: a.neg && b.neg, m: 0n, e: 0 } : b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const av = a.m << BigInt(a.e - e);
  const bv = b.m << BigInt(b.e - e);
  const sum = (a.neg ? -av : av) + (b.neg ? -bv : bv);
  const r = roundLongDouble(sum < 0n, sum < 0n ? -sum : sum, e, false);
  return r.m === LD_INF ? null : r;
}

/** printf("%.17Lf") with trailing zeros (and a bare '.') removed, "-0" printed as "0". */
export function formatLongDoubleHuman(v: LongDouble): string {
  if (v.m === LD_INF) return v.neg ? '-inf' : 'inf';
  const SCALE = 10n ** 17n;
  let t: bigint;
  if (v.e >= 0) {
    t = (v.m << BigInt(v.e)) * SCALE;
  } else {
    const num = v.m * SCALE;
    const shift = BigInt(-v.e);
    t = num >> shift;
    const rest = num - (t << shift);
    const half = 1n << (shift - 1n);
    if (rest > half || (rest === half && (t & 1n) === 1n)) t += 1n;
  }
  const int = (t / SCALE).toString();
  const frac = (t % SCALE).toString().padStart(17, '0').replace(/0+$/, '');
  const text = (v.neg ? '-' : '') + int + (frac.length > 0 ? '.' + frac : '');
  return text === '-0' ? '0' : text;
}

// -------------------------------------------------------------------------------------------
// Byte-range commands
// -------------------------------------------------------------------------------------------

function append(c: Client, argv: string[]): void {
  const key = argv[1];
  const v = getStringForWrite(c, key);
  if (v === null) return;
  const ks = c.server.keyspace;
  let next: string;
  if (v === undefined) {
    next = argv[2];
    ks.set(c.db, key, next);
  } else {
    if (!stringLengthOk(c, v.length + argv[2].length)) return;
    next = v + argv[2];
    ks.overwrite(c.db, key, next);
    markStringEncoding(c.server, c.db, key, 'raw');
  }
  notifyKeyspaceEvent(c.server, NOTIFY.STRING, 'append', key, c.db.id);
  c.server.dirty++;
  c.reply.int(next.length);
}

function strlen(c: Client, argv: string[]): void {
  const v = getString(c, argv[1]);
  if (v === null) return;
  c.reply.int(v === undefined ? 0 : v.length);
}

/** An int64 argument as a JS number (exact up to 2^53, order-preserving beyond). */
function int64ArgAsNumber(c: Client, s: string): number | null {
  const n = parseStrictInt64(s);
  if (n === null) {
    c.reply.error(ERR_NOT_INTEGER);
    return null;
  }
  return Number(n);
}

function getrange(c: Client, argv: string[]): void {
  let start = int64ArgAsNumber(c, argv[2]);
  if (start === null) return;
  let end = int64ArgAsNumber(c, argv[3]);
  if (end === null) return;
  const v = getString(c, argv[1]);
  if (v === null) return;
  const s = v ?? '';
  const len = s.length;
  if (start < 0 && end < 0 && start > end) {
    c.reply.bulk('');
    return;
  }
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) c.reply.bulk('');
  else c.reply.bulk(s.slice(start, end + 1));
}

function setrange(c: Client, argv: string[]): void {
  const key = argv[1];
  const value = argv[3];
  const offset = int64ArgAsNumber(c, argv[2]);
  if (offset === null) return;
  if (offset < 0) {
    c.reply.error('ERR offset is out of range');
    return;
  }
  const v = getStringForWrite(c, key);
  if (v === null) return;
  if (value.length === 0) {
    c.reply.int(v === undefined ? 0 : v.length);
    return;
  }
  if (!stringLengthOk(c, offset + value.length)) return;
  const old = v ?? '';
  const head = old.length >= offset ? old.slice(0, offset) : old + '\0'.repeat(offset - old.length);
  const next = head + value + old.slice(offset + value.length);
  const ks = c.server.keyspace;
  if (v === undefined) ks.set(c.db, key, next);
  else ks.overwrite(c.db, key, next);
  markStringEncoding(c.server, c.db, key, 'raw');
  notifyKeyspaceEvent(c.server, NOTIFY.STRING, 'setrange', key, c.db.id);
  c.server.dirty++;
  c.reply.int(next.length);
}

// -------------------------------------------------------------------------------------------
// LCS
// -------------------------------------------------------------------------------------------

function lcs(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const va = ks.lookupRead(c.db, argv[1]);
  const vb = ks.lookupRead(c.db, argv[2]);
  if ((va !== undefined && typeof va !== 'string') || (vb !== undefined && typeof vb !== 'string')) {
    c.reply.error('ERR The specified keys must contain string values');
    return;
  }
  const a = (va as string | undefined) ?? '';
  const b = (vb as string | undefined) ?? '';
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    if (opt === 'idx') getIdx = true;
    else if (opt === 'len') getLen = true;
    else if (opt === 'withmatchlen') withMatchLen = true;
    else if (opt === 'minmatchlen' && j + 1 < argv.length) {
      const n = int64ArgAsNumber(c, argv[++j]);
      if (n === null) return;
      minMatchLen = Math.max(n, 0);
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  if (getIdx && getLen) {
    c.reply.error('ERR If you want both the length and indexes, please just use IDX.');
    return;
  }
  const alen = a.length;
  const blen = b.length;
  const cells = (alen + 1) * (blen + 1);
  if (cells * 4 > c.server.config.int('proto-max-bulk-len')) {
    c.reply.error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
    return;
  }
  // dp[i * (blen + 1) + j] = length of the LCS of a[0..i) and b[0..j).
  const w = blen + 1;
  let dp: Uint32Array;
  try {
    dp = new Uint32Array(cells);
  } catch {
    c.reply.error('ERR Insufficient memory, failed allocating transient memory for LCS');
    return;
  }
  for (let i = 1; i <= alen; i++) {
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= blen; j++) {
      if (ai === b.charCodeAt(j - 1)) dp[i * w + j] = dp[(i - 1) * w + j - 1] + 1;
      else dp[i * w + j] = Math.max(dp[(i - 1) * w + j], dp[i * w + j - 1]);
    }
  }
  const total = dp[alen * w + blen];
  if (getLen) {
    c.reply.int(total);
    return;
  }
  // Walk back from the end, collecting the LCS bytes and, for IDX, the matching ranges in the
  // order Redis emits them (from the end of the strings).
  const out: string[] = new Array(total);
  const ranges: number[][] = [];
  let idx = total;
  let aStart = alen; // alen: no range open
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      out[idx - 1] = a[i - 1];
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (dp[(i - 1) * w + j] > dp[i * w + j - 1]) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (minMatchLen === 0 || matchLen >= minMatchLen) ranges.push([aStart, aEnd, bStart, bEnd, matchLen]);
      aStart = alen;
    }
  }
  if (!getIdx) {
    c.reply.bulk(out.join(''));
    return;
  }
  c.reply.mapHeader(2);
  c.reply.bulk('matches');
  c.reply.arrayHeader(ranges.length);
  for (const [as, ae, bs, be, len] of ranges) {
    c.reply.arrayHeader(withMatchLen ? 3 : 2);
    c.reply.arrayHeader(2);
    c.reply.int(as);
    c.reply.int(ae);
    c.reply.arrayHeader(2);
    c.reply.int(bs);
    c.reply.int(be);
    if (withMatchLen) c.reply.int(len);
  }
  c.reply.bulk('len');
  c.reply.int(total);
}

// -------------------------------------------------------------------------------------------
// Definitions (flags, key specs and categories as Redis 7.0's COMMAND INFO shows them)
// -------------------------------------------------------------------------------------------

const KEY1 = { firstKey: 1, lastKey: 1, step: 1 };
const STR = { categories: ['string'], group: 'string' };

export const STRING_COMMANDS: CommandSpec[] = [
  command({ name: 'get', arity: 2, flags: ['readonly', 'fast'], ...KEY1, ...STR, summary: 'Get the value of a key', since: '1.0.0', complexity: 'O(1)', handler: get }),
  command({ name: 'set', arity: -3, flags: ['write', 'denyoom'], ...KEY1, ...STR, summary: 'Set the string value of a key', since: '1.0.0', complexity: 'O(1)', handler: set }),
  command({ name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], ...KEY1, ...STR, summary: 'Set the value of a key, only if the key does not exist', since: '1.0.0', complexity: 'O(1)', handler: setnx }),
  command({ name: 'setex', arity: 4, flags: ['write', 'denyoom'], ...KEY1, ...STR, summary: 'Set the value and expiration of a key', since: '2.0.0', complexity: 'O(1)', handler: setWithTtl('ex', 'setex') }),
  command({ name: 'psetex', arity: 4, flags: ['write', 'denyoom'], ...KEY1, ...STR, summary: 'Set the value and expiration in milliseconds of a key', since: '2.6.0', complexity: 'O(1)', handler: setWithTtl('px', 'psetex') }),
  command({ name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], ...KEY1, ...STR, summary: 'Set the string value of a key and return its old value', since: '1.0.0', complexity: 'O(1)', handler: getset }),
  command({ name: 'getdel', arity: 2, flags: ['write', 'fast'], ...KEY1, ...STR, summary: 'Get the value of a key and delete the key', since: '6.2.0', complexity: 'O(1)', handler: getdel }),
  command({ name: 'getex', arity: -2, flags: ['write', 'fast'], ...KEY1, ...STR, summary: 'Get the value of a key and optionally set its expiration', since: '6.2.0', complexity: 'O(1)', handler: getex }),
  command({ name: 'mget', arity: -2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: -1, step: 1, ...STR, summary: 'Get the values of all the given keys', since: '1.0.0', complexity: 'O(N) where N is the number of keys to retrieve.', tips: ['request_policy:multi_shard'], handler: mget }),
  command({ name: 'mset', arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: -1, step: 2, ...STR, summary: 'Set multiple keys to multiple values', since: '1.0.1', complexity: 'O(N) where N is the number of keys to set.', tips: ['request_policy:multi_shard', 'response_policy:all_succeeded'], handler: (c, a) => msetGeneric(c, a, false) }),
  command({ name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: -1, step: 2, ...STR, summary: 'Set multiple keys to multiple values, only if none of the keys exist', since: '1.0.1', complexity: 'O(N) where N is the number of keys to set.', tips: ['request_policy:multi_shard', 'response_policy:agg_min'], handler: (c, a) => msetGeneric(c, a, true) }),
  command({ name: 'incr', arity: 2, flags: ['write', 'denyoom', 'fast'], ...KEY1, ...STR, summary: 'Increment the integer value of a key by one', since: '1.0.0', complexity: 'O(1)', handler: (c, a) => incrDecr(c, a[1], 1) }),
  command({ name: 'decr', arity: 2, flags: ['write', 'denyoom', 'fast'], ...KEY1, ...STR, summary: 'Decrement the integer value of a key by one', since: '1.0.0', complexity: 'O(1)', handler: (c, a) => incrDecr(c, a[1], -1) }),
  command({ name: 'incrby', arity: 3, flags: ['write', 'denyoom', 'fast'], ...KEY1, ...STR, summary: 'Increment the integer value of a key by the given amount', since: '1.0.0', complexity: 'O(1)', handler: incrByCommand(1) }),
  command({ name: 'decrby', arity: 3, flags: ['write', 'denyoom', 'fast'], ...KEY1, ...STR, summary: 'Decrement the integer value of a key by the given number', since: '1.0.0', complexity: 'O(1)', handler: incrByCommand(-1) }),
  command({ name: 'incrbyfloat', arity: 3, flags: ['write', 'denyoom', 'fast'], ...KEY1, ...STR, summary: 'Increment the float value of a key by the given amount', since: '2.6.0', complexity: 'O(1)', handler: incrbyfloat }),
  command({ name: 'append', arity: 3, flags: ['write', 'denyoom', 'fast'], ...KEY1, ...STR, summary: 'Append a value to a key', since: '2.0.0', complexity: 'O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.', handler: append }),
  command({ name: 'strlen', arity: 2, flags: ['readonly', 'fast'], ...KEY1, ...STR, summary: 'Get the length of the value stored in a key', since: '2.2.0', complexity: 'O(1)', handler: strlen }),
  command({ name: 'getrange', arity: 4, flags: ['readonly'], ...KEY1, ...STR, summary: 'Get a substring of the string stored at a key', since: '2.4.0', complexity: 'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.', handler: getrange }),
  command({ name: 'substr', arity: 4, flags: ['readonly'], ...KEY1, ...STR, summary: 'Get a substring of the string stored at a key', since: '1.0.0', complexity: 'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.', handler: getrange }),
  command({ name: 'setrange', arity: 4, flags: ['write', 'denyoom'], ...KEY1, ...STR, summary: 'Overwrite part of a string at key starting at the specified offset', since: '2.2.0', complexity: 'O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.', handler: setrange }),
  command({ name: 'lcs', arity: -3, flags: ['readonly'], firstKey: 1, lastKey: 2, step: 1, ...STR, summary: 'Find longest common substring', since: '7.0.0', complexity: 'O(N*M) where N and M are the lengths of s1 and s2, respectively', handler: lcs }),
];
