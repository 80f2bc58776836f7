// Reads RDB files of versions 1 to 11: every opcode and every value encoding Redis has written
// (plain, int-encoded and LZF strings; linked lists, ziplist/quicklist/quicklist-2 lists; hashtable,
// intset and listpack sets; hashtable, zipmap, ziplist and listpack hashes; skiplist (ZSET and
// ZSET_2), ziplist and listpack sorted sets), verifying the CRC-64 trailer when it is not zero.
//
// Every read is bounds-checked and every embedded blob (ziplist, listpack, intset, zipmap) is
// validated while it is decoded, so a truncated or corrupted file always ends in an RdbError that
// names the source, the byte offset and what was wrong — never a crash, a hang or a partial load:
// loadRdb fills fresh Maps and swaps them into the databases only when the whole file was read.
//
// Streams and module values have no Tandem representation and are refused with a clear error;
// module AUX data is skipped (its self-describing opcodes make that possible) with a warning.

import type { Server } from '../server/server';
import { Value, ListValue, HashValue, SetValue, ZSetValue } from '../keyspace/values';
import { Crc64 } from './crc64';
import { lzfDecompress } from './lzf';
import { latin1 } from '../protocol/latin1';
import { KeyDelay, sleepSync } from './debug-delay';
import {
  RDB_MAX_READ_VERSION, RDB_OPCODE_AUX, RDB_OPCODE_EOF, RDB_OPCODE_EXPIRETIME, RDB_OPCODE_EXPIRETIME_MS, RDB_OPCODE_FREQ,
  RDB_OPCODE_FUNCTION2, RDB_OPCODE_FUNCTION_PRE_GA, RDB_OPCODE_IDLE, RDB_OPCODE_MODULE_AUX, RDB_OPCODE_RESIZEDB,
  RDB_OPCODE_SELECTDB, RDB_TYPE_HASH, RDB_TYPE_HASH_LISTPACK, RDB_TYPE_HASH_ZIPLIST, RDB_TYPE_HASH_ZIPMAP, RDB_TYPE_LIST,
  RDB_TYPE_LIST_QUICKLIST, RDB_TYPE_LIST_QUICKLIST_2, RDB_TYPE_LIST_ZIPLIST, RDB_TYPE_MODULE_2, RDB_TYPE_MODULE_PRE_GA,
  RDB_TYPE_SET, RDB_TYPE_SET_INTSET, RDB_TYPE_SET_LISTPACK, RDB_TYPE_STREAM_LISTPACKS, RDB_TYPE_STREAM_LISTPACKS_2,
  RDB_TYPE_STREAM_LISTPACKS_3, RDB_TYPE_STRING, RDB_TYPE_ZSET, RDB_TYPE_ZSET_2, RDB_TYPE_ZSET_LISTPACK,
  RDB_TYPE_ZSET_ZIPLIST, RDB_ENC_INT8, RDB_ENC_INT16, RDB_ENC_INT32, RDB_ENC_LZF,
  QUICKLIST_NODE_CONTAINER_PACKED, QUICKLIST_NODE_CONTAINER_PLAIN,
} from './rdb-format';

/** A malformed or unreadable RDB payload; the message says where and what. */
export class RdbError extends Error {
  constructor(
    readonly source: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${source}: ${reason} at offset ${offset}`);
  }
}

/** The size limits that choose a loaded value's encoding (Redis's *-max-listpack-* configs). */
export interface EncodingLimits {
  hashEntries: number;
  hashValue: number;
  setIntsetEntries: number;
  zsetEntries: number;
  zsetValue: number;
}

export function encodingLimits(server: Server): EncodingLimits {
  const c = server.config;
  return {
    hashEntries: c.int('hash-max-listpack-entries'),
    hashValue: c.int('hash-max-listpack-value'),
    setIntsetEntries: c.int('set-max-intset-entries'),
    zsetEntries: c.int('zset-max-listpack-entries'),
    zsetValue: c.int('zset-max-listpack-value'),
  };
}

/** What the parser hands over for each record. */
export interface RdbVisitor {
  aux?(key: string, value: string): void;
  /** A key in database `db`; expireAtMs is -1 without a TTL. */
  key(db: number, key: string, value: Value, expireAtMs: number): void;
  /** RESIZEDB hint for the database just selected. */
  resizeDb?(db: number, keys: number, expires: number): void;
  /** A FUNCTION2 library payload (the library's source code). */
  functionLibrary?(code: string): void;
  warning?(msg: string): void;
}

export interface RdbParseOptions {
  source: string;
  limits: EncodingLimits;
  /** Number of databases; a SELECTDB beyond it is an error. */
  databases: number;
  /** Verify the CRC-64 trailer (rdbchecksum). */
  verifyChecksum: boolean;
  /**
   * The checksum of payload bytes [0, end) computed elsewhere (a worker, see checksum-worker.ts),
   * or null to compute it here.
   */
  precomputedDigest?: (end: number) => Buffer | null;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** True when s is what Redis's string2ll accepts (a canonical int64): intset candidates. */
export function isInt64String(s: string): boolean {
  const len = s.length;
  if (len === 0 || len > 20) return false;
  if (!/^(-?[1-9][0-9]*|0)$/.test(s)) return false;
  if (len < 19) return true;
  const n = BigInt(s);
  return n >= INT64_MIN && n <= INT64_MAX;
}

/**
 * Thrown (instead of an RdbError) by a parser that is not `final` when a record's bytes are not all
 * there yet: the record is read again, from its start, once more bytes arrived.
 */
const INCOMPLETE = new Error('incomplete RDB record');

/**
 * A resumable RDB parser: `next()` reads one record at a time so a loader can yield to the event
 * loop between records (loading-process-events-interval-bytes). Over one complete Buffer by
 * default; a streaming parser (`final` false) is given the bytes as they arrive with `append()`
 * (see RdbStreamReader).
 */
export class RdbParser {
  /** Position in `buf` (the payload offset is `offset`). */
  pos = 0;
  version = 0;
  private db = 0;
  private expireAt = -1;
  private done = false;
  /** Decompression output, reused across LZF strings. */
  private scratch: Buffer = Buffer.allocUnsafe(4096);
  /** Payload bytes before buf[0], parsed and dropped by append(). */
  private base = 0;
  /** The CRC-64 of the dropped bytes, when verifying a streamed payload. */
  private readonly droppedCrc: Crc64 | null;

  constructor(
    private buf: Buffer,
    private readonly opts: RdbParseOptions,
    private readonly visitor: RdbVisitor,
    /** False while more bytes may follow: running out of data is then INCOMPLETE, not an error. */
    public final = true,
  ) {
    this.droppedCrc = final || !opts.verifyChecksum ? null : new Crc64();
  }

  /** Offset in the whole payload. */
  get offset(): number {
    return this.base + this.pos;
  }

  get isDone(): boolean {
    return this.done;
  }

  /** Bytes held but not parsed yet. */
  get unparsed(): number {
    return this.buf.length - this.pos;
  }

  /** Drops the parsed bytes and appends `more` after the unparsed ones (streaming). */
  append(more: Buffer[]): void {
    this.droppedCrc?.update(this.buf, 0, this.pos);
    this.base += this.pos;
    const rest = this.buf.subarray(this.pos);
    this.pos = 0;
    this.buf = rest.length === 0 && more.length === 1 ? more[0] : Buffer.concat([rest, ...more]);
  }

  fail(reason: string, at = this.pos): never {
    throw new RdbError(this.opts.source, this.base + at, reason);
  }

  /** Reads and checks the "REDIS0010" header. */
  header(): void {
    if (this.buf.length < 9 && !this.final) throw INCOMPLETE;
    if (this.buf.length < 9 || this.buf.latin1Slice(0, 5) !== 'REDIS') this.fail('Wrong signature trying to load DB from file', 0);
    const v = this.buf.latin1Slice(5, 9);
    if (!/^[0-9]{4}$/.test(v)) this.fail(`bad RDB version "${v}"`, 5);
    this.version = Number(v);
    if (this.version < 1 || this.version > RDB_MAX_READ_VERSION) this.fail(`Can't handle RDB format version ${this.version}`, 5);
    this.pos = 9;
  }

  /** Parses the whole payload. */
  parseAll(): void {
    this.header();
    while (this.next());
  }

  /** Reads one record; false after EOF (and checksum). */
  next(): boolean {
    if (this.done) return false;
    const start = this.pos;
    const type = this.u8();
    switch (type) {
      case RDB_OPCODE_EXPIRETIME:
        this.expireAt = this.u32le() * 1000;
        return true;
      case RDB_OPCODE_EXPIRETIME_MS:
        this.expireAt = this.i64leNumber();
        return true;
      case RDB_OPCODE_FREQ:
        this.u8();
        return true;
      case RDB_OPCODE_IDLE:
        this.len();
        return true;
      case RDB_OPCODE_SELECTDB: {
        const db = this.len();
        if (db >= this.opts.databases) {
          this.fail(`FATAL: Data file was created with a Redis server configured to handle more than ${this.opts.databases} databases`, start);
        }
        this.db = db;
        return true;
      }
      case RDB_OPCODE_RESIZEDB: {
        const keys = this.len();
        const expires = this.len();
        this.visitor.resizeDb?.(this.db, keys, expires);
        return true;
      }
      case RDB_OPCODE_AUX: {
        const k = this.string();
        const v = this.string();
        this.visitor.aux?.(k, v);
        return true;
      }
      case RDB_OPCODE_MODULE_AUX:
        this.skipModuleAux(start);
        return true;
      case RDB_OPCODE_FUNCTION_PRE_GA:
        this.string(); // name
        this.string(); // engine
        if (this.len() !== 0) this.string(); // description
        this.visitor.functionLibrary?.(this.string());
        return true;
      case RDB_OPCODE_FUNCTION2:
        this.visitor.functionLibrary?.(this.string());
        return true;
      case RDB_OPCODE_EOF:
        this.eof();
        return false;
      default: {
        const key = this.string();
        const value = this.value(type, start);
        const expireAt = this.expireAt;
        this.expireAt = -1;
        if (value !== null) this.visitor.key(this.db, key, value, expireAt);
        else this.visitor.warning?.(`RDB has an empty value for key '${key}' in DB ${this.db}; skipped`);
        return true;
      }
    }
  }

  /** A DUMP payload's object (type byte and value, no key), for RESTORE; null when empty. */
  object(): Value | null {
    const at = this.pos;
    return this.value(this.u8(), at);
  }

  private eof(): void {
    const eofEnd = this.pos;
    if (this.version < 5) {
      this.done = true;
      return;
    }
    const at = this.pos;
    this.need(8, 'the checksum');
    this.done = true;
    const stored = this.buf.subarray(at, at + 8);
    this.pos += 8;
    if (!this.opts.verifyChecksum || stored.every((b) => b === 0)) return;
    const actual = (this.base === 0 ? this.opts.precomputedDigest?.(eofEnd) : null) ??
      (this.droppedCrc ?? new Crc64()).update(this.buf, 0, eofEnd).digestLE();
    if (!actual.equals(stored)) {
      this.fail(`Wrong RDB checksum expected: (${hex64(stored)}) got (${hex64(actual)})`, at);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Primitives
  // -------------------------------------------------------------------------------------------

  private need(n: number, what: string): void {
    if (this.pos + n <= this.buf.length) return;
    if (!this.final) throw INCOMPLETE;
    this.fail(`unexpected end of data reading ${what} (${n} bytes, ${this.buf.length - this.pos} left)`);
  }

  private skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }

  private u8(): number {
    if (this.pos >= this.buf.length) {
      if (!this.final) throw INCOMPLETE;
      this.fail('unexpected end of data (missing EOF opcode?)');
    }
    return this.buf[this.pos++];
  }

  private u32le(): number {
    this.need(4, 'a 32-bit integer');
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  private i64leNumber(): number {
    this.need(8, 'a 64-bit integer');
    const lo = this.buf.readUInt32LE(this.pos);
    const hi = this.buf.readInt32LE(this.pos + 4);
    this.pos += 8;
    return hi * 0x100000000 + lo;
  }

  /** A length; fails on the "encoded value" form (use lenOrEncoding for strings). */
  len(): number {
    const at = this.pos;
    const r = this.lenOrEncoding();
    if (r < 0) this.fail('a string encoding where a length was expected', at);
    return r;
  }

  /** A length (>= 0) or -1 - encoding for the special string encodings. */
  private lenOrEncoding(): number {
    const b = this.u8();
    const kind = b >> 6;
    if (kind === 0) return b & 0x3f;
    if (kind === 1) return ((b & 0x3f) << 8) | this.u8();
    if (kind === 3) return -1 - (b & 0x3f);
    if (b === 0x80) {
      this.need(4, 'a 32-bit length');
      const v = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return v;
    }
    if (b === 0x81) {
      this.need(8, 'a 64-bit length');
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`length ${v} out of range`, this.pos - 9);
      return Number(v);
    }
    return this.fail(`unknown length encoding 0x${b.toString(16)}`, this.pos - 1);
  }

  /** An RDB string as a latin1 JS string. */
  string(): string {
    const at = this.pos;
    const n = this.lenOrEncoding();
    if (n >= 0) {
      this.need(n, 'a string');
      const s = latin1(this.buf, this.pos, n);
      this.pos += n;
      return s;
    }
    const enc = -1 - n;
    switch (enc) {
      case RDB_ENC_INT8:
        this.need(1, 'an 8-bit integer');
        return String(this.buf.readInt8(this.pos++));
      case RDB_ENC_INT16: {
        this.need(2, 'a 16-bit integer');
        const v = this.buf.readInt16LE(this.pos);
        this.pos += 2;
        return String(v);
      }
      case RDB_ENC_INT32: {
        this.need(4, 'a 32-bit integer');
        const v = this.buf.readInt32LE(this.pos);
        this.pos += 4;
        return String(v);
      }
      case RDB_ENC_LZF: {
        const len = this.lzfBytes(at);
        return this.scratch.latin1Slice(0, len);
      }
      default:
        return this.fail(`unknown string encoding ${enc}`, at);
    }
  }

  /**
   * An RDB string as bytes (ziplist/listpack/intset blobs), without copying when stored raw.
   * A compressed one lives in `scratch`: callers decode it before reading anything else.
   */
  private blob(): Buffer {
    const at = this.pos;
    const n = this.lenOrEncoding();
    if (n >= 0) {
      this.need(n, 'a string');
      this.pos += n;
      return this.buf.subarray(this.pos - n, this.pos);
    }
    if (-1 - n === RDB_ENC_LZF) {
      const len = this.lzfBytes(at); // may replace scratch with a larger one
      return this.scratch.subarray(0, len);
    }
    this.pos = at;
    return Buffer.from(this.string(), 'latin1');
  }

  /** Decompresses an LZF string into `scratch` (valid until the next one) and returns its length. */
  private lzfBytes(at: number): number {
    const clen = this.len();
    const len = this.len();
    this.need(clen, 'LZF data');
    // A 3-byte back reference expands to at most 264 bytes: no valid stream grows more than 88x.
    if (len > clen * 88) this.fail(`implausible LZF length ${len} for ${clen} compressed bytes`, at);
    try {
      this.scratch = lzfDecompress(this.buf, this.pos, this.pos + clen, len, this.scratch);
      this.pos += clen;
      return len;
    } catch (e) {
      return this.fail(`invalid LZF compressed string (${(e as Error).message})`, at);
    }
  }

  /** A score stored as a length byte and ASCII (ZSET, version < 8). */
  private stringDouble(): number {
    const n = this.u8();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    this.need(n, 'a double');
    const text = this.buf.latin1Slice(this.pos, this.pos + n);
    this.pos += n;
    const d = Number(text.trim() === text ? text : NaN);
    if (Number.isNaN(d) && !/^[-+]?(inf|infinity)$/i.test(text)) this.fail(`invalid double "${text}"`, this.pos - n - 1);
    return Number.isNaN(d) ? (text.startsWith('-') ? -Infinity : Infinity) : d;
  }

  private binaryDouble(): number {
    this.need(8, 'a double');
    const d = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return d;
  }

  // -------------------------------------------------------------------------------------------
  // Values
  // -------------------------------------------------------------------------------------------

  /** Reads a value of `type`; null for an empty aggregate (Redis skips those too). */
  private value(type: number, at: number): Value | null {
    switch (type) {
      case RDB_TYPE_STRING:
        return this.string();
      case RDB_TYPE_LIST: {
        const n = this.len();
        const list = new ListValue();
        for (let i = 0; i < n; i++) list.items.push(this.string());
        return n === 0 ? null : list;
      }
      case RDB_TYPE_LIST_ZIPLIST:
        return this.listOf([ziplistEntries(this.blob(), this)]);
      case RDB_TYPE_LIST_QUICKLIST: {
        const nodes = this.len();
        const parts: string[][] = [];
        for (let i = 0; i < nodes; i++) parts.push(ziplistEntries(this.blob(), this));
        return this.listOf(parts);
      }
      case RDB_TYPE_LIST_QUICKLIST_2: {
        const nodes = this.len();
        const parts: string[][] = [];
        for (let i = 0; i < nodes; i++) {
          const container = this.len();
          if (container === QUICKLIST_NODE_CONTAINER_PLAIN) parts.push([this.string()]);
          else if (container === QUICKLIST_NODE_CONTAINER_PACKED) parts.push(listpackEntries(this.blob(), this));
          else this.fail(`unknown quicklist node container ${container}`);
        }
        return this.listOf(parts);
      }
      case RDB_TYPE_SET: {
        const n = this.len();
        const members: string[] = [];
        for (let i = 0; i < n; i++) members.push(this.string());
        return this.setOf(members, at);
      }
      case RDB_TYPE_SET_INTSET:
        return this.setOf(intsetEntries(this.blob(), this), at);
      case RDB_TYPE_SET_LISTPACK:
        return this.setOf(listpackEntries(this.blob(), this), at);
      case RDB_TYPE_HASH: {
        const n = this.len();
        const flat: string[] = [];
        for (let i = 0; i < n; i++) flat.push(this.string(), this.string());
        return this.hashOf(flat, at);
      }
      case RDB_TYPE_HASH_ZIPMAP:
        return this.hashOf(zipmapEntries(this.blob(), this), at);
      case RDB_TYPE_HASH_ZIPLIST:
        return this.hashOf(pairs(ziplistEntries(this.blob(), this), this), at);
      case RDB_TYPE_HASH_LISTPACK:
        return this.hashOf(pairs(listpackEntries(this.blob(), this), this), at);
      case RDB_TYPE_ZSET:
      case RDB_TYPE_ZSET_2: {
        const n = this.len();
        const members: string[] = [];
        const scores: number[] = [];
        for (let i = 0; i < n; i++) {
          members.push(this.string());
          scores.push(type === RDB_TYPE_ZSET ? this.stringDouble() : this.binaryDouble());
        }
        return this.zsetOf(members, scores, at);
      }
      case RDB_TYPE_ZSET_ZIPLIST:
      case RDB_TYPE_ZSET_LISTPACK: {
        const flat = pairs(type === RDB_TYPE_ZSET_ZIPLIST ? ziplistEntries(this.blob(), this) : listpackEntries(this.blob(), this), this);
        const members: string[] = [];
        const scores: number[] = [];
        for (let i = 0; i < flat.length; i += 2) {
          const d = Number(flat[i + 1]);
          if (Number.isNaN(d) && !/^[-+]?inf(inity)?$/i.test(flat[i + 1])) this.fail(`invalid sorted set score "${flat[i + 1]}"`, at);
          members.push(flat[i]);
          scores.push(Number.isNaN(d) ? (flat[i + 1].startsWith('-') ? -Infinity : Infinity) : d);
        }
        return this.zsetOf(members, scores, at);
      }
      case RDB_TYPE_STREAM_LISTPACKS:
      case RDB_TYPE_STREAM_LISTPACKS_2:
      case RDB_TYPE_STREAM_LISTPACKS_3:
        return this.fail(`stream values (RDB type ${type}) are not supported by Tandem`, at);
      case RDB_TYPE_MODULE_PRE_GA:
      case RDB_TYPE_MODULE_2:
        return this.fail(`module values (RDB type ${type}) are not supported by Tandem`, at);
      default:
        return this.fail(`Unknown RDB encoding type ${type}`, at);
    }
  }

  private listOf(parts: string[][]): ListValue | null {
    const list = new ListValue();
    for (const p of parts) for (const s of p) list.items.push(s);
    return list.items.length === 0 ? null : list;
  }

  private setOf(members: string[], at: number): SetValue | null {
    if (members.length === 0) return null;
    const v = new SetValue();
    let allInts = members.length <= this.opts.limits.setIntsetEntries;
    for (const m of members) {
      const before = v.set.size;
      v.set.add(m);
      if (v.set.size === before) this.fail('Duplicate set members detected', at);
      if (allInts && !isInt64String(m)) allInts = false;
    }
    v.encoding = allInts ? 'intset' : 'hashtable';
    return v;
  }

  private hashOf(flat: string[], at: number): HashValue | null {
    if (flat.length === 0) return null;
    const v = new HashValue();
    const limits = this.opts.limits;
    let small = flat.length / 2 <= limits.hashEntries;
    for (let i = 0; i < flat.length; i += 2) {
      const before = v.map.size;
      v.map.set(flat[i], flat[i + 1]);
      if (v.map.size === before) this.fail('Duplicate hash fields detected', at);
      if (small && (flat[i].length > limits.hashValue || flat[i + 1].length > limits.hashValue)) small = false;
    }
    v.encoding = small ? 'listpack' : 'hashtable';
    return v;
  }

  private zsetOf(members: string[], scores: number[], at: number): ZSetValue | null {
    const n = members.length;
    if (n === 0) return null;
    const v = new ZSetValue();
    const limits = this.opts.limits;
    let small = n <= limits.zsetEntries;
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(scores[i])) this.fail('Zset with NAN score detected', at);
      if (!v.zset.add(members[i], scores[i])) this.fail('Duplicate zset fields detected', at);
      if (small && members[i].length > limits.zsetValue) small = false;
    }
    v.encoding = small ? 'listpack' : 'skiplist';
    return v;
  }

  /** MODULE_AUX: module id, when-opcode, when, then typed fields up to the module EOF (0). */
  private skipModuleAux(at: number): void {
    this.len(); // module id
    const whenOpcode = this.len();
    this.len(); // when
    if (whenOpcode !== 2) this.fail(`bad module aux when-opcode ${whenOpcode}`, at);
    for (;;) {
      const op = this.len();
      if (op === 0) break;
      if (op === 1 || op === 2) this.len();
      else if (op === 3) this.skip(4, 'a float');
      else if (op === 4) this.skip(8, 'a double');
      else if (op === 5) this.string();
      else this.fail(`unknown module value opcode ${op}`);
    }
    this.visitor.warning?.('RDB has module AUX data for a module Tandem does not have; skipped');
  }
}

/**
 * Parses an RDB payload while it arrives (a replica loading its master's stream): push() the
 * bytes as they come, end() once the payload is complete. Whole records go to the visitor as soon
 * as their last byte is there; a record cut by a chunk boundary is read again from its start
 * when more bytes arrived. To keep a huge value arriving in many small chunks linear rather than
 * quadratic, a record that came up short is only retried once at least as many new bytes as
 * were held for it have arrived (the held bytes double between attempts), and the chunks are
 * joined only then.
 */
export class RdbStreamReader {
  private readonly parser: RdbParser;
  private headerRead = false;
  private waiting: Buffer[] = [];
  private waitingBytes = 0;
  /** New bytes needed before the next attempt. */
  private retryAfter = 0;

  constructor(opts: RdbParseOptions, visitor: RdbVisitor & { parser: RdbParser | null }) {
    this.parser = new RdbParser(Buffer.alloc(0), opts, visitor, false);
    visitor.parser = this.parser;
  }

  /** Payload bytes parsed so far (whole records). */
  get parsedBytes(): number {
    return this.parser.offset;
  }

  /** True once the EOF opcode (and checksum) was read. */
  get done(): boolean {
    return this.parser.isDone;
  }

  /** Takes the next bytes of the payload and parses what they complete. Throws RdbError. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.waiting.push(chunk);
    this.waitingBytes += chunk.length;
    if (this.waitingBytes >= this.retryAfter) this.parseWaiting();
  }

  /** The payload is complete: parses the rest, failing if it ends inside a record or before EOF. */
  end(): void {
    this.parser.final = true;
    this.parseWaiting();
    if (!this.parser.isDone) this.parser.fail('unexpected end of data (missing EOF opcode?)');
  }

  private parseWaiting(): void {
    const p = this.parser;
    p.append(this.waiting);
    this.waiting = [];
    this.waitingBytes = 0;
    let start = p.pos;
    try {
      if (!this.headerRead) {
        p.header();
        this.headerRead = true;
        start = p.pos;
      }
      while (p.next()) start = p.pos;
      this.retryAfter = 0;
    } catch (e) {
      if (e !== INCOMPLETE) throw e;
      p.pos = start;
      this.retryAfter = p.unparsed;
    }
  }
}

function hex64(le: Buffer): string {
  return Buffer.from(le).reverse().toString('hex').replace(/^0+(?=.)/, '');
}

function pairs(flat: string[], p: RdbParser): string[] {
  if (flat.length % 2 !== 0) p.fail('odd number of entries in a hash or sorted set blob');
  return flat;
}

// ---------------------------------------------------------------------------------------------
// Embedded blobs. Each checks its own header, bounds and terminator; `p.fail` reports at the
// parser's position (just after the blob).
// ---------------------------------------------------------------------------------------------

/** Ziplist: zlbytes u32, zltail u32, zllen u16, entries (prevlen, encoding, data), 0xFF. */
export function ziplistEntries(b: Buffer, p: RdbParser): string[] {
  const bad = (why: string): never => p.fail(`corrupt ziplist: ${why}`);
  if (b.length < 11) bad('too short');
  if (b.readUInt32LE(0) !== b.length) bad('zlbytes does not match its size');
  const out: string[] = [];
  let i = 10;
  for (;;) {
    if (i >= b.length) bad('missing end marker');
    if (b[i] === 0xff) break;
    // prevlen
    if (b[i] === 0xfe) i += 5;
    else i += 1;
    if (i >= b.length) bad('entry header out of range');
    const enc = b[i];
    const kind = enc >> 6;
    if (kind !== 3) {
      let n: number;
      if (kind === 0) {
        n = enc & 0x3f;
        i += 1;
      } else if (kind === 1) {
        if (i + 2 > b.length) bad('entry header out of range');
        n = ((enc & 0x3f) << 8) | b[i + 1];
        i += 2;
      } else {
        if (i + 5 > b.length) bad('entry header out of range');
        n = b.readUInt32BE(i + 1);
        i += 5;
      }
      if (i + n > b.length - 1) bad('entry out of range');
      out.push(b.latin1Slice(i, i + n));
      i += n;
      continue;
    }
    i += 1;
    let v: number | bigint;
    const need = (n: number) => {
      if (i + n > b.length - 1) bad('integer entry out of range');
    };
    switch (enc) {
      case 0xc0:
        need(2);
        v = b.readInt16LE(i);
        i += 2;
        break;
      case 0xd0:
        need(4);
        v = b.readInt32LE(i);
        i += 4;
        break;
      case 0xe0:
        need(8);
        v = b.readBigInt64LE(i);
        i += 8;
        break;
      case 0xf0:
        need(3);
        v = b.readIntLE(i, 3);
        i += 3;
        break;
      case 0xfe:
        need(1);
        v = b.readInt8(i);
        i += 1;
        break;
      default:
        if (enc >= 0xf1 && enc <= 0xfd) v = (enc & 0x0f) - 1;
        else return bad(`unknown entry encoding 0x${enc.toString(16)}`);
    }
    out.push(String(v));
  }
  if (i !== b.length - 1) bad('data after the end marker');
  const declared = b.readUInt16LE(8);
  if (declared !== 0xffff && declared !== out.length) bad(`zllen ${declared} but ${out.length} entries`);
  return out;
}

/** Listpack: total bytes u32, count u16, entries (encoding, data, backlen), 0xFF. */
export function listpackEntries(b: Buffer, p: RdbParser): string[] {
  const bad = (why: string): never => p.fail(`corrupt listpack: ${why}`);
  if (b.length < 7) bad('too short');
  if (b.readUInt32LE(0) !== b.length) bad('total bytes do not match its size');
  const out: string[] = [];
  const end = b.length - 1;
  let i = 6;
  while (i < end) {
    const start = i;
    const enc = b[i];
    let strLen = -1;
    let hdr = 1;
    let v: number | bigint = 0;
    if (enc < 0x80) {
      v = enc;
    } else if ((enc & 0xc0) === 0x80) {
      strLen = enc & 0x3f;
    } else if ((enc & 0xe0) === 0xc0) {
      if (i + 2 > end) bad('entry out of range');
      v = (((enc & 0x1f) << 8) | b[i + 1]) << 19 >> 19;
      hdr = 2;
    } else if ((enc & 0xf0) === 0xe0) {
      if (i + 2 > end) bad('entry out of range');
      strLen = ((enc & 0x0f) << 8) | b[i + 1];
      hdr = 2;
    } else if (enc === 0xf0) {
      if (i + 5 > end) bad('entry out of range');
      strLen = b.readUInt32LE(i + 1);
      hdr = 5;
    } else {
      const width = enc === 0xf1 ? 2 : enc === 0xf2 ? 3 : enc === 0xf3 ? 4 : enc === 0xf4 ? 8 : 0;
      if (width === 0) bad(`unknown entry encoding 0x${enc.toString(16)}`);
      if (i + 1 + width > end) bad('entry out of range');
      v = width === 8 ? b.readBigInt64LE(i + 1) : b.readIntLE(i + 1, width);
      hdr = 1 + width;
    }
    i += hdr;
    if (strLen >= 0) {
      if (i + strLen > end) bad('entry out of range');
      out.push(b.latin1Slice(i, i + strLen));
      i += strLen;
    } else {
      out.push(String(v));
    }
    const entryLen = i - start;
    const backlen = entryLen < 128 ? 1 : entryLen < 16384 ? 2 : entryLen < 2097152 ? 3 : entryLen < 268435456 ? 4 : 5;
    i += backlen;
  }
  if (i !== end || b[end] !== 0xff) bad('missing end marker');
  const declared = b.readUInt16LE(4);
  if (declared !== 0xffff && declared !== out.length) bad(`count ${declared} but ${out.length} entries`);
  return out;
}

/** Intset: encoding u32 (2, 4 or 8), length u32, sorted little-endian integers. */
export function intsetEntries(b: Buffer, p: RdbParser): string[] {
  if (b.length < 8) p.fail('corrupt intset: too short');
  const width = b.readUInt32LE(0);
  const n = b.readUInt32LE(4);
  if (width !== 2 && width !== 4 && width !== 8) p.fail(`corrupt intset: encoding ${width}`);
  if (8 + n * width !== b.length) p.fail('corrupt intset: length does not match its size');
  const out: string[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const at = 8 + k * width;
    out[k] = String(width === 2 ? b.readInt16LE(at) : width === 4 ? b.readInt32LE(at) : b.readBigInt64LE(at));
  }
  return out;
}

/** Zipmap (RDB < 4 hashes): count u8, then (len key len free value pad)*, 0xFF. */
export function zipmapEntries(b: Buffer, p: RdbParser): string[] {
  const bad = (why: string): never => p.fail(`corrupt zipmap: ${why}`);
  const out: string[] = [];
  let i = 1;
  const readLen = (): number => {
    if (i >= b.length) bad('out of range');
    const first = b[i];
    if (first < 254) {
      i += 1;
      return first;
    }
    if (first === 254) {
      if (i + 5 > b.length) bad('out of range');
      const n = b.readUInt32LE(i + 1);
      i += 5;
      return n;
    }
    return -1; // 255: end marker
  };
  for (;;) {
    const klen = readLen();
    if (klen < 0) break;
    if (i + klen > b.length) bad('key out of range');
    const key = b.latin1Slice(i, i + klen);
    i += klen;
    const vlen = readLen();
    if (vlen < 0) bad('missing value');
    if (i >= b.length) bad('out of range');
    const free = b[i++];
    if (i + vlen + free > b.length) bad('value out of range');
    out.push(key, b.latin1Slice(i, i + vlen));
    i += vlen + free;
  }
  if (i !== b.length - 1) bad('data after the end marker');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Loading into a server
// ---------------------------------------------------------------------------------------------

export interface LoadResult {
  keys: number;
  /** Keys left out because their TTL had passed (on a master, as Redis does). */
  expired: number;
  aux: Map<string, string>;
  /** FUNCTION2 libraries found, in order (for the functions module). */
  functions: string[];
}

export interface LoadOptions {
  /** Names the payload in errors and logs (a file name, "master", "DEBUG RELOAD"). */
  source: string;
  /** Microseconds to sleep per key (key-load-delay, for tests). Defaults to the config. */
  keyLoadDelayUs?: number;
  /** Load on top of the current dataset instead of replacing it (DEBUG RELOAD NOFLUSH). */
  keepExisting?: boolean;
  /** A key already present is replaced instead of being an error (DEBUG RELOAD MERGE). */
  allowDuplicates?: boolean;
  /** Sees each AUX field as it is read (the loader's log lines). */
  onAux?: (key: string, value: string) => void;
}

/** Collects a payload into fresh Maps; `install` swaps them into the server's databases. */
export class DatasetBuilder implements RdbVisitor {
  readonly dicts: Array<Map<string, Value>>;
  readonly expires: Array<Map<string, number>>;
  readonly result: LoadResult = { keys: 0, expired: 0, aux: new Map(), functions: [] };
  private readonly dropExpired: boolean;
  private readonly now = Date.now();
  private readonly delay: KeyDelay;
  parser: RdbParser | null = null;

  constructor(
    private readonly server: Server,
    private readonly opts: LoadOptions,
  ) {
    const dbs = server.keyspace.dbs;
    this.dicts = dbs.map((db) => (opts.keepExisting ? new Map(db.dict) : new Map()));
    this.expires = dbs.map((db) => (opts.keepExisting ? new Map(db.expires) : new Map()));
    // A master drops keys whose TTL passed; a replica keeps them until its master's DEL.
    this.dropExpired = server.role === 'master';
    this.delay = new KeyDelay(opts.keyLoadDelayUs ?? (server.config.int('key-load-delay') || 0));
  }

  aux(key: string, value: string): void {
    this.result.aux.set(key, value);
    this.opts.onAux?.(key, value);
  }

  functionLibrary(code: string): void {
    this.result.functions.push(code);
  }

  warning(msg: string): void {
    this.server.log.warning(msg);
  }

  key(db: number, key: string, value: Value, expireAtMs: number): void {
    if (expireAtMs !== -1 && this.dropExpired && expireAtMs < this.now) {
      this.result.expired++;
      return;
    }
    const dict = this.dicts[db];
    const before = dict.size;
    dict.set(key, value);
    if (dict.size === before) {
      if (!this.opts.allowDuplicates) this.parser!.fail(`RDB has duplicated key '${key}' in DB ${db}`);
      this.expires[db].delete(key);
    }
    if (expireAtMs !== -1) this.expires[db].set(key, expireAtMs);
    this.result.keys++;
    if (this.delay.active) {
      const ms = this.delay.tick();
      if (ms > 0) sleepSync(ms);
    }
  }

  /** Replaces every database's contents with what was loaded. */
  install(): void {
    const ks = this.server.keyspace;
    ks.dbs.forEach((db, i) => {
      db.dict = this.dicts[i];
      db.expires = this.expires[i];
      for (const l of ks.listeners) l.dbReplaced(db);
    });
  }
}

/** Parser options for loading into `server`. */
export function parseOptionsFor(server: Server, source: string): RdbParseOptions {
  return {
    source,
    limits: encodingLimits(server),
    databases: server.keyspace.dbs.length,
    verifyChecksum: server.config.bool('rdbchecksum'),
  };
}

/**
 * Replaces the dataset with an RDB payload, synchronously. On any error the dataset is left
 * as it was and an RdbError is thrown.
 */
export function loadRdb(server: Server, bytes: Buffer, opts: LoadOptions): LoadResult {
  const builder = new DatasetBuilder(server, opts);
  const parser = new RdbParser(bytes, parseOptionsFor(server, opts.source), builder);
  builder.parser = parser;
  parser.parseAll();
  builder.install();
  return builder.result;
}
