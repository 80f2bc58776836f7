// DEBUG DIGEST / DIGEST-VALUE: a SHA1-based fingerprint of the dataset, computed bit for bit as
// Redis 7.0 computes it (debug.c), so a Tandem and a real Redis holding the same data report the
// same 40 hex digits. Tests and replication checks compare servers with it.
//
// The scheme: xorDigest(d, data) xors SHA1(data) into d (order-independent, used for unordered
// collections); mixDigest(d, data) sets d = SHA1(d xor SHA1(data)) (order-dependent). Per key:
// mix the key, mix the type as a big-endian uint32, then the value (strings and list elements
// mixed in order; set members xored; hash fields and zset members each digested on their own as
// mix(field), mix(value or score) and the result xored), then the constant "!!expire!!" xored in
// when the key has a TTL. The dataset digest mixes each non-empty database's index (uint32 BE)
// and xors every key's digest into it. An empty dataset digests to 40 zeros.

import { createHash } from 'node:crypto';
import { Database } from './keyspace';
import { Value, ListValue, HashValue, SetValue } from './values';

const DIGEST_LEN = 20;

/** Redis's object type numbers (OBJ_STRING, OBJ_LIST, OBJ_SET, OBJ_ZSET, OBJ_HASH). */
const TYPE_CODE = { string: 0, list: 1, set: 2, zset: 3, hash: 4 } as const;

function sha1(data: Buffer): Buffer {
  return createHash('sha1').update(data).digest();
}

function bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/** digest ^= SHA1(data). */
export function xorDigest(digest: Buffer, data: Buffer): void {
  const h = sha1(data);
  for (let i = 0; i < DIGEST_LEN; i++) digest[i] ^= h[i];
}

/** digest = SHA1(digest ^ SHA1(data)). */
export function mixDigest(digest: Buffer, data: Buffer): void {
  xorDigest(digest, data);
  sha1(digest).copy(digest);
}

function uint32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** A double as C's printf("%.17g") prints it, which Redis 7.0 uses for zset scores here. */
export function formatG17(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa, expText] = x.toExponential(16).split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 17) {
    const m = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
    const e = Math.abs(exp);
    return `${m}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' + e : e}`;
  }
  const fixed = x.toFixed(16 - exp);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** The digest of one field/value pair of an unordered collection (hash field, zset member). */
function pairDigest(a: string, b: string): Buffer {
  const d = Buffer.alloc(DIGEST_LEN);
  mixDigest(d, bytes(a));
  mixDigest(d, bytes(b));
  return d;
}

/** Mixes a value (and its TTL marker) into `digest`, as Redis's xorObjectDigest. */
export function valueDigest(digest: Buffer, value: Value, hasExpire: boolean): void {
  if (typeof value === 'string') {
    mixDigest(digest, uint32be(TYPE_CODE.string));
    mixDigest(digest, bytes(value));
  } else if (value instanceof ListValue) {
    mixDigest(digest, uint32be(TYPE_CODE.list));
    const items = value.items;
    for (let i = 0; i < items.length; i++) mixDigest(digest, bytes(items.get(i)!));
  } else if (value instanceof SetValue) {
    mixDigest(digest, uint32be(TYPE_CODE.set));
    for (const m of value.set) xorDigest(digest, bytes(m));
  } else if (value instanceof HashValue) {
    mixDigest(digest, uint32be(TYPE_CODE.hash));
    for (const [f, v] of value.map) xorDigest(digest, pairDigest(f, v));
  } else {
    mixDigest(digest, uint32be(TYPE_CODE.zset));
    for (const [m, score] of value.zset.entries()) xorDigest(digest, pairDigest(m, formatG17(score)));
  }
  if (hasExpire) xorDigest(digest, bytes('!!expire!!'));
}

/** The digest of one key: its name mixed in, then its value. */
export function keyDigest(db: Database, key: string, value: Value): Buffer {
  const d = Buffer.alloc(DIGEST_LEN);
  mixDigest(d, bytes(key));
  valueDigest(d, value, db.expires.has(key));
  return d;
}

/** DEBUG DIGEST-VALUE for one key: its value digest without the key name (zeros when missing). */
export function keyValueDigest(db: Database, key: string, value: Value | undefined): string {
  const d = Buffer.alloc(DIGEST_LEN);
  if (value !== undefined) valueDigest(d, value, db.expires.has(key));
  return d.toString('hex');
}

/** DEBUG DIGEST: the whole dataset's digest as 40 hex digits. */
export function datasetDigest(dbs: readonly Database[]): string {
  const final = Buffer.alloc(DIGEST_LEN);
  for (const db of dbs) {
    if (db.dict.size === 0) continue;
    mixDigest(final, uint32be(db.id));
    for (const [key, value] of db.dict) xorDigest(final, keyDigest(db, key, value));
  }
  return final.toString('hex');
}
