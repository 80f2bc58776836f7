// DEBUG DIGEST / DIGEST-VALUE must equal real Redis 7.0's bit for bit. The expected digests
// below were produced by redis-server 7.0.15 from the same data (commands in each comment).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Keyspace } from '../../src/keyspace/keyspace';
import { ListValue, HashValue, SetValue, ZSetValue } from '../../src/keyspace/values';
import { createHash } from 'node:crypto';
import { datasetDigest, keyValueDigest, formatG17, sha1Of } from '../../src/keyspace/digest';

const NO_EXPIRE_YET = 99999999999999;

function list(...items: string[]): ListValue {
  const l = new ListValue();
  for (const i of items) l.items.push(i);
  return l;
}

function set(...members: string[]): SetValue {
  const s = new SetValue();
  for (const m of members) s.set.add(m);
  return s;
}

function hash(...pairs: string[]): HashValue {
  const h = new HashValue();
  for (let i = 0; i < pairs.length; i += 2) h.map.set(pairs[i], pairs[i + 1]);
  return h;
}

function zset(...pairs: Array<[number, string]>): ZSetValue {
  const z = new ZSetValue();
  for (const [score, member] of pairs) z.zset.add(member, score);
  return z;
}

test('an empty dataset digests to 40 zeros', () => {
  assert.equal(datasetDigest(new Keyspace(16).dbs), '0'.repeat(40));
});

test('dataset digest of strings, with an expire and in two databases, matches Redis', () => {
  const ks = new Keyspace(16);
  const db0 = ks.dbs[0];
  // SET s1 hello
  db0.dict.set('s1', 'hello');
  assert.equal(datasetDigest(ks.dbs), 'b9c91680a24c69517bc62eeead63277d5dd4ad62');
  // SET n 12345
  db0.dict.set('n', '12345');
  assert.equal(datasetDigest(ks.dbs), 'a6385c9456b1b7d2d9fc55a3edd3d0a88548ea63');
  // SET bin "a\x01\xffb"; PEXPIREAT s1 99999999999999
  db0.dict.set('bin', 'a\x01\xffb');
  db0.expires.set('s1', NO_EXPIRE_YET);
  assert.equal(datasetDigest(ks.dbs), 'f951a01acbc41c8ea11df2aae1b61b960a345d93');
  // the aggregates below, then SELECT 3; SET k3 v
  db0.dict.set('l', list('a', 'b', '3', 'c'));
  db0.dict.set('s', set('x', 'y', '1', '2'));
  db0.dict.set('si', set('1', '2', '3'));
  db0.dict.set('h', hash('f1', 'v1', 'f2', 'v2'));
  db0.dict.set('z', zset([1, 'a'], [2.5, 'b'], [-3, 'c'], [1e20, 'd'], [0.1, 'e'], [Infinity, 'f']));
  db0.dict.set('z2', zset([1.5, 'm'], [3e-7, 'n']));
  ks.dbs[3].dict.set('k3', 'v');
  assert.equal(datasetDigest(ks.dbs), '1fce0b2919167321ed8f5f4f20dfdbf0f12c5cb0');
});

test('DIGEST-VALUE of each type matches Redis', () => {
  const ks = new Keyspace(16);
  const db = ks.dbs[0];
  db.expires.set('s1', NO_EXPIRE_YET);
  const cases: Array<[string, Parameters<typeof keyValueDigest>[2], string]> = [
    ['l', list('a', 'b', '3', 'c'), '226c2112f4bc5d6412d156490c291101b43ddc83'],
    ['s', set('x', 'y', '1', '2'), 'd9a5e496512416d64a1c5e6d33afd9f2f9c366c5'],
    ['si', set('3', '1', '2'), '2a462a3f51a1db89738ebbeef0c47ce1bbc85246'],
    ['h', hash('f2', 'v2', 'f1', 'v1'), '047cc60ea73a34cde6d08a2721a4a26d19ee6570'],
    ['z', zset([1, 'a'], [2.5, 'b'], [-3, 'c'], [1e20, 'd'], [0.1, 'e'], [Infinity, 'f']), '1932e392cb5fb1eb2cb97b4968d55b7586327ebb'],
    ['z2', zset([1.5, 'm'], [3e-7, 'n']), '68ab5ed0fbcc0d80dbece780fb38ac29ae3e9c07'],
    ['s1', 'hello', 'd037c4eb8a8b36b602fbced4000daeab0714c1e3'],
    ['bin', 'a\x01\xffb', 'f14e7c6eb8f04f01b18512832e269ce419c59492'],
    ['n', '12345', 'e1cf90774e995ae03de66e8109dc5cb9d9c2dc83'],
    ['nosuch', undefined, '0'.repeat(40)],
  ];
  for (const [key, value, expected] of cases) assert.equal(keyValueDigest(db, key, value), expected, key);
});

test('list order changes the digest; set and hash order do not', () => {
  const db = new Keyspace(1).dbs[0];
  assert.notEqual(keyValueDigest(db, 'l', list('a', 'b')), keyValueDigest(db, 'l', list('b', 'a')));
  assert.equal(keyValueDigest(db, 's', set('a', 'b')), keyValueDigest(db, 's', set('b', 'a')));
  assert.equal(keyValueDigest(db, 'h', hash('a', '1', 'b', '2')), keyValueDigest(db, 'h', hash('b', '2', 'a', '1')));
});

test('scores are formatted as printf %.17g', () => {
  assert.equal(formatG17(1), '1');
  assert.equal(formatG17(2.5), '2.5');
  assert.equal(formatG17(0.1), '0.10000000000000001');
  assert.equal(formatG17(1e20), '1e+20');
  assert.equal(formatG17(3e-7), '2.9999999999999999e-07');
  assert.equal(formatG17(-3), '-3');
  assert.equal(formatG17(123456789012345680), '1.2345678901234568e+17');
  assert.equal(formatG17(0.0001), '0.0001');
  assert.equal(formatG17(-Infinity), '-inf');
});

test('the JS SHA-1 equals node:crypto at every padding boundary, for strings and bytes', () => {
  for (const len of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 1024, 1025, 5000]) {
    let text = '';
    for (let i = 0; i < len; i++) text += String.fromCharCode((i * 37 + len) & 0xff);
    const bytes = Buffer.from(text, 'latin1');
    const expected = createHash('sha1').update(bytes).digest('hex');
    assert.equal(sha1Of(text).toString('hex'), expected, `string of ${len}`);
    assert.equal(sha1Of(bytes).toString('hex'), expected, `bytes of ${len}`);
  }
});
