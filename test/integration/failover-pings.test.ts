// FAILOVER ... TIMEOUT and the keepalive PINGs to replicas: like Redis 7.0 (replicationCron skips
// the PING while failover_end_time is set and writes are paused), the master sends none while it
// waits for its target to catch up. Each PING moves the offset the target must acknowledge, so
// with repl-ping-replica-period 1 a target that ACKs once a second could chase it until the
// timeout (a possible cause of a failure of replication.test.ts's FAILOVER test seen once under load).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server';
import { FakeReplica } from '../helpers/fake-replica';
import { waitFor } from '../helpers/wait';

const { server: srv, client: c } = useServer({ args: ['--repl-ping-replica-period', '1', '--save', ''] });

async function replicationField(name: string): Promise<string | undefined> {
  const info = String(await c.call('INFO', 'replication'));
  return new RegExp(`^${name}:(.*)\r$`, 'm').exec(info)?.[1];
}

test('no replication PING while a FAILOVER with a TIMEOUT waits for its target; they resume after', async () => {
  // The fake replica never ACKs, so the failover waits until it is aborted.
  const replica = await FakeReplica.attach(srv.port, { listeningPort: 1 });
  try {
    await waitFor('a first keepalive PING', () => replica.stream.includes('PING'));
    assert.equal(await c.call('FAILOVER', 'TO', '127.0.0.1', '1', 'TIMEOUT', '60000'), 'OK');
    const offsetAtStart = await replicationField('master_repl_offset');
    const startedAt = Date.now();
    // Two and a half ping periods: without the hold, two PINGs or more would go out.
    await waitFor('2.5 s of waiting for the target', () => Date.now() > startedAt + 2500);
    assert.equal(await replicationField('master_failover_state'), 'waiting-for-sync');
    assert.equal(await replicationField('master_repl_offset'), offsetAtStart, 'no PING moved the offset');
    assert.equal(await c.call('FAILOVER', 'ABORT'), 'OK');
    await waitFor('the PINGs to resume', async () => (await replicationField('master_repl_offset')) !== offsetAtStart);
  } finally {
    replica.socket.destroy();
  }
});
