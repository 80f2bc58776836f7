// The streaming RDB reader (a replica parsing its master's payload as it arrives): the same
// dataset whatever the chunking — a small payload of every type split at every byte boundary and
// at pairs of boundaries, Redis's all-types file one byte at a time — and the same errors as the
// whole-buffer reader for truncated or corrupted payloads.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inProcessServer } from '../helpers/in-process';
import { REPO_ROOT } from '../helpers/server';
import { DatasetBuilder, RdbError, RdbStreamReader, loadRdb, parseOptionsFor } from '../../src/persistence/rdb-reader';
import { datasetDigest } from '../../src/keyspace/digest';
import { startSnapshot } from '../../src/persistence/snapshot';
import { processCommand } from '../../src/server/dispatch';

/** A dump.rdb of Redis 7.0.15 with every type in its small and large encodings, TTLs and LZF. */
const FIXTURE = fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'redis-7.0.15-all-types.rdb'));

/** One server for every load: each load installs a fresh dataset. */
const server = inProcessServer();

/** DEBUG DIGEST of the dataset that `chunks`, streamed in order, load. */
function streamDigest(chunks: Buffer[]): string {
  const builder = new DatasetBuilder(server, { source: 'stream' });
  const reader = new RdbStreamReader(parseOptionsFor(server, 'stream'), builder);
  for (const c of chunks) reader.push(c);
  reader.end();
  builder.install();
  return datasetDigest(server.keyspace.dbs);
}

function wholeDigest(bytes: Buffer): string {
  loadRdb(server, bytes, { source: 'whole' });
  return datasetDigest(server.keyspace.dbs);
}

const EXPECTED = wholeDigest(FIXTURE);

/** A small RDB (Tandem's snapshot) with every type, an int, an LZF string, a TTL and two databases. */
function smallPayload(): Buffer {
  const src = inProcessServer();
  const commands = [
    [0, 'SET', 'str', 'hello'], [0, 'SET', 'int', '12345'], [0, 'SET', 'lzf', 'abc'.repeat(30)],
    [0, 'RPUSH', 'list', 'a', 'b', '3'], [0, 'HSET', 'hash', 'f', 'v', 'g', 'w'], [0, 'SADD', 'intset', '1', '2', '3'],
    [0, 'SADD', 'set', 'x', 'y'], [0, 'ZADD', 'zset', '1.5', 'm', '-2', 'n'], [0, 'SET', 'ttl', 'v', 'PXAT', '4102444800000'],
    [3, 'SET', 'other-db', 'v'],
  ] as const;
  for (const [db, ...argv] of commands) {
    const c = src.createClient(null);
    c.db = src.keyspace.dbs[db];
    processCommand(src, c, [...argv], 0);
    assert.doesNotMatch(Buffer.concat(c.reply.take()).toString('latin1'), /^-/);
    src.clients.delete(c.id);
  }
  const chunks: Buffer[] = [];
  startSnapshot(src, { sync: true, onChunk: (b) => void chunks.push(b), onEnd: (e) => assert.equal(e, null) });
  return Buffer.concat(chunks);
}

const SMALL = smallPayload();
const SMALL_EXPECTED = wholeDigest(SMALL);

test('the payloads have non-empty digests to compare with', () => {
  assert.notEqual(EXPECTED, '0'.repeat(40));
  assert.notEqual(SMALL_EXPECTED, '0'.repeat(40));
  assert.notEqual(SMALL_EXPECTED, EXPECTED);
});

test('split in two at every byte boundary: the same dataset', () => {
  for (let i = 0; i <= SMALL.length; i++) {
    assert.equal(streamDigest([SMALL.subarray(0, i), SMALL.subarray(i)]), SMALL_EXPECTED, `split at ${i}`);
  }
});

test('split in three at pairs of boundaries (every 3rd by every 5th byte): the same dataset', () => {
  for (let i = 0; i <= SMALL.length; i += 3) {
    for (let j = i; j <= SMALL.length; j += 5) {
      const chunks = [SMALL.subarray(0, i), SMALL.subarray(i, j), SMALL.subarray(j)];
      assert.equal(streamDigest(chunks), SMALL_EXPECTED, `split at ${i} and ${j}`);
    }
  }
});

test("Redis's all-types file one byte at a time, and in two at boundaries across it: the same dataset", () => {
  const chunks: Buffer[] = [];
  for (let i = 0; i < FIXTURE.length; i++) chunks.push(FIXTURE.subarray(i, i + 1));
  assert.equal(streamDigest(chunks), EXPECTED);
  for (let i = 0; i <= FIXTURE.length; i += 97) {
    assert.equal(streamDigest([FIXTURE.subarray(0, i), FIXTURE.subarray(i)]), EXPECTED, `split at ${i}`);
  }
});

test('records are handed over while the payload arrives, before end()', () => {
  const builder = new DatasetBuilder(server, { source: 'stream' });
  const reader = new RdbStreamReader(parseOptionsFor(server, 'stream'), builder);
  reader.push(FIXTURE.subarray(0, FIXTURE.length - 9));
  assert.ok(builder.result.keys > 0, 'keys parsed before the end');
  assert.equal(reader.done, false);
  reader.push(FIXTURE.subarray(FIXTURE.length - 9));
  reader.end();
  assert.equal(reader.done, true);
  assert.equal(reader.parsedBytes, FIXTURE.length);
});

/** The error a payload gives, streamed in 50-byte chunks or read whole. */
function errors(bytes: Buffer): { streamed: string; whole: string } {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 50) chunks.push(bytes.subarray(i, i + 50));
  const message = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof RdbError, `an RdbError, got ${String(e)}`);
      return e.message.replace(/^\w+: /, '');
    }
    return 'no error';
  };
  return { streamed: message(() => streamDigest(chunks)), whole: message(() => wholeDigest(bytes)) };
}

test('a truncated payload fails at end() like the whole-buffer reader, at every length', () => {
  for (let n = 0; n < FIXTURE.length; n += 7) {
    const e = errors(FIXTURE.subarray(0, n));
    assert.notEqual(e.streamed, 'no error', `truncated to ${n}`);
    assert.equal(e.streamed, e.whole, `truncated to ${n}`);
  }
});

test('a flipped byte is caught by the checksum of a streamed payload too', () => {
  const bad = Buffer.from(FIXTURE);
  const at = bad.indexOf('hello');
  bad[at] ^= 0x20;
  const e = errors(bad);
  assert.match(e.streamed, /Wrong RDB checksum/);
  assert.equal(e.streamed, e.whole);
});
