// Glob matching (keyspace/glob.ts) against Redis 7.0's stringmatchlen. The expectations in
// REDIS_CASES were recorded from a real redis-server 7.0.15 (SET <string>, KEYS <pattern>), including
// its quirks: unterminated classes, reversed ranges, signed-char range bounds for bytes >= 0x80,
// escapes inside classes. test/interop/strings-keys.test.ts re-checks them against a live server.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { globMatch } from '../../src/keyspace/glob';

/** [pattern, string, does Redis match] */
export const REDIS_CASES: ReadonlyArray<[string, string, boolean]> = [
  ["*", "", true],
  ["*", "abc", true],
  ["a*", "abc", true],
  ["a*", "bac", false],
  ["*c", "abc", true],
  ["a*c", "ac", true],
  ["a*c", "abbbc", true],
  ["a*c", "abcd", false],
  ["?", "a", true],
  ["?", "", false],
  ["?", "ab", false],
  ["a?c", "abc", true],
  ["a?c", "ac", false],
  ["??", "ab", true],
  ["[abc]", "b", true],
  ["[abc]", "d", false],
  ["[^abc]", "d", true],
  ["[^abc]", "a", false],
  ["[a-c]x", "bx", true],
  ["[a-c]x", "dx", false],
  ["[c-a]x", "bx", true],
  ["[a-]", "-", false],
  ["[a-]", "a", true],
  ["[-a]", "-", true],
  ["[]", "]", false],
  ["[]]", "]", false],
  ["[]a]", "a", false],
  ["[", "[", false],
  ["[", "a", false],
  ["[a", "a", true],
  ["[ab", "b", true],
  ["a[", "a", false],
  ["[^", "x", true],
  ["\\*", "*", true],
  ["\\*", "a", false],
  ["\\?", "?", true],
  ["\\[a]", "[a]", true],
  ["a\\", "a", false],
  ["a\\", "a\\", true],
  ["\\", "\\", true],
  ["[\\]]", "]", true],
  ["[\\a]", "a", true],
  ["[a\\-z]", "-", true],
  ["[a\\-z]", "b", false],
  ["**", "x", true],
  ["a**b", "ab", true],
  ["a**b", "axxb", true],
  ["*a*b*", "xxaxxbxx", true],
  ["*a*b*", "xxbxxaxx", false],
  ["a*b*c", "abc", true],
  ["a*b*c", "abcbc", true],
  ["a*b*c", "acb", false],
  ["h?llo", "hello", true],
  ["h*llo", "heeeello", true],
  ["h[ae]llo", "hallo", true],
  ["h[^e]llo", "hello", false],
  ["h[a-b]llo", "hbllo", true],
  ["[\u0080-\u00ff]", "\u00a0", true],
  ["[\u0000-\u00ff]", "a", false],
  ["[\u0000-\u00ff]", "\u00ff", true],
  ["[\u007f-\u0080]", "a", true],
  ["[a-\u00ff]", "b", false],
  ["[a-\u00ff]", "\u0000", true],
  ["[a-\u00ff]", "\u00fe", false],
  ["A*", "abc", false],
  ["[A-Z]", "q", false],
  ["x\u0000y", "x\u0000y", true],
  ["x?y", "x\u0000y", true],
  ["*\u0000", "ab\u0000", true],
  ["[!a]", "!", true],
  ["[!a]", "b", false],
  ["*[", "ab[", false],
  ["*[a", "xa", true],
  ["[a-", "a", true],
  ["[a-", "-", true],
  ["[-]", "-", true],
  ["user:*:name", "user:1000:name", true],
  ["user:*:name", "user:1000:email", false],
  ["*?", "", false],
  ["*?", "a", true],
  ["?*", "a", true],
  ["*?*?*", "a", false],
];

test('every recorded case matches as in Redis', () => {
  for (const [pattern, str, expected] of REDIS_CASES) {
    assert.equal(globMatch(pattern, str), expected, `pattern ${JSON.stringify(pattern)} on ${JSON.stringify(str)}`);
  }
});

test('nocase folds ASCII letters only, in literals, classes and ranges', () => {
  assert.equal(globMatch('HeLLo*', 'hello world', true), true);
  assert.equal(globMatch('HeLLo*', 'hello world', false), false);
  assert.equal(globMatch('[A-C]x', 'bX', true), true);
  assert.equal(globMatch('[abc]', 'B', true), true);
  assert.equal(globMatch('[^abc]', 'B', true), false);
  assert.equal(globMatch('\\xe9', '\xc9', true), false);
  // An escaped char inside a class is compared exactly even with nocase (as Redis does).
  assert.equal(globMatch('[\\a]', 'A', true), false);
});

test('recursion deeper than 1000 stars does not match (Redis guard), shallower does', () => {
  const subject = 'a'.repeat(1200);
  assert.equal(globMatch('a*'.repeat(900), subject), true);
  assert.equal(globMatch('a*'.repeat(1100), subject), false);
});

test('a pathological pattern finishes quickly thanks to the skip-longer-matches rule', () => {
  const start = Date.now();
  assert.equal(globMatch('a*'.repeat(30) + 'b', 'a'.repeat(60)), false);
  assert.ok(Date.now() - start < 1000);
});
