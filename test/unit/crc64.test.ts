// CRC-64/Jones against known vectors (Redis's crc64.c self-test values) and chunking invariance.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Crc64, crc64 } from '../../src/persistence/crc64';

const LOREM =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ' +
  'Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure ' +
  'dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non ' +
  'proident, sunt in culpa qui officia deserunt mollit anim id est laborum.';

test('known vectors (the check value and the self-test of Redis crc64.c)', () => {
  assert.equal(crc64(Buffer.from('123456789')), 0xe9c6d914c4b8d9can);
  assert.equal(crc64(Buffer.alloc(0)), 0n);
  // crc64.c hashes sizeof(li), which counts the C string's terminating NUL.
  assert.equal(crc64(Buffer.from(LOREM + '\0')), 0xc7794709e69683b3n);
});

test('the result does not depend on chunking or alignment', () => {
  const data = Buffer.alloc(10007);
  for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff;
  const whole = crc64(data);
  for (const step of [1, 3, 7, 8, 13, 64, 4096]) {
    const c = new Crc64();
    for (let i = 0; i < data.length; i += step) c.update(data, i, Math.min(i + step, data.length));
    assert.equal(c.value, whole, `chunks of ${step}`);
  }
  // An unaligned view of the same bytes.
  const shifted = Buffer.alloc(data.length + 3);
  data.copy(shifted, 3);
  assert.equal(crc64(shifted.subarray(3)), whole);
});

test('digestLE is the value in little-endian order', () => {
  const c = new Crc64().update(Buffer.from('123456789'));
  assert.equal(c.digestLE().readBigUInt64LE(0), 0xe9c6d914c4b8d9can);
});
