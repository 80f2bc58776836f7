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


/** Bytes to digest: a latin1 string (one char per byte) or raw bytes. */
type Bytes = string | Uint8Array;

// ---------------------------------------------------------------------------------------------
// SHA-1. A digest hashes several tiny inputs per key (keys, type codes, 20-byte digests), where
// the native createHash costs 4-5x more than hashing in JS (measured: ~5 us vs ~24 us per call on
// this machine), so small inputs are hashed here and large ones natively.
// ---------------------------------------------------------------------------------------------

/** Inputs longer than this go to the native implementation. */
const NATIVE_FROM = 1024;
const W = new Int32Array(80);
let padded = new Uint8Array(2 * NATIVE_FROM);

/** Writes SHA1(data) into out[0..20). */
function sha1(data: Bytes, out: Uint8Array): void {
  const len = data.length;
  if (len > NATIVE_FROM) {
    out.set(createHash('sha1').update(typeof data === 'string' ? Buffer.from(data, 'latin1') : data).digest());
    return;
  }
  const total = (((len + 8) >> 6) + 1) * 64;
  const p = padded;
  if (typeof data === 'string') for (let i = 0; i < len; i++) p[i] = data.charCodeAt(i);
  else p.set(data);
  p[len] = 0x80;
  p.fill(0, len + 1, total);
  const bits = len * 8;
  p[total - 4] = bits >>> 24;
  p[total - 3] = (bits >>> 16) & 0xff;
  p[total - 2] = (bits >>> 8) & 0xff;
  p[total - 1] = bits & 0xff;
  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;
  for (let base = 0; base < total; base += 64) {
    for (let i = 0; i < 16; i++) {
      const q = base + i * 4;
      W[i] = (p[q] << 24) | (p[q + 1] << 16) | (p[q + 2] << 8) | p[q + 3];
    }
    for (let i = 16; i < 80; i++) {
      const x = W[i - 3] ^ W[i - 8] ^ W[i - 14] ^ W[i - 16];
      W[i] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let i = 0; i < 80; i++) {
      const f = i < 20 ? (b & c) | (~b & d) : i < 40 || i >= 60 ? b ^ c ^ d : (b & c) | (b & d) | (c & d);
      const k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? -0x70e44324 : -0x359d3e2a;
      const t = (((a << 5) | (a >>> 27)) + f + e + k + W[i]) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  const h = [h0, h1, h2, h3, h4];
  for (let i = 0; i < 5; i++) {
    out[i * 4] = h[i] >>> 24;
    out[i * 4 + 1] = (h[i] >>> 16) & 0xff;
    out[i * 4 + 2] = (h[i] >>> 8) & 0xff;
    out[i * 4 + 3] = h[i] & 0xff;
  }
}

/** SHA1 of `data` as a fresh Buffer (tests compare it with node:crypto). */
export function sha1Of(data: Bytes): Buffer {
  const out = Buffer.alloc(DIGEST_LEN);
  sha1(data, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Redis's digest primitives
// ---------------------------------------------------------------------------------------------

const hashed = new Uint8Array(DIGEST_LEN);

/** digest ^= SHA1(data). */
function xorDigest(digest: Uint8Array, data: Bytes): void {
  sha1(data, hashed);
  for (let i = 0; i < DIGEST_LEN; i++) digest[i] ^= hashed[i];
}

/** digest = SHA1(digest ^ SHA1(data)). */
function mixDigest(digest: Uint8Array, data: Bytes): void {
  xorDigest(digest, data);
  sha1(digest, digest);
}

/** Type codes and database numbers are mixed in as 4 big-endian bytes. */
function uint32be(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** Redis's object type numbers (OBJ_STRING, OBJ_LIST, OBJ_SET, OBJ_ZSET, OBJ_HASH), as mixed in. */
const TYPE_CODE = { string: uint32be(0), list: uint32be(1), set: uint32be(2), zset: uint32be(3), hash: uint32be(4) };

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
  mixDigest(d, a);
  mixDigest(d, b);
  return d;
}

/** Mixes a value (and its TTL marker) into `digest`, as Redis's xorObjectDigest. */
function valueDigest(digest: Uint8Array, value: Value, hasExpire: boolean): void {
  if (typeof value === 'string') {
    mixDigest(digest, TYPE_CODE.string);
    mixDigest(digest, value);
  } else if (value instanceof ListValue) {
    mixDigest(digest, TYPE_CODE.list);
    const items = value.items;
    for (let i = 0; i < items.length; i++) mixDigest(digest, items.get(i)!);
  } else if (value instanceof SetValue) {
    mixDigest(digest, TYPE_CODE.set);
    for (const m of value.set) xorDigest(digest, m);
  } else if (value instanceof HashValue) {
    mixDigest(digest, TYPE_CODE.hash);
    for (const [f, v] of value.map) xorDigest(digest, pairDigest(f, v));
  } else {
    mixDigest(digest, TYPE_CODE.zset);
    for (const [m, score] of value.zset.entries()) xorDigest(digest, pairDigest(m, formatG17(score)));
  }
  if (hasExpire) xorDigest(digest, '!!expire!!');
}

/** The digest of one key (its name mixed in, then its value), written into `d`. */
function keyDigest(db: Database, key: string, value: Value, d: Uint8Array): Uint8Array {
  d.fill(0);
  mixDigest(d, key);
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
  const perKey = new Uint8Array(DIGEST_LEN);
  for (const db of dbs) {
    if (db.dict.size === 0) continue;
    mixDigest(final, uint32be(db.id));
    for (const [key, value] of db.dict) xorDigest(final, keyDigest(db, key, value, perKey));
  }
  return final.toString('hex');
}
