// The AOF directory is interchangeable with Redis 7.0's: real redis-server loads what Tandem
// wrote, and Tandem loads what redis-server wrote (same keys, values and TTLs), also with a base
// rewritten in command form (aof-use-rdb-preamble no).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ServerProcess, untilLoaded } from '../helpers/server';
import { useServerStarter } from '../helpers/use-server';
import { RespClient } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';

const AOF = ['--appendonly', 'yes', '--save', ''];
const start = useServerStarter();

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
    const w = await start({ redis: writer === 'redis', args: AOF });
    const c = await w.client();
    await fill(c);
    c.close();
    const expected = await dump(w);
    await w.stop();
    // The reader replies -LOADING until it has read the AOF.
    const r = await untilLoaded(await start({ redis: reader === 'redis', dir: w.dir, args: AOF }));
    assert.deepEqual(await dump(r), expected);
    await r.stop();
  });
}

/** Every type, with lists, sets, hashes and sorted sets past one 64-item command, TTLs, two databases. */
async function fillBig(c: RespClient): Promise<void> {
  await fill(c);
  assert.equal(await c.call('SELECT', '0'), 'OK');
  const items = Array.from({ length: 150 }, (_, i) => `item-${i}`);
  assert.equal(await c.call('RPUSH', 'biglist', ...items), 150);
  assert.equal(await c.call('SADD', 'bigset', ...items), 150);
  assert.equal(await c.call('SADD', 'intset', ...items.map((_, i) => String(i * 7))), 150);
  assert.equal(await c.call('HSET', 'bighash', ...items.flatMap((it, i) => [it, `v${i}`])), 150);
  assert.equal(await c.call('ZADD', 'bigzset', ...items.flatMap((it, i) => [String(i / 10), it])), 150);
  assert.equal(await c.call('ZADD', 'z', 'inf', 'top', '-inf', 'bottom', '0.1', 'tenth'), 3);
  assert.equal(await c.call('PEXPIRE', 'bighash', '9000000'), 1);
  assert.equal(await c.call('SET', 'bin', 'a\r\nb\x00\xff'), 'OK');
}

for (const [writer, reader] of [['tandem', 'redis'], ['redis', 'tandem']] as const) {
  test(`aof-use-rdb-preamble no: a command-form base rewritten by ${writer} loads in ${reader}`, async () => {
    const args = [...AOF, '--aof-use-rdb-preamble', 'no', '--enable-debug-command', 'yes'];
    const w = await start({ redis: writer === 'redis', args });
    const c = await w.client();
    await fillBig(c);
    assert.match((await c.call('BGREWRITEAOF')) as string, /^Background append only file rewriting (started|scheduled)$/);
    const manifest = path.join(w.dir, 'appendonlydir', 'appendonly.aof.manifest');
    await waitFor('the rewrite to install a .base.aof', async () =>
      ((await c.call('INFO', 'persistence')) as string).includes('aof_rewrite_in_progress:0') &&
      /^file appendonly\.aof\.2\.base\.aof seq 2 type b$/m.test(fs.readFileSync(manifest, 'latin1')));
    const base = fs.readFileSync(path.join(w.dir, 'appendonlydir', 'appendonly.aof.2.base.aof'), 'latin1');
    assert.ok(base.startsWith('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n'), base.slice(0, 40));
    assert.match(base, /\*3\r\n\$9\r\nPEXPIREAT\r\n\$7\r\nbighash\r\n/);
    const digest = await c.call('DEBUG', 'DIGEST');
    c.close();
    const expected = await dump(w);
    await w.stop();
    const r = await untilLoaded(await start({ redis: reader === 'redis', dir: w.dir, args }));
    assert.deepEqual(await dump(r), expected);
    const rc = await r.client();
    assert.equal(await rc.call('DEBUG', 'DIGEST'), digest);
    rc.close();
    await r.stop();
  });
}
