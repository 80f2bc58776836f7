// RDB files across Tandem and a real Redis 7.0: a dump.rdb written by redis-server (every type in
// its small and large encodings, expiries, several databases) loads into Tandem with the same
// DEBUG DIGEST and the same OBJECT ENCODING per key; a dump.rdb written by Tandem passes
// redis-check-rdb and loads into redis-server with the same digest and encodings.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, ServerProcess, untilLoaded } from '../helpers/server';
import { RespClient } from '../helpers/resp-client';

const ARGS = ['--save', '', '--enable-debug-command', 'yes'];

/** Fills a server with every type on both sides of the encoding limits, in three databases. */
async function populate(c: RespClient): Promise<void> {
  const cmds: string[][] = [
    ['SET', 'str:raw', 'hello world'],
    ['SET', 'str:int', '123456'],
    ['SET', 'str:neg', '-42'],
    ['SET', 'str:big-int', '9223372036854775807'],
    ['SET', 'str:compressible', 'abcd'.repeat(100)],
    ['SET', 'str:binary', '\0\x01\xff\xfe\r\n'],
    ['SET', 'str:empty', ''],
    ['RPUSH', 'list:small', 'a', 'b', '1', '-2', '300000'],
    ['HSET', 'hash:small', 'f1', 'v1', 'f2', '2'],
    ['HSET', 'hash:long-value', 'f', 'x'.repeat(65)],
    ['SADD', 'set:intset', '1', '2', '-3', '5000000000'],
    ['SADD', 'set:strings', 'a', 'b', 'c'],
    ['ZADD', 'zset:small', '1', 'a', '2.5', 'b', '-3', 'c', 'inf', 'd'],
    ['ZADD', 'zset:long-member', '1', 'm'.repeat(65)],
    ['SET', 'ttl:key', 'v'],
    ['PEXPIREAT', 'ttl:key', '4102444800000'],
    ['SELECT', '7'],
    ['SET', 'db7:key', 'in db 7'],
    ['HSET', 'db7:hash', 'x', 'y'],
    ['SELECT', '15'],
    ['SADD', 'db15:set', 'x'],
    ['SELECT', '0'],
  ];
  for (let i = 0; i < 300; i++) {
    cmds.push(['RPUSH', 'list:big', `item-${i}-${'x'.repeat(i % 90)}`]);
    cmds.push(['HSET', 'hash:big', `field-${i}`, `value-${i}`]);
    cmds.push(['ZADD', 'zset:big', String(i * 1.25), `member-${i}`]);
  }
  for (let i = 0; i < 600; i++) cmds.push(['SADD', 'set:big-intset', String(i * 7)]);
  for (const argv of cmds) {
    const r = await c.call(...argv);
    assert.ok(!(typeof r === 'object' && r !== null && 'message' in r), `${argv[0]}: ${String(r)}`);
  }
}

/** DEBUG DIGEST plus every key's OBJECT ENCODING, database by database. */
async function fingerprint(c: RespClient): Promise<unknown> {
  const out: unknown[] = [await c.call('DEBUG', 'DIGEST')];
  for (let db = 0; db < 16; db++) {
    await c.call('SELECT', String(db));
    const keys = ((await c.call('KEYS', '*')) as string[]).sort();
    for (const k of keys) out.push([db, k, await c.call('OBJECT', 'ENCODING', k), await c.call('PEXPIRETIME', k)]);
  }
  await c.call('SELECT', '0');
  return out;
}

async function withServer<T>(opts: { redis?: boolean; dir?: string }, fn: (c: RespClient, srv: ServerProcess) => Promise<T>): Promise<T> {
  const srv = await startServer({ ...opts, args: ARGS });
  try {
    // A server started on a dump.rdb replies -LOADING until it has read it.
    await untilLoaded(srv);
    const c = await srv.client();
    try {
      return await fn(c, srv);
    } finally {
      c.close();
    }
  } finally {
    await srv.stop();
  }
}

test('a dump.rdb written by redis-server loads into Tandem with the same digest and encodings', async () => {
  const { dir, expected } = await withServer({ redis: true }, async (c, srv) => {
    await populate(c);
    assert.equal(await c.call('SAVE'), 'OK');
    return { dir: srv.dir, expected: await fingerprint(c) };
  });
  assert.notEqual((expected as unknown[])[0], '0000000000000000000000000000000000000000');
  const actual = await withServer({ dir }, (c) => fingerprint(c));
  assert.deepEqual(actual, expected);
});

test('a dump.rdb written by Tandem passes redis-check-rdb and loads into redis-server unchanged', async () => {
  const { dir, expected } = await withServer({}, async (c, srv) => {
    await populate(c);
    assert.equal(await c.call('SAVE'), 'OK');
    return { dir: srv.dir, expected: await fingerprint(c) };
  });
  const check = execFileSync('redis-check-rdb', [path.join(dir, 'dump.rdb')], { encoding: 'utf8' });
  assert.match(check, /RDB looks OK/);
  assert.match(check, /Checksum OK/);
  const actual = await withServer({ redis: true, dir }, (c) => fingerprint(c));
  assert.deepEqual(actual, expected);
});

test('a BGSAVE taken while writes go on loads into redis-server as of its start', async () => {
  const { dir, expected } = await withServer({}, async (c, srv) => {
    await populate(c);
    for (let i = 0; i < 3000; i++) await c.call('SET', `bulk:${i}`, 'v'.repeat(i % 200));
    const before = await fingerprint(c);
    assert.equal(await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '200'), 'OK');
    assert.equal(await c.call('BGSAVE'), 'Background saving started');
    let writes = 0;
    for (;;) {
      await c.call('SET', `bulk:${writes % 3000}`, 'changed');
      await c.call('RPUSH', 'list:big', 'pushed');
      await c.call('DEL', `bulk:${(writes * 7) % 3000}`);
      writes++;
      const info = (await c.call('INFO', 'persistence')) as string;
      if (info.includes('rdb_bgsave_in_progress:0')) break;
    }
    assert.ok(writes > 10, `only ${writes} write rounds during the save`);
    fs.copyFileSync(path.join(srv.dir, 'dump.rdb'), path.join(srv.dir, 'bgsave.rdb'));
    return { dir: srv.dir, expected: before };
  });
  fs.renameSync(path.join(dir, 'bgsave.rdb'), path.join(dir, 'dump.rdb'));
  const actual = await withServer({ redis: true, dir }, (c) => fingerprint(c));
  assert.deepEqual(actual, expected);
});
