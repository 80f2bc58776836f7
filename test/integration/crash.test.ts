// Crashes in the middle of persistence work: kill -9 during a BGSAVE leaves the previous dump.rdb
// intact and loadable; kill -9 during an AOF rewrite loses no acknowledged write (appendfsync
// always).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startServer } from '../helpers/server';
import { RespClient } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';

async function fill(c: RespClient, prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) c.writeRaw(`SET ${prefix}${i} ${i}\r\n`);
  for (let i = 0; i < n; i++) assert.equal(await c.read(), 'OK');
}

async function persistenceField(c: RespClient, field: string): Promise<string> {
  const m = new RegExp(`${field}:(\\S+)`).exec(String(await c.call('INFO', 'persistence')));
  return m ? m[1] : '';
}

test('kill -9 during BGSAVE: the previous dump.rdb is intact and loads', async () => {
  const srv = await startServer({ args: ['--save', '', '--rdb-key-save-delay', '2000'] });
  const c = await srv.client();
  await fill(c, 'old', 500);
  assert.equal(await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '0'), 'OK');
  assert.equal(await c.call('SAVE'), 'OK');
  assert.equal(await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '2000'), 'OK');
  await fill(c, 'new', 2000);
  assert.equal(await c.call('BGSAVE'), 'Background saving started');
  await waitFor('the BGSAVE to be under way', async () => (await persistenceField(c, 'rdb_bgsave_in_progress')) === '1');
  await srv.stop('SIGKILL');
  const again = await startServer({ dir: srv.dir, args: ['--save', ''] });
  const d = await again.client();
  assert.equal(await d.call('DBSIZE'), 500, 'exactly the last completed save');
  assert.equal(await d.call('GET', 'old499'), '499');
  d.close();
  await again.stop();
});

test('kill -9 during an AOF rewrite loses no acknowledged write', async () => {
  const srv = await startServer({ args: ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--rdb-key-save-delay', '1000'] });
  const c = await srv.client();
  await fill(c, 'k', 2000);
  assert.equal(await c.call('BGREWRITEAOF'), 'Background append only file rewriting started');
  let acked = 0;
  for (; acked < 300; acked++) assert.equal(await c.call('SET', `during${acked}`, 'x'), 'OK');
  assert.equal(await persistenceField(c, 'aof_rewrite_in_progress'), '1', 'still rewriting when killed');
  await srv.stop('SIGKILL');
  const again = await startServer({ dir: srv.dir, args: ['--save', '', '--appendonly', 'yes'] });
  const d = await again.client();
  assert.equal(await d.call('DBSIZE'), 2000 + acked);
  assert.equal(await d.call('GET', `during${acked - 1}`), 'x');
  d.close();
  await again.stop();
});
