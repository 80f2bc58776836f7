// The AOF directory is interchangeable with Redis 7.0's: real redis-server loads what Tandem
// wrote, and Tandem loads what redis-server wrote (same keys, values and TTLs).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startServer, ServerProcess } from '../helpers/server';
import { RespClient } from '../helpers/resp-client';

const AOF = ['--appendonly', 'yes', '--save', ''];

async function fill(c: RespClient): Promise<void> {
  assert.equal(await c.call('SET', 's', 'v'), 'OK');
  assert.equal(await c.call('SET', 't', 'ttl', 'EX', '5000'), 'OK');
  assert.equal(await c.call('RPUSH', 'l', 'a', 'b', 'c'), 3);
  assert.equal(await c.call('HSET', 'h', 'f1', 'v1', 'f2', 'v2'), 2);
  assert.equal(await c.call('SADD', 'set', '1', '2', 'x'), 3);
  assert.equal(await c.call('ZADD', 'z', '1.5', 'm1', '2', 'm2'), 2);
  assert.equal(await c.call('INCRBYFLOAT', 'f', '0.1'), '0.1');
  assert.equal(await c.call('SELECT', '2'), 'OK');
  assert.equal(await c.call('SET', 'db2', 'yes'), 'OK');
}

async function dump(p: ServerProcess): Promise<unknown[]> {
  const c = await p.client();
  const out: unknown[] = [
    await c.call('GET', 's'),
    ((await c.call('TTL', 't')) as number) > 4900,
    await c.call('LRANGE', 'l', '0', '-1'),
    await c.call('HGETALL', 'h'),
    ((await c.call('SMEMBERS', 'set')) as string[]).sort(),
    await c.call('ZRANGE', 'z', '0', '-1', 'WITHSCORES'),
    await c.call('GET', 'f'),
    await c.call('SELECT', '2'),
    await c.call('GET', 'db2'),
  ];
  c.close();
  return out;
}

for (const [writer, reader] of [['tandem', 'redis'], ['redis', 'tandem']] as const) {
  test(`an AOF written by ${writer} loads in ${reader}`, async () => {
    const w = await startServer({ redis: writer === 'redis', args: AOF });
    const c = await w.client();
    await fill(c);
    c.close();
    const expected = await dump(w);
    await w.stop();
    const r = await startServer({ redis: reader === 'redis', dir: w.dir, args: AOF });
    assert.deepEqual(await dump(r), expected);
    await r.stop();
  });
}
