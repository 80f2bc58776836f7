// LZF: round trips over varied data, Redis's "only if it fits" rule, and malformed streams.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { lzfCompress, lzfDecompress, LzfError } from '../../src/persistence/lzf';

/** Deterministic pseudo-random bytes (xorshift), mixing runs, repeats and noise. */
function sample(len: number, seed: number, alphabet: number): Buffer {
  let x = seed | 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) {
    const r = next();
    if (i > 16 && r % 3 === 0) b[i] = b[i - 1 - (r % 16)];
    else b[i] = next() % alphabet;
  }
  return b;
}

function roundTrip(input: Buffer): number {
  // Incompressible input grows by one control byte per 32 literals.
  const out = Buffer.alloc(Math.ceil(input.length * 33 / 32) + 64);
  const n = lzfCompress(input, 0, input.length, out, 0, out.length);
  assert.ok(n > 0, `compressible into ${out.length} bytes`);
  assert.deepEqual(lzfDecompress(out, 0, n, input.length), input);
  return n;
}

test('round trips of varied sizes and entropies', () => {
  for (let seed = 1; seed < 400; seed++) {
    const len = (seed * 7919) % 5000 + 1;
    roundTrip(sample(len, seed, [2, 16, 256][seed % 3]));
  }
});

test('repetitive data shrinks a lot; long matches and long literal runs are encoded', () => {
  assert.ok(roundTrip(Buffer.from('a'.repeat(1000))) < 40);
  assert.ok(roundTrip(Buffer.from('hello world '.repeat(100))) < 60);
  roundTrip(sample(70000, 99, 256)); // offsets beyond the 8 KiB window, literal runs of 32
});

test('returns 0 when the output does not fit (Redis then stores the string raw)', () => {
  const noise = sample(100, 5, 256);
  const out = Buffer.alloc(96);
  assert.equal(lzfCompress(noise, 0, 100, out, 0, 96), 0);
});

test('compresses a slice of a larger buffer at an output offset', () => {
  const big = Buffer.concat([Buffer.from('xxxx'), Buffer.from('abcabcabcabcabcabcabcabc'), Buffer.from('yyyy')]);
  const out = Buffer.alloc(64);
  const n = lzfCompress(big, 4, 28, out, 10, 64);
  assert.ok(n > 0);
  assert.equal(lzfDecompress(out, 10, 10 + n, 24).toString(), 'abcabcabcabcabcabcabcabc');
});

test('malformed streams throw LzfError', () => {
  const good = Buffer.alloc(64);
  const n = lzfCompress(Buffer.from('abcabcabcabcabcabcabcabc'), 0, 24, good, 0, 64);
  assert.throws(() => lzfDecompress(good, 0, n, 23), LzfError); // wrong length
  assert.throws(() => lzfDecompress(good, 0, n, 25), LzfError);
  assert.throws(() => lzfDecompress(good, 0, n - 1, 24), LzfError); // truncated
  assert.throws(() => lzfDecompress(Buffer.from([0xe0, 0xff, 0x10]), 0, 3, 100), LzfError); // reference before the start
  assert.throws(() => lzfDecompress(Buffer.from([0x05, 0x41]), 0, 2, 6), LzfError); // literal run past the input
});

test('decompresses into a caller-supplied buffer when it is large enough', () => {
  const out = Buffer.alloc(64);
  const n = lzfCompress(Buffer.from('z'.repeat(50)), 0, 50, out, 0, 64);
  const scratch = Buffer.alloc(100);
  assert.equal(lzfDecompress(out, 0, n, 50, scratch), scratch);
  assert.equal(scratch.toString('latin1', 0, 50), 'z'.repeat(50));
});
