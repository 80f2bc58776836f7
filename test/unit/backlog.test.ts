// The replication backlog ring buffer: offsets as Redis numbers them, wrap-around, what a PSYNC
// offset may continue from, and resizing that keeps the newest history.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ReplicationBacklog } from '../../src/replication/backlog';

const b = (s: string) => Buffer.from(s, 'latin1');

test('an empty backlog covers only the next offset', () => {
  const bl = new ReplicationBacklog(8, 100);
  assert.equal(bl.histlen, 0);
  assert.equal(bl.firstByteOffset, 101);
  assert.equal(bl.covers(101), true);
  assert.equal(bl.covers(100), false);
  assert.equal(bl.readFrom(101).length, 0);
});

test('offsets count from 1 and readFrom returns the tail from an offset', () => {
  const bl = new ReplicationBacklog(16, 0);
  bl.write(b('abcdef'));
  assert.equal(bl.endOffset, 6);
  assert.equal(bl.firstByteOffset, 1);
  assert.equal(bl.readFrom(1).toString('latin1'), 'abcdef');
  assert.equal(bl.readFrom(4).toString('latin1'), 'def');
  assert.equal(bl.covers(7), true);
  assert.equal(bl.covers(8), false);
});

test('wrapping keeps exactly the last `size` bytes', () => {
  const bl = new ReplicationBacklog(8, 0);
  bl.write(b('0123456'));
  bl.write(b('789AB'));
  assert.equal(bl.histlen, 8);
  assert.equal(bl.endOffset, 12);
  assert.equal(bl.firstByteOffset, 5);
  assert.equal(bl.readFrom(5).toString('latin1'), '456789AB');
  assert.equal(bl.readFrom(10).toString('latin1'), '9AB');
  assert.equal(bl.covers(4), false);
  bl.write(b('this is longer than the buffer'));
  assert.equal(bl.readFrom(bl.firstByteOffset).toString('latin1'), 'e buffer');
});

test('resize keeps the newest history that fits', () => {
  const bl = new ReplicationBacklog(8, 0);
  bl.write(b('abcdefgh'));
  bl.resize(4);
  assert.equal(bl.endOffset, 8);
  assert.equal(bl.firstByteOffset, 5);
  assert.equal(bl.readFrom(5).toString('latin1'), 'efgh');
  bl.resize(10);
  bl.write(b('ij'));
  assert.equal(bl.readFrom(5).toString('latin1'), 'efghij');
});
