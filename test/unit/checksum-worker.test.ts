// The RDB checksum verified on a worker thread while the main thread parses (checksum-worker.ts):
// the worker's digest equals the in-thread CRC-64, a load through it still refuses a flipped byte
// with Redis's message and leaves the dataset untouched, and a file with bytes after its checksum
// (which the worker's range does not match) is verified on the main thread instead.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChecksumJob, readFileShared } from '../../src/persistence/checksum-worker';
import { Crc64 } from '../../src/persistence/crc64';
import { persistenceOf } from '../../src/persistence/persistence';
import { startSnapshot } from '../../src/persistence/snapshot';
import { inProcessServer } from '../helpers/in-process';
import { tempDir } from '../helpers/temp-dir';

// The files here are small: let them use the worker anyway.
ChecksumJob.minBytes = 0;

/** `bytes` copied into memory a worker can share. */
function shared(bytes: Buffer): Buffer {
  const out = Buffer.from(new SharedArrayBuffer(bytes.length));
  bytes.copy(out);
  return out;
}

/** An RDB of a few hundred keys, as SAVE writes it. */
function rdbFile(): Buffer {
  const server = inProcessServer();
  for (let i = 0; i < 300; i++) server.keyspace.set(server.keyspace.dbs[i % 3], `key:${i}`, `value:${i}`.padEnd(100, 'x'));
  const chunks: Buffer[] = [];
  startSnapshot(server, { sync: true, onChunk: (b) => void chunks.push(b), onEnd: (e) => assert.equal(e, null) });
  return Buffer.concat(chunks);
}

test('the worker checksums everything but the trailer, as the main thread would', () => {
  const bytes = shared(rdbFile());
  const job = ChecksumJob.start(bytes);
  assert.ok(job !== null);
  const expected = new Crc64().update(bytes, 0, bytes.length - 8).digestLE();
  assert.deepEqual(job.digestOf(bytes.length - 8), expected);
  assert.deepEqual(expected, bytes.subarray(bytes.length - 8));
});

test('a range other than the one the worker covered is not answered', () => {
  const bytes = shared(rdbFile());
  assert.equal(ChecksumJob.start(bytes)!.digestOf(bytes.length - 9), null);
  assert.equal(ChecksumJob.start(Buffer.from(bytes)), null, 'memory a worker cannot share');
});

test('files below minBytes are left to the main thread', () => {
  const bytes = shared(rdbFile());
  ChecksumJob.minBytes = bytes.length + 1;
  try {
    assert.equal(ChecksumJob.start(bytes), null);
  } finally {
    ChecksumJob.minBytes = 0;
  }
});

test('a load verified by the worker refuses a flipped byte and keeps the dataset', () => {
  const good = rdbFile();
  const dst = inProcessServer();
  dst.keyspace.set(dst.keyspace.dbs[0], 'keep', 'me');
  const bad = shared(good);
  bad[good.length - 100] ^= 0x20; // inside the last value: parses fine, only the checksum differs
  assert.throws(() => persistenceOf(dst).load(bad, 'dump.rdb'), /^Error: dump\.rdb: Wrong RDB checksum expected: \([0-9a-f]+\) got \([0-9a-f]+\) at offset \d+$/);
  assert.equal(dst.keyspace.dbs[0].dict.get('keep'), 'me');
  assert.equal(dst.keyspace.totalKeys(), 1);
  assert.equal(persistenceOf(dst).load(shared(good), 'dump.rdb').keys, 300);
  assert.equal(dst.keyspace.totalKeys(), 300);
});

test('bytes after the checksum: verified on the main thread, a flip is still caught', () => {
  const good = rdbFile();
  const padded = Buffer.concat([good, Buffer.from('trailing')]);
  assert.equal(persistenceOf(inProcessServer()).load(shared(padded), 'dump.rdb').keys, 300);
  padded[good.length - 100] ^= 0x20;
  assert.throws(() => persistenceOf(inProcessServer()).load(shared(padded), 'dump.rdb'), /Wrong RDB checksum/);
});

test('readFileShared reads the whole file into shareable memory', () => {
  const dir = tempDir('tandem-crc-');
  const file = path.join(dir, 'dump.rdb');
  const bytes = rdbFile();
  fs.writeFileSync(file, bytes);
  const read = readFileShared(file);
  assert.ok(read.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(Buffer.from(read), bytes);
  fs.rmSync(dir, { recursive: true, force: true });
});
