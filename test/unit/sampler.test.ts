// The O(1) random sampler behind RANDOMKEY / SPOP / SRANDMEMBER / HRANDFIELD: every live member
// can be drawn, dead slots are dropped, pops never return a member twice, and the sampler is
// rebuilt when members were added behind its back, when it is full of dead slots, or when the
// owner's collection was replaced.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RandomSampler, SAMPLER_MIN_SIZE, Sampled, samplerOf } from '../../src/keyspace/sampler';

const members = (n: number, prefix = 'm'): Set<string> => new Set(Array.from({ length: n }, (_, i) => `${prefix}${i}`));

test('small collections get no sampler; large ones one that is reused', () => {
  const owner: Sampled<string> = { sampler: null };
  assert.equal(samplerOf(owner, members(SAMPLER_MIN_SIZE - 1)), null);
  const set = members(1000);
  const s = samplerOf(owner, set);
  assert.ok(s instanceof RandomSampler);
  assert.equal(samplerOf(owner, set), s);
});

test('draws reach every member, roughly evenly', () => {
  const set = members(100);
  const owner: Sampled<string> = { sampler: null };
  const counts = new Map<string, number>();
  for (let i = 0; i < 20000; i++) {
    const m = samplerOf(owner, set)!.pick((x) => set.has(x))!;
    counts.set(m, (counts.get(m) ?? 0) + 1);
  }
  assert.equal(counts.size, 100);
  for (const n of counts.values()) assert.ok(n > 100 && n < 340, `a member was drawn ${n} times out of 20000 (expected ~200)`);
});

test('removed members are never drawn; added ones are', () => {
  const set = members(200);
  const owner: Sampled<string> = { sampler: null };
  const s = samplerOf(owner, set)!;
  for (let i = 0; i < 100; i++) set.delete(`m${i}`);
  set.add('late');
  s.added('late');
  const seen = new Set<string>();
  for (let i = 0; i < 5000; i++) seen.add(samplerOf(owner, set)!.pick((x) => set.has(x))!);
  assert.ok([...seen].every((m) => set.has(m)));
  assert.ok(seen.has('late'));
});

test('popping with take drains the collection without repeats', () => {
  const set = members(5000);
  const owner: Sampled<string> = { sampler: null };
  const popped = new Set<string>();
  while (set.size > 0) {
    const s = samplerOf(owner, set);
    const m = s === null ? set.values().next().value! : s.pick((x) => set.has(x), true)!;
    assert.ok(!popped.has(m), `${m} popped twice`);
    popped.add(m);
    set.delete(m);
  }
  assert.equal(popped.size, 5000);
});

test('rebuilt when members were added without added(), or the source was replaced', () => {
  const set = members(100);
  const owner: Sampled<string> = { sampler: null };
  const first = samplerOf(owner, set)!;
  for (const m of members(100, 'x')) set.add(m);
  const second = samplerOf(owner, set)!;
  assert.notEqual(second, first);
  const seen = new Set<string>();
  for (let i = 0; i < 5000; i++) seen.add(second.pick((x) => set.has(x))!);
  assert.ok([...seen].some((m) => m.startsWith('x')));
  const other = members(100, 'y');
  const third = samplerOf(owner, other)!;
  assert.notEqual(third, second);
  assert.ok(third.pick((x) => other.has(x))!.startsWith('y'));
});

test('an empty pick returns undefined', () => {
  const s = new RandomSampler<string>({}, ['a', 'b']);
  assert.equal(s.pick(() => false), undefined);
});
