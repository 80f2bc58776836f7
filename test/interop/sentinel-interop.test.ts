// Sentinel interop: Tandem sentinels fail over real redis-server 7.0 processes, exactly as the
// tutorial's sentinel does (kill -9 the master, a replica is promoted, the other follows, the old
// master rejoins as a replica, acknowledged writes survive).
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startServer, ServerProcess, role } from '../helpers/server';
import { startSentinel, assertFailedOverTo, promotedReplica, waitForSentinelViews } from '../helpers/sentinel';
import { waitFor } from '../helpers/wait';

const procs: ServerProcess[] = [];
after(async () => {
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
});

test('three Tandem sentinels fail over real Redis servers', async () => {
  const master = await startServer({ redis: true });
  const replicas = [
    await startServer({ redis: true, args: ['--replicaof', '127.0.0.1', String(master.port)] }),
    await startServer({ redis: true, args: ['--replicaof', '127.0.0.1', String(master.port)] }),
  ];
  procs.push(master, ...replicas);
  const sentinels = await Promise.all([0, 1, 2].map(() => startSentinel({ masterPort: master.port, quorum: 2 })));
  procs.push(...sentinels);

  await waitForSentinelViews(sentinels, 2);

  const w = await master.client();
  assert.equal(await w.call('SET', 'acked', 'before-kill'), 'OK');
  await waitFor('a replica to acknowledge the writes (WAIT)', async () => ((await w.call('WAIT', '1', '1000')) as number) >= 1);
  w.close();

  const killedAt = Date.now();
  await master.stop('SIGKILL');
  const promoted = await promotedReplica(sentinels[0], replicas);
  console.log(`# failover completed ${Date.now() - killedAt} ms after kill -9 (down-after 1000 ms)`);
  await assertFailedOverTo(sentinels, promoted, replicas.find((r) => r !== promoted)!);
  const c = await promoted.client();
  assert.equal(await c.call('GET', 'acked'), 'before-kill', 'a write acknowledged by WAIT survives');
  c.close();

  const leaderLogs = sentinels.map((s) => s.log()).join('\n');
  assert.match(leaderLogs, /\+elected-leader master mymaster/);
  assert.equal((leaderLogs.match(/\+elected-leader/g) ?? []).length, 1, 'one leader, one failover');

  // The old master comes back on its old port and is turned into a replica of the new master.
  const reborn = await startServer({ redis: true, port: master.port });
  procs.push(reborn);
  await waitFor('the old master to rejoin as a replica', async () => {
    const r = await role(reborn);
    return r[0] === 'slave' && r[2] === promoted.port;
  }, 30000);
});

async function failoverWith(kinds: Array<'tandem' | 'redis'>, servers: 'tandem' | 'redis'): Promise<void> {
  const redis = servers === 'redis';
  const master = await startServer({ redis });
  const replicas = [
    await startServer({ redis, args: ['--replicaof', '127.0.0.1', String(master.port)] }),
    await startServer({ redis, args: ['--replicaof', '127.0.0.1', String(master.port)] }),
  ];
  procs.push(master, ...replicas);
  const sentinels: ServerProcess[] = [];
  for (const k of kinds) sentinels.push(await startSentinel({ masterPort: master.port, quorum: 2, redis: k === 'redis' }));
  procs.push(...sentinels);
  await waitForSentinelViews(sentinels, 2);
  await master.stop('SIGKILL');
  const promoted = await promotedReplica(sentinels[0], replicas);
  await assertFailedOverTo(sentinels, promoted, replicas.find((r) => r !== promoted)!);
  const logs = sentinels.map((s) => s.log()).join('\n');
  assert.equal((logs.match(/\+elected-leader/g) ?? []).length, 1, 'one leader, one failover');
}

test('real redis-sentinel processes fail over Tandem servers', async () => {
  await failoverWith(['redis', 'redis', 'redis'], 'tandem');
});

test('a mixed group of Tandem and real sentinels agrees on one leader and fails over once', async () => {
  await failoverWith(['tandem', 'redis', 'tandem'], 'redis');
});
