// Process lifecycle: the pidfile, SIGTERM/SIGINT graceful shutdown with Redis's log lines and
// exit code 0, SHUTDOWN NOSAVE, SIGSTOP/SIGCONT, kill -0, and the always-show-logo banner.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';
import { tempDir } from '../helpers/temp-dir';

function tempPidfile(): string {
  return path.join(tempDir('tandem-pid-'), 'tandem.pid');
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} shuts down gracefully: exit 0, pidfile removed, Redis's log lines`, async () => {
    const pidfile = tempPidfile();
    const srv = await startServer({ args: ['--pidfile', pidfile] });
    assert.equal(fs.readFileSync(pidfile, 'utf8').trim(), String(srv.proc.pid));
    assert.equal(await srv.stop(signal), 0);
    assert.equal(fs.existsSync(pidfile), false);
    const log = srv.log();
    assert.match(log, new RegExp(`# Received ${signal} scheduling shutdown\\.\\.\\.`));
    assert.match(log, /# Redis is now ready to exit, bye bye\.\.\./);
  });
}

test('SHUTDOWN NOSAVE exits 0 and closes the connection', async () => {
  const pidfile = tempPidfile();
  const srv = await startServer({ args: ['--pidfile', pidfile] });
  const exited = new Promise<number | null>((resolve) => srv.proc.once('exit', (code) => resolve(code)));
  const c = await srv.client();
  c.writeRaw('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
  await c.waitClosed();
  assert.equal(await exited, 0);
  assert.equal(fs.existsSync(pidfile), false);
  assert.match(srv.log(), /# User requested shutdown\.\.\./);
});

test('SIGSTOP/SIGCONT keeps serving; kill -0 reports the process alive', async () => {
  const srv = await startServer();
  const pid = srv.proc.pid!;
  assert.equal(process.kill(pid, 0), true);
  process.kill(pid, 'SIGSTOP');
  process.kill(pid, 'SIGCONT');
  const c = await srv.client();
  assert.equal(await c.call('PING'), 'PONG');
  c.close();
  assert.equal(await srv.stop(), 0);
});

test('always-show-logo prints the banner with Port: and PID:', async () => {
  const srv = await startServer({ args: ['--always-show-logo', 'yes'] });
  await waitFor('the banner', () => srv.log().includes(`Port: ${srv.port}`));
  assert.match(srv.log(), new RegExp(`PID: ${srv.proc.pid}\\b`));
  assert.equal(await srv.stop(), 0);
});
