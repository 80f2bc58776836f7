// Idle timeout and rename-command, as the tutorial configs use them.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { startServer, REPO_ROOT } from '../helpers/server';
import { RespError } from '../helpers/resp-client';

const SEED = path.resolve(REPO_ROOT, '..', 'shared', 'seed-configs');

test('timeout: an idle client is closed, an active one is not', async () => {
  const srv = await startServer({ args: ['--timeout', '1'] });
  try {
    const idle = await srv.client();
    const active = await srv.client();
    assert.equal(await idle.call('PING'), 'PONG');
    const started = Date.now();
    while (!idle.closed && Date.now() - started < 5000) assert.equal(await active.call('PING'), 'PONG');
    await idle.waitClosed(1000);
    assert.ok(Date.now() - started >= 900, 'not closed before the timeout');
    assert.equal(await active.call('PING'), 'PONG');
    active.close();
  } finally {
    await srv.stop();
  }
});

test('rename-command KEYS "" (the tutorial master config) makes KEYS unknown', async () => {
  const srv = await startServer({ configFile: path.join(SEED, 'tutorial-docker', 'redis-master.conf') });
  try {
    const c = await srv.client();
    // As in Redis, an unknown command is reported before authentication is checked.
    assert.deepEqual(await c.call('KEYS', '*'), new RespError("ERR unknown command 'KEYS', with args beginning with: '*' "));
    assert.deepEqual(await c.call('GET', 'k'), new RespError('NOAUTH Authentication required.'));
    assert.equal(await c.call('AUTH', '123456'), 'OK');
    assert.deepEqual(await c.call('KEYS', '*'), new RespError("ERR unknown command 'KEYS', with args beginning with: '*' "));
    assert.equal(await c.call('SET', 'k', 'v'), 'OK');
    c.close();
  } finally {
    await srv.stop();
  }
});
