// literalStartFits (keyspace/glob.ts), the pre-check that lets keyspace events skip building a
// channel name: it may only say "no" where globMatch on the joined string says no as well.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { globMatch, literalStartFits } from '../../src/keyspace/glob';
import { REDIS_CASES } from './glob.test';

test('literalStartFits never rejects a string the pattern matches, however the string is split', () => {
  let rejected = 0;
  for (const [pattern, str] of REDIS_CASES) {
    for (let cut = 0; cut <= str.length; cut++) {
      // The head is a keyspace-event prefix: it never holds a special character.
      if (/[*?[\\]/.test(str.slice(0, cut))) continue;
      const fits = literalStartFits(pattern, str.slice(0, cut), str.slice(cut));
      if (globMatch(pattern, str)) assert.equal(fits, true, `${pattern} / ${str} cut at ${cut}`);
      if (!fits) rejected++;
    }
  }
  assert.ok(rejected > 0, 'some Redis cases are rejected by the literal start alone');
});

test('literalStartFits on keyspace channels: the key decides past the prefix, wildcards defer to globMatch', () => {
  const prefix = '__keyspace@0__:';
  assert.equal(literalStartFits('__keyspace@0__:probe:*', prefix, 'key:1'), false);
  assert.equal(literalStartFits('__keyspace@0__:probe:*', prefix, 'probe:1'), true);
  assert.equal(literalStartFits('__keyspace@1__:*', prefix, 'probe:1'), false);
  assert.equal(literalStartFits('__keyspace@0__:pro', prefix, 'probe'), false, 'all literal, longer string');
  assert.equal(literalStartFits('__keyspace@0__:probe', prefix, 'probe'), true, 'all literal, equal');
  assert.equal(literalStartFits('__keyspace@0__:probe:long', prefix, 'probe'), false, 'string shorter than the literal start');
  assert.equal(literalStartFits('__key?pace@0__:x', prefix, 'y'), true, '? defers');
  assert.equal(literalStartFits('__keyspace@[01]__:x', prefix, 'y'), true, '[ defers');
  assert.equal(literalStartFits('__keyspace@0__:\\x', prefix, 'y'), true, 'an escape defers');
  assert.equal(literalStartFits('*', prefix, 'y'), true);
});

test('literalStartFits agrees with globMatch on random byte strings whenever it rejects', () => {
  const alphabet = 'ab*?[]\\^-';
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  const word = (chars: string, max: number) => Array.from({ length: rand(max) }, () => chars[rand(chars.length)]).join('');
  let rejected = 0;
  for (let i = 0; i < 20000; i++) {
    const pattern = word(alphabet, 7);
    const str = word('ab\xff', 7);
    const cut = rand(str.length + 1);
    if (!literalStartFits(pattern, str.slice(0, cut), str.slice(cut))) {
      rejected++;
      assert.equal(globMatch(pattern, str), false, `${JSON.stringify(pattern)} / ${JSON.stringify(str)}`);
    }
  }
  assert.ok(rejected > 1000);
});
