// DUMP / RESTORE against a real redis-server 7.0: payloads move both ways for every type in its
// small and large encodings (equal DEBUG DIGEST-VALUE after the move), the same payload bytes for
// the same string, and Redis's replies to bad arguments and bad payloads.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RespClient, RespValue } from '../helpers/resp-client';
import { useTandemAndRedis } from '../helpers/use-server';

const ARGS = ['--save', '', '--enable-debug-command', 'yes'];
const { tandem: { client: t }, redis: { client: r } } = useTandemAndRedis(ARGS);

const many = (n: number, f: (i: number) => string[]): string[] => Array.from({ length: n }, (_, i) => f(i)).flat();

/** Keys of every type, small (listpack/intset) and large (hashtable/skiplist/quicklist). */
const FIXTURES: string[][] = [
  ['SET', 'str', 'hello'],
  ['SET', 'int', '12345'],
  ['SET', 'long', 'x'.repeat(5000)],
  ['RPUSH', 'list', 'a', 'b', '1'],
  ['RPUSH', 'biglist', ...many(1000, (i) => [`item-${i}`])],
  ['HSET', 'hash', 'f', 'v', 'n', '1'],
  ['HSET', 'bighash', ...many(600, (i) => [`f${i}`, `v${i}`])],
  ['SADD', 'intset', '1', '2', '3'],
  ['SADD', 'set', 'a', 'b'],
  ['SADD', 'bigset', ...many(600, (i) => [`m${i}`])],
  ['ZADD', 'zset', '1', 'a', '2.5', 'b'],
  ['ZADD', 'bigzset', ...many(300, (i) => [String(i / 3), `m${i}`])],
];

async function load(c: RespClient): Promise<void> {
  await c.call('FLUSHALL');
  for (const argv of FIXTURES) await c.call(...argv);
}

test('payloads restore both ways with equal digests; the same string dumps to the same bytes', async () => {
  await Promise.all([load(t), load(r)]);
  for (const [from, to] of [[r, t], [t, r]]) {
    for (const [, key] of FIXTURES) {
      const payload = (await from.call('DUMP', key)) as string;
      assert.equal(await to.call('RESTORE', `copy:${key}`, '0', payload), 'OK', key);
      assert.equal(await to.call('DEBUG', 'DIGEST-VALUE', `copy:${key}`).then((d) => (d as string[])[0]), await from.call('DEBUG', 'DIGEST-VALUE', key).then((d) => (d as string[])[0]), key);
    }
  }
  assert.equal(await t.call('DUMP', 'str'), await r.call('DUMP', 'str'));
});

test('RESTORE options and errors as Redis', async () => {
  await Promise.all([load(t), load(r)]);
  const payload = (await r.call('DUMP', 'str')) as string;
  const corrupt = payload.slice(0, -1) + String.fromCharCode(payload.charCodeAt(payload.length - 1) ^ 1);
  const newer = payload.slice(0, -10) + '\xff\x00' + payload.slice(-8);
  const steps: string[][] = [
    ['DUMP', 'missing'],
    ['RESTORE', 'str', '0', payload],
    ['RESTORE', 'n1', '-5', payload],
    ['RESTORE', 'n1', 'abc', payload],
    ['RESTORE', 'n1', '0', corrupt],
    ['RESTORE', 'n1', '0', newer],
    ['RESTORE', 'n1', '0', 'short'],
    ['RESTORE', 'n1', '0', payload, 'IDLETIME', '-1'],
    ['RESTORE', 'n1', '0', payload, 'FREQ', '256'],
    ['RESTORE', 'n1', '0', payload, 'IDLETIME', '5', 'FREQ', '5'],
    ['RESTORE', 'n1', '0', payload, 'BOGUS'],
    ['RESTORE', 'str', '0', payload, 'REPLACE', 'IDLETIME', '100'],
    ['OBJECT', 'IDLETIME', 'str'],
    ['RESTORE', 'ttl', '100000', payload],
    ['RESTORE', 'past', '1', payload, 'ABSTTL'],
    ['EXISTS', 'past'],
    ['RESTORE', 'list', '1', payload, 'ABSTTL', 'REPLACE'],
    ['EXISTS', 'list'],
    ['TYPE', 'str'],
  ];
  const run = async (c: RespClient): Promise<RespValue[]> => {
    const out: RespValue[] = [];
    for (const argv of steps) out.push(await c.call(...argv));
    const pttl = (await c.call('PTTL', 'ttl')) as number;
    out.push(pttl > 90000 && pttl <= 100000);
    return out;
  };
  assert.deepEqual(await run(t), await run(r));
});
