// The append-only file: Redis 7.0's multi-part layout, restart from it, rewrite without losing a
// concurrent write, a torn last command, real corruption refused, and appendfsync always
// surviving kill -9.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startServer } from '../helpers/server';
import { RespError } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';

const AOF = ['--appendonly', 'yes', '--save', ''];

function aofDir(dir: string): string {
  return path.join(dir, 'appendonlydir');
}

function manifest(dir: string): string {
  return fs.readFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'utf8');
}

test('writes are replayed after a restart, TTLs as absolute times', async () => {
  const srv = await startServer({ args: AOF });
  const c = await srv.client();
  assert.equal(await c.call('SET', 'a', '1'), 'OK');
  assert.equal(await c.call('SET', 'b', '2', 'EX', '1000'), 'OK');
  assert.equal(await c.call('INCRBYFLOAT', 'f', '1.5'), '1.5');
  assert.equal(await c.call('RPUSH', 'l', 'x', 'y'), 2);
  assert.equal(await c.call('SELECT', '3'), 'OK');
  assert.equal(await c.call('SET', 'd', '4'), 'OK');
  c.close();
  assert.equal(manifest(srv.dir), 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  const incr = fs.readFileSync(path.join(aofDir(srv.dir), 'appendonly.aof.1.incr.aof'), 'latin1');
  assert.match(incr, /^\*2\r\n\$6\r\nSELECT\r\n\$1\r\n0\r\n/);
  assert.match(incr, /\$4\r\nPXAT\r\n\$13\r\n\d{13}\r\n/, 'EX is written as PXAT');
  assert.equal(await srv.stop(), 0);

  const again = await startServer({ dir: srv.dir, args: AOF });
  const d = await again.client();
  assert.equal(await d.call('GET', 'a'), '1');
  assert.ok(((await d.call('TTL', 'b')) as number) > 990);
  assert.equal(await d.call('GET', 'f'), '1.5');
  assert.deepEqual(await d.call('LRANGE', 'l', '0', '-1'), ['x', 'y']);
  assert.equal(await d.call('SELECT', '3'), 'OK');
  assert.equal(await d.call('GET', 'd'), '4');
  assert.match(again.log(), /DB loaded from append only file/);
  d.close();
  await again.stop();
});

test('BGREWRITEAOF: a new base and incr file, history removed, writes during it kept', async () => {
  const srv = await startServer({ args: [...AOF, '--rdb-key-save-delay', '200'] });
  const c = await srv.client();
  for (let i = 0; i < 2000; i++) c.writeRaw(`SET k${i} ${i}\r\n`);
  for (let i = 0; i < 2000; i++) assert.equal(await c.read(), 'OK');
  assert.equal(await c.call('BGREWRITEAOF'), 'Background append only file rewriting started');
  // These land while the base is being written: they must be in the new incr file.
  for (let i = 0; i < 100; i++) assert.equal(await c.call('SET', `during${i}`, 'x'), 'OK');
  assert.deepEqual(await c.call('BGREWRITEAOF'), new RespError('ERR Background append only file rewriting already in progress'));
  await waitFor('the rewrite to finish', async () => String(await c.call('INFO', 'persistence')).includes('aof_rewrite_in_progress:0'), 20000);
  assert.equal(manifest(srv.dir), 'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
  await waitFor('history files removed', () => !fs.existsSync(path.join(aofDir(srv.dir), 'appendonly.aof.1.incr.aof')));
  c.close();
  await srv.stop();
  const again = await startServer({ dir: srv.dir, args: AOF });
  const d = await again.client();
  assert.equal(await d.call('DBSIZE'), 2100);
  assert.equal(await d.call('GET', 'during99'), 'x');
  d.close();
  await again.stop();
});

test('a torn last command is dropped with a warning; real corruption refuses to start', async () => {
  const srv = await startServer({ args: AOF });
  const c = await srv.client();
  assert.equal(await c.call('SET', 'kept', '1'), 'OK');
  assert.equal(await c.call('SET', 'torn', '2'), 'OK');
  c.close();
  await srv.stop();
  const incr = path.join(aofDir(srv.dir), 'appendonly.aof.1.incr.aof');
  fs.truncateSync(incr, fs.statSync(incr).size - 3);
  const again = await startServer({ dir: srv.dir, args: AOF });
  const d = await again.client();
  assert.equal(await d.call('GET', 'kept'), '1');
  assert.equal(await d.call('GET', 'torn'), null);
  assert.match(again.log(), /!!! Warning: short read while loading the AOF file appendonly\.aof\.1\.incr\.aof!!!/);
  assert.match(again.log(), /AOF appendonly\.aof\.1\.incr\.aof loaded anyway because aof-load-truncated is enabled/);
  d.close();
  await again.stop();

  const before = fs.readFileSync(incr);
  fs.appendFileSync(incr, '*2\r\n$3\r\nGET\r\n:oops\r\n*1\r\n$4\r\nPING\r\n');
  const corrupted = fs.readFileSync(incr);
  await assert.rejects(startServer({ dir: srv.dir, args: AOF }), /Bad file format reading the append only file appendonly\.aof\.1\.incr\.aof/);
  assert.deepEqual(fs.readFileSync(incr), corrupted, 'the AOF is left untouched');
  assert.ok(corrupted.length > before.length);
});

test('a # line where a command starts is an annotation; a value starting with # (after a newline) is data', async () => {
  const srv = await startServer({ args: AOF });
  const c = await srv.client();
  assert.equal(await c.call('SET', 'k', '#x'), 'OK');
  assert.equal(await c.call('SET', 'multi', 'a\n#b\r\n#c'), 'OK');
  c.close();
  await srv.stop();
  const incr = path.join(aofDir(srv.dir), 'appendonly.aof.1.incr.aof');
  fs.appendFileSync(incr, '#TS:1795310000\r\n*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n1\r\n');
  const again = await startServer({ dir: srv.dir, args: AOF });
  const d = await again.client();
  assert.equal(await d.call('GET', 'k'), '#x');
  assert.equal(await d.call('GET', 'multi'), 'a\n#b\r\n#c');
  assert.equal(await d.call('GET', 'after'), '1', 'the command after the annotation is applied');
  assert.doesNotMatch(again.log(), /short read/);
  d.close();
  await again.stop();
});

test('appendfsync always: every acknowledged write survives kill -9', async () => {
  const srv = await startServer({ args: [...AOF, '--appendfsync', 'always'] });
  const c = await srv.client();
  let acked = 0;
  for (let i = 0; i < 500; i++) {
    assert.equal(await c.call('INCR', 'counter'), i + 1);
    acked = i + 1;
  }
  await srv.stop('SIGKILL');
  const again = await startServer({ dir: srv.dir, args: AOF });
  const d = await again.client();
  assert.equal(await d.call('GET', 'counter'), String(acked));
  d.close();
  await again.stop();
});

test('CONFIG SET appendonly yes creates the AOF from the current dataset', async () => {
  const srv = await startServer({ args: ['--save', ''] });
  const c = await srv.client();
  assert.equal(await c.call('SET', 'before', '1'), 'OK');
  assert.equal(await c.call('CONFIG', 'SET', 'appendonly', 'yes'), 'OK');
  await waitFor('the first rewrite', async () => String(await c.call('INFO', 'persistence')).includes('aof_rewrites:1'), 20000);
  assert.equal(await c.call('SET', 'after', '2'), 'OK');
  c.close();
  await srv.stop();
  const again = await startServer({ dir: srv.dir, args: AOF });
  const d = await again.client();
  assert.deepEqual([await d.call('GET', 'before'), await d.call('GET', 'after')], ['1', '2']);
  d.close();
  await again.stop();
});

test('aof-use-rdb-preamble no: the base is written and read back as commands (.base.aof), every type and TTL', async () => {
  const args = [...AOF, '--aof-use-rdb-preamble', 'no', '--enable-debug-command', 'yes'];
  const srv = await startServer({ args });
  assert.equal(manifest(srv.dir), 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  const c = await srv.client();
  const many = Array.from({ length: 130 }, (_, i) => String(i));
  assert.equal(await c.call('SET', 's', 'v', 'PX', '7000000'), 'OK');
  assert.equal(await c.call('RPUSH', 'l', ...many), 130);
  assert.equal(await c.call('SADD', 'set', ...many), 130);
  assert.equal(await c.call('HSET', 'h', ...many.flatMap((x) => [`f${x}`, x])), 130);
  assert.equal(await c.call('ZADD', 'z', ...many.flatMap((x) => [`${x}.25`, `m${x}`]), 'inf', 'top'), 131);
  assert.equal(await c.call('SELECT', '5'), 'OK');
  assert.equal(await c.call('SET', 'other-db', 'x'), 'OK');
  assert.equal(await c.call('EXPIRE', 'other-db', '9000'), 1);
  assert.equal(await c.call('BGREWRITEAOF'), 'Background append only file rewriting started');
  await waitFor('the rewrite', async () => manifest(srv.dir) === 'file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
  const base = fs.readFileSync(path.join(aofDir(srv.dir), 'appendonly.aof.2.base.aof'), 'latin1');
  // 130 items: one command of 64, one of 64 and one of 2 (AOF_REWRITE_ITEMS_PER_CMD).
  assert.equal(base.match(/\r\nRPUSH\r\n/g)?.length, 3);
  assert.equal(base.match(/\*66\r\n\$5\r\nRPUSH\r\n/g)?.length, 2);
  assert.equal(base.match(/\*130\r\n\$5\r\nHMSET\r\n/g)?.length, 2);
  assert.match(base, /\*3\r\n\$9\r\nPEXPIREAT\r\n\$1\r\ns\r\n\$13\r\n\d{13}\r\n/);
  assert.match(base, /\*2\r\n\$6\r\nSELECT\r\n\$1\r\n5\r\n\*3\r\n\$3\r\nSET\r\n\$8\r\nother-db\r\n/);
  const digest = await c.call('DEBUG', 'DIGEST');
  c.close();
  assert.equal(await srv.stop(), 0);

  const again = await startServer({ dir: srv.dir, args });
  const d = await again.client();
  assert.equal(await d.call('DEBUG', 'DIGEST'), digest);
  assert.ok(((await d.call('PTTL', 's')) as number) > 6000000);
  d.close();
  await again.stop();
});
