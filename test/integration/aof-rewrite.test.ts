// An AOF rewrite writes its base off the event loop (FileSink, as BGSAVE does): turning the AOF
// off while a rewrite is writing stops it and removes its temp file, the rewrite after that
// completes, and the base it leaves is the dataset as it was when that rewrite started.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const tempFiles = (dir: string): string[] => fs.readdirSync(path.join(dir, 'appendonlydir')).filter((f) => f.startsWith('temp-rewriteaof-bg-'));

test('appendonly no during a rewrite removes its temp file; the next rewrite completes', async () => {
  const srv = await startServer({ args: ['--appendonly', 'yes', '--save', '', '--rdb-key-save-delay', '500'] });
  const c = await srv.client();
  for (let i = 0; i < 1000; i++) c.writeRaw(`SET k${i} ${'v'.repeat(100)}\r\n`);
  for (let i = 0; i < 1000; i++) assert.equal(await c.read(), 'OK');
  assert.equal(await c.call('BGREWRITEAOF'), 'Background append only file rewriting started');
  await waitFor('the temp base to be written', () => tempFiles(srv.dir).length === 1 && fs.statSync(path.join(srv.dir, 'appendonlydir', tempFiles(srv.dir)[0])).size > 0);
  assert.equal(await c.call('CONFIG', 'SET', 'appendonly', 'no'), 'OK');
  assert.match(String(await c.call('INFO', 'persistence')), /aof_rewrite_in_progress:0/);
  await waitFor('the temp file removed', () => tempFiles(srv.dir).length === 0);

  assert.equal(await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '0'), 'OK');
  assert.equal(await c.call('CONFIG', 'SET', 'appendonly', 'yes'), 'OK');
  assert.equal(await c.call('SET', 'after', 'on'), 'OK');
  await waitFor('the rewrite to finish', async () => String(await c.call('INFO', 'persistence')).includes('aof_rewrite_in_progress:0'));
  assert.match(String(await c.call('INFO', 'persistence')), /aof_last_bgrewrite_status:ok/);
  assert.deepEqual(tempFiles(srv.dir), []);
  c.close();
  await srv.stop();

  const again = await startServer({ dir: srv.dir, args: ['--appendonly', 'yes', '--save', ''] });
  const d = await again.client();
  assert.equal(await d.call('DBSIZE'), 1001);
  assert.equal(await d.call('GET', 'after'), 'on');
  assert.equal(await d.call('GET', 'k999'), 'v'.repeat(100));
  d.close();
  await again.stop();
});
