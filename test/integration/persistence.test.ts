// RDB persistence of a running tandem-server: SAVE/BGSAVE/LASTSAVE and their errors, INFO
// persistence, the dataset surviving a restart, BGSAVE being point-in-time while writes go on,
// save points, SHUTDOWN saving, DEBUG RELOAD, MISCONF after a failed save, and a corrupt
// dump.rdb refusing startup without being touched.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { startServer, ServerProcess, TANDEM_SERVER } from '../helpers/server';
import { RespClient, RespError } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';

async function info(c: RespClient): Promise<Map<string, string>> {
  const text = (await c.call('INFO', 'persistence')) as string;
  return new Map(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
}

async function field(c: RespClient, name: string): Promise<string | undefined> {
  return (await info(c)).get(name);
}

async function restart(srv: ServerProcess, args: string[] = []): Promise<ServerProcess> {
  await srv.stop();
  return startServer({ dir: srv.dir, args: ['--save', '', ...args] });
}

test('SAVE writes dump.rdb; LASTSAVE and INFO follow; a restart loads the data', async () => {
  let srv = await startServer({ args: ['--save', ''] });
  const c = await srv.client();
  assert.equal(await c.call('SET', 'k', 'v'), 'OK');
  await c.call('RPUSH', 'l', 'a', 'b');
  await c.call('HSET', 'h', 'f', 'v');
  await c.call('SADD', 's', '1', '2');
  await c.call('SET', 'ttl', 'v', 'EX', '1000');
  // As in Redis, multi-element writes count each element (RPUSH 2, SADD 2).
  assert.equal(await field(c, 'rdb_changes_since_last_save'), '7');
  const before = (await c.call('LASTSAVE')) as number;
  assert.equal(await c.call('SAVE'), 'OK');
  assert.ok(fs.existsSync(path.join(srv.dir, 'dump.rdb')));
  assert.ok(((await c.call('LASTSAVE')) as number) >= before);
  const i = await info(c);
  assert.equal(i.get('rdb_changes_since_last_save'), '0');
  assert.equal(i.get('rdb_saves'), '1');
  assert.equal(i.get('rdb_last_bgsave_status'), 'ok');
  assert.equal(i.get('rdb_bgsave_in_progress'), '0');
  c.close();

  srv = await restart(srv);
  const d = await srv.client();
  assert.equal(await d.call('GET', 'k'), 'v');
  assert.deepEqual(await d.call('LRANGE', 'l', '0', '-1'), ['a', 'b']);
  assert.equal(await d.call('HGET', 'h', 'f'), 'v');
  assert.equal(await d.call('SCARD', 's'), 2);
  assert.ok(((await d.call('TTL', 'ttl')) as number) > 900);
  assert.equal(await field(d, 'rdb_last_load_keys_loaded'), '5');
  assert.match(srv.log(), /DB loaded from disk: \d+\.\d{3} seconds/);
  d.close();
  await srv.stop();
});

test('BGSAVE is point-in-time while writes go on; a second one is refused meanwhile', async () => {
  // 200 keys at 5 ms each: the save takes about a second.
  let srv = await startServer({ args: ['--save', '', '--rdb-key-save-delay', '5000'] });
  const c = await srv.client();
  for (let i = 0; i < 200; i++) await c.call('SET', `k${i}`, `original-${i}`);
  assert.equal(await c.call('BGSAVE'), 'Background saving started');
  assert.deepEqual(await c.call('BGSAVE'), new RespError('ERR Background save already in progress'));
  assert.deepEqual(await c.call('SAVE'), new RespError('ERR Background save already in progress'));
  assert.equal(await field(c, 'rdb_bgsave_in_progress'), '1');
  for (let i = 0; i < 200; i += 2) await c.call('SET', `k${i}`, 'written during the save');
  await c.call('DEL', 'k1');
  await c.call('SET', 'created-during', 'x');
  await waitFor('the BGSAVE to finish', async () => (await field(c, 'rdb_bgsave_in_progress')) === '0', 15000);
  assert.equal(await field(c, 'rdb_last_bgsave_status'), 'ok');
  assert.match(srv.log(), /Background saving terminated with success/);
  // The writes made during the save are still "changes since the last save".
  assert.equal(await field(c, 'rdb_changes_since_last_save'), '102');
  c.close();

  srv = await restart(srv);
  const d = await srv.client();
  assert.equal(await d.call('DBSIZE'), 200);
  for (let i = 0; i < 200; i++) assert.equal(await d.call('GET', `k${i}`), `original-${i}`);
  d.close();
  await srv.stop();
});

test('BGSAVE stays point-in-time across a keyspace larger than one page of the walk index', async () => {
  // 100k keys (the index keeps keys in pages of 32768) at 20 us each: the save takes ~2 s.
  let srv = await startServer({ args: ['--save', '', '--enable-debug-command', 'yes', '--rdb-key-save-delay', '20'] });
  const c = await srv.client();
  assert.equal(await c.call('DEBUG', 'POPULATE', '100000'), 'OK');
  assert.equal(await c.call('BGSAVE'), 'Background saving started');
  const changed: number[] = [];
  for (let i = 0; i < 100000; i += 997) {
    await c.call('SET', `key:${i}`, 'written during the save');
    await c.call('DEL', `key:${i + 1}`);
    await c.call('SET', `created:${i}`, 'x');
    changed.push(i);
  }
  // The writes above all happened while the save ran.
  assert.equal(await field(c, 'rdb_bgsave_in_progress'), '1');
  await waitFor('the BGSAVE to finish', async () => (await field(c, 'rdb_bgsave_in_progress')) === '0', 30000);
  assert.equal(await field(c, 'rdb_last_bgsave_status'), 'ok');
  c.close();

  srv = await restart(srv);
  const d = await srv.client();
  assert.equal(await d.call('DBSIZE'), 100000);
  for (const i of changed) {
    assert.equal(await d.call('GET', `key:${i}`), `value:${i}`);
    assert.equal(await d.call('GET', `key:${i + 1}`), `value:${i + 1}`);
    assert.equal(await d.call('EXISTS', `created:${i}`), 0);
  }
  d.close();
  await srv.stop();
});

test('BGSAVE arguments, and BGSAVE inside MULTI is scheduled', async () => {
  const srv = await startServer({ args: ['--save', ''] });
  const c = await srv.client();
  assert.deepEqual(await c.call('BGSAVE', 'NOW'), new RespError('ERR syntax error'));
  assert.equal(await c.call('BGSAVE', 'SCHEDULE'), 'Background saving started');
  await waitFor('the BGSAVE to finish', async () => (await field(c, 'rdb_bgsave_in_progress')) === '0');
  assert.equal(await c.call('MULTI'), 'OK');
  assert.equal(await c.call('BGSAVE'), 'QUEUED');
  assert.deepEqual(await c.call('EXEC'), ['Background saving scheduled']);
  await waitFor('the scheduled BGSAVE', async () => (await field(c, 'rdb_saves')) === '2');
  c.close();
  await srv.stop();
});

test('a save point triggers a BGSAVE from the cron', async () => {
  const srv = await startServer({ args: ['--save', '1 1'] });
  const c = await srv.client();
  await c.call('SET', 'k', 'v');
  await waitFor('the save point to fire', () => /1 changes in 1 seconds\. Saving\.\.\./.test(srv.log()), 10000);
  await waitFor('the BGSAVE to finish', async () => (await field(c, 'rdb_changes_since_last_save')) === '0');
  assert.ok(fs.existsSync(path.join(srv.dir, 'dump.rdb')));
  c.close();
  await srv.stop();
});

test('SHUTDOWN saves when save points exist; SHUTDOWN NOSAVE does not', async () => {
  const srv = await startServer({ args: ['--save', '3600 1'] });
  const c = await srv.client();
  await c.call('SET', 'k', 'saved at shutdown');
  c.writeRaw('*1\r\n$8\r\nSHUTDOWN\r\n');
  await c.waitClosed();
  assert.equal(await srv.stop(), 0);
  assert.match(srv.log(), /Saving the final RDB snapshot before exiting\./);

  const again = await startServer({ dir: srv.dir, args: ['--save', '3600 1'] });
  const d = await again.client();
  assert.equal(await d.call('GET', 'k'), 'saved at shutdown');
  await d.call('SET', 'k', 'not saved');
  d.writeRaw('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
  await d.waitClosed();
  await again.stop();

  const third = await startServer({ dir: srv.dir, args: ['--save', ''] });
  const e = await third.client();
  assert.equal(await e.call('GET', 'k'), 'saved at shutdown');
  e.close();
  await third.stop();
});

test('DEBUG RELOAD saves and loads the dataset back', async () => {
  const srv = await startServer({ args: ['--save', '', '--enable-debug-command', 'yes'] });
  const c = await srv.client();
  await c.call('SET', 'k', 'v');
  await c.call('SADD', 's', 'a');
  assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
  assert.equal(await c.call('GET', 'k'), 'v');
  assert.equal(await c.call('SCARD', 's'), 1);
  assert.match(srv.log(), /DB reloaded by DEBUG RELOAD/);
  c.close();
  await srv.stop();
});

test('a failed BGSAVE sets rdb_last_bgsave_status:err and writes get MISCONF', async () => {
  const srv = await startServer({ args: ['--save', '3600 1'] });
  const c = await srv.client();
  const pid = /process_id:(\d+)/.exec((await c.call('INFO', 'server')) as string)![1];
  // A directory where the temp file should go makes opening it fail.
  fs.mkdirSync(path.join(srv.dir, `temp-${pid}.rdb`));
  // As in Redis, the save starts and then fails.
  assert.equal(await c.call('BGSAVE'), 'Background saving started');
  await waitFor('the BGSAVE to fail', async () => (await field(c, 'rdb_last_bgsave_status')) === 'err');
  assert.match(srv.log(), /Failed opening the temp RDB file temp-\d+\.rdb .* for saving: .*\n.*Background saving error/);
  const misconf = (await c.call('SET', 'k', 'v')) as RespError;
  assert.ok(misconf instanceof RespError && misconf.message.startsWith('MISCONF Redis is configured to save RDB snapshots'), String(misconf));
  assert.equal(await c.call('GET', 'k'), null);
  fs.rmdirSync(path.join(srv.dir, `temp-${pid}.rdb`));
  assert.equal(await c.call('BGSAVE'), 'Background saving started');
  await waitFor('the BGSAVE to succeed', async () => (await field(c, 'rdb_last_bgsave_status')) === 'ok');
  assert.equal(await c.call('SET', 'k', 'v'), 'OK');
  c.close();
  await srv.stop('SIGKILL');
});

test('a corrupt dump.rdb refuses startup, names file, offset and reason, and is left untouched', async () => {
  const srv = await startServer({ args: ['--save', ''] });
  const c = await srv.client();
  for (let i = 0; i < 50; i++) await c.call('SET', `key-${i}`, 'v'.repeat(50));
  await c.call('SAVE');
  c.close();
  await srv.stop();
  const file = path.join(srv.dir, 'dump.rdb');
  const truncated = fs.readFileSync(file).subarray(0, 1000);
  fs.writeFileSync(file, truncated);
  const proc = spawn(process.execPath, [TANDEM_SERVER, '--port', '0', '--dir', srv.dir, '--save', ''], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => (output += d));
  const code = await new Promise((resolve) => proc.on('exit', resolve));
  assert.equal(code, 1);
  assert.match(output, /Fatal error loading the DB: dump\.rdb: unexpected end of data.* at offset \d+\. Exiting\./);
  assert.deepEqual(fs.readFileSync(file), truncated);
});
