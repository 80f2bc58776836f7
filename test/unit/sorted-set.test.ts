// The skiplist sorted set against a naive model (a sorted array): random adds, score updates and
// removes, checking order, rank, n-th element and score/lex range lookups after every step.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { SortedSet, ScoreRange, LexRange } from '../../src/keyspace/sorted-set';

type Pair = [string, number];

function modelOrder(m: Map<string, number>): Pair[] {
  return [...m].sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('order, rank and at() follow a naive model through random adds, updates and removes', () => {
  const rnd = lcg(7);
  const z = new SortedSet();
  const model = new Map<string, number>();
  for (let step = 0; step < 4000; step++) {
    const member = 'm' + Math.floor(rnd() * 300);
    const op = rnd();
    if (op < 0.6) {
      const score = Math.floor(rnd() * 50) - 25 + (rnd() < 0.2 ? 0.5 : 0);
      assert.equal(z.add(member, score), !model.has(member));
      model.set(member, score);
    } else {
      assert.equal(z.remove(member), model.delete(member));
    }
    if (step % 97 === 0 || step > 3900) {
      const order = modelOrder(model);
      assert.deepEqual([...z.entries()], order);
      assert.equal(z.size, order.length);
      order.forEach(([m, s], i) => {
        assert.equal(z.rank(m), i);
        assert.equal(z.score(m), s);
        const n = z.at(i)!;
        assert.equal(n.member, m);
      });
      assert.equal(z.at(order.length), null);
      assert.equal(z.first()?.member, order[0]?.[0]);
      assert.equal(z.last()?.member, order[order.length - 1]?.[0]);
    }
  }
  assert.equal(z.rank('absent'), undefined);
});

test('backward links walk the set in descending order', () => {
  const z = new SortedSet();
  for (let i = 0; i < 200; i++) z.add('k' + i, i % 17);
  const down: string[] = [];
  for (let n = z.last(); n !== null; n = n.prev) down.push(n.member);
  assert.deepEqual(down, [...z.entries()].map((e) => e[0]).reverse());
});

test('score ranges find the first and last member inside, honouring exclusive bounds', () => {
  const z = new SortedSet();
  for (let i = 0; i < 100; i++) z.add('m' + String(i).padStart(3, '0'), Math.floor(i / 10));
  const range = (min: number, max: number, minex = false, maxex = false): ScoreRange => ({ min, max, minex, maxex });
  assert.equal(z.firstInRange(range(3, 5))!.member, 'm030');
  assert.equal(z.lastInRange(range(3, 5))!.member, 'm059');
  assert.equal(z.firstInRange(range(3, 5, true))!.member, 'm040');
  assert.equal(z.lastInRange(range(3, 5, false, true))!.member, 'm049');
  assert.equal(z.firstInRange(range(3, 3, true)), null);
  assert.equal(z.firstInRange(range(5, 3)), null);
  assert.equal(z.firstInRange(range(-Infinity, Infinity))!.member, 'm000');
  assert.equal(z.lastInRange(range(-Infinity, Infinity))!.member, 'm099');
  assert.equal(z.firstInRange(range(20, 30)), null);
});

test('lex ranges over equal scores, by skiplist descent and by linear scan alike', () => {
  const z = new SortedSet();
  for (const m of ['a', 'b', 'c', 'd', 'e', 'f']) z.add(m, 0);
  const lex = (min: string, max: string): LexRange => {
    const bound = (s: string) => (s === '-' ? { v: '', ex: false, inf: -1 as const } : s === '+' ? { v: '', ex: false, inf: 1 as const } : { v: s.slice(1), ex: s[0] === '(', inf: 0 as const });
    const a = bound(min);
    const b = bound(max);
    return { min: a.v, max: b.v, minex: a.ex, maxex: b.ex, minInf: a.inf, maxInf: b.inf };
  };
  for (const linear of [false, true]) {
    assert.equal(z.firstInLexRange(lex('[b', '[d'), linear)!.member, 'b');
    assert.equal(z.lastInLexRange(lex('[b', '[d'), linear)!.member, 'd');
    assert.equal(z.firstInLexRange(lex('(b', '(d'), linear)!.member, 'c');
    assert.equal(z.lastInLexRange(lex('(b', '(d'), linear)!.member, 'c');
    assert.equal(z.firstInLexRange(lex('-', '+'), linear)!.member, 'a');
    assert.equal(z.lastInLexRange(lex('-', '+'), linear)!.member, 'f');
    assert.equal(z.firstInLexRange(lex('+', '-'), linear), null);
    assert.equal(z.firstInLexRange(lex('[d', '[b'), linear), null);
    assert.equal(z.firstInLexRange(lex('(c', '(c'), linear), null);
    assert.equal(z.firstInLexRange(lex('[g', '+'), linear), null);
  }
});

test('updating a score moves the member, in place or relinked', () => {
  const z = new SortedSet();
  z.add('a', 1);
  z.add('b', 2);
  z.add('c', 3);
  assert.equal(z.add('b', 2.5), false);
  assert.deepEqual([...z.entries()], [['a', 1], ['b', 2.5], ['c', 3]]);
  assert.equal(z.add('a', 10), false);
  assert.deepEqual([...z.entries()], [['b', 2.5], ['c', 3], ['a', 10]]);
  assert.equal(z.rank('a'), 2);
  assert.deepEqual([...z.liveEntries()].sort(), [['a', 10], ['b', 2.5], ['c', 3]]);
});
