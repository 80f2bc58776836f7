// The tutorial's Sentinel scenario with Tandem only: one master, two replicas, three sentinels
// (quorum 2). kill -9 the master: a replica is promoted, the other follows, the old master
// rejoins as a replica on restart, +switch-master is published, and nothing acknowledged with
// WAIT before the kill is lost. Then an ioredis Sentinel client writing across a failover, and
// partitions (SIGSTOP): a sentinel minority cannot fail over; a master that lost its replicas
// stops taking writes under min-replicas-to-write.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Redis from 'ioredis';
import { startServer, ServerProcess, role } from '../helpers/server';
import { startSentinel, assertFailedOverTo, masterAddr, sentinelMasterFields, waitForSentinelViews } from '../helpers/sentinel';
import { waitFor } from '../helpers/wait';
import { RespClient, RespError } from '../helpers/resp-client';
import { tempDir } from '../helpers/temp-dir';

const procs: ServerProcess[] = [];
after(async () => {
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
});

interface Topology {
  master: ServerProcess;
  replicas: ServerProcess[];
  sentinels: ServerProcess[];
}

async function topology(quorum = 2, masterArgs: string[] = []): Promise<Topology> {
  const master = await startServer({ args: masterArgs });
  const replicas = [
    await startServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] }),
    await startServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] }),
  ];
  procs.push(master, ...replicas);
  const sentinels = await Promise.all([0, 1, 2].map(() => startSentinel({ masterPort: master.port, quorum })));
  procs.push(...sentinels);
  await waitForSentinelViews(sentinels, 2);
  return { master, replicas, sentinels };
}

test('the tutorial failover: kill -9 the master, a replica takes over, the old master rejoins', async () => {
  const { master, replicas, sentinels } = await topology();
  const events = await sentinels[0].client();
  events.writeRaw('*2\r\n$9\r\nSUBSCRIBE\r\n$14\r\n+switch-master\r\n');
  assert.deepEqual(await events.read(), ['subscribe', '+switch-master', 1]);

  const w = await master.client();
  for (let i = 0; i < 100; i++) assert.equal(await w.call('SET', `k${i}`, String(i)), 'OK');
  await waitFor('a replica to acknowledge the writes (WAIT)', async () => ((await w.call('WAIT', '1', '1000')) as number) >= 1);
  w.close();

  const killedAt = Date.now();
  await master.stop('SIGKILL');
  const msg = (await events.read(30000)) as string[];
  const took = Date.now() - killedAt;
  console.log(`# +switch-master ${took} ms after kill -9 (down-after-milliseconds 1000)`);
  assert.equal(msg[0], 'message');
  const [name, , oldPort, newHost, newPort] = msg[2].split(' ');
  assert.equal(name, 'mymaster');
  assert.equal(Number(oldPort), master.port);
  assert.ok(took < 1000 + 10000, 'promoted within down-after + a few seconds');
  const promoted = replicas.find((r) => r.port === Number(newPort))!;
  assert.ok(promoted, `promoted one of the replicas (${newHost}:${newPort})`);
  await assertFailedOverTo(sentinels, promoted, replicas.find((r) => r !== promoted)!);
  const c = await promoted.client();
  for (let i = 0; i < 100; i++) assert.equal(await c.call('GET', `k${i}`), String(i), 'acknowledged writes survive');
  c.close();
  events.close();

  const reborn = await startServer({ port: master.port });
  procs.push(reborn);
  await waitFor('the old master to rejoin as a replica', async () => {
    const r = await role(reborn);
    return r[0] === 'slave' && r[2] === promoted.port;
  }, 30000);
});

test('an ioredis Sentinel client keeps writing across a failover', async () => {
  const { master, sentinels } = await topology();
  const client = new Redis({ sentinels: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })), name: 'mymaster', maxRetriesPerRequest: 1, enableOfflineQueue: true });
  // Connection errors during the switch are expected; the failed writes are what is measured.
  client.on('error', () => undefined);
  let ok = 0;
  let failed = 0;
  let firstError = 0;
  let lastError = 0;
  let stop = false;
  const writer = (async () => {
    for (let i = 0; !stop; i++) {
      try {
        await client.set(`w${i}`, String(i));
        ok++;
      } catch {
        failed++;
        lastError = Date.now();
        firstError ||= lastError;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  })();
  await waitFor('some writes', () => ok > 50);
  await master.stop('SIGKILL');
  const before = ok;
  await waitFor('writes to resume on the new master', async () => ok > before + 200 && (await masterAddr(sentinels[0])) !== `127.0.0.1:${master.port}`, 30000);
  stop = true;
  await writer;
  client.disconnect();
  console.log(`# ioredis across failover: ${ok} writes ok, ${failed} failed, error window ${firstError ? lastError - firstError : 0} ms`);
  assert.ok(ok > before + 200);
});

test('partitions: a sentinel minority cannot fail over', async () => {
  const { master, sentinels } = await topology();
  sentinels[1].proc.kill('SIGSTOP');
  sentinels[2].proc.kill('SIGSTOP');
  try {
    await master.stop('SIGKILL');
    await waitFor('the lone sentinel to see the master subjectively down', async () => (await sentinelMasterFields(sentinels[0])).get('flags')!.includes('s_down'));
    // Give it several seconds of chances: with quorum 2 it must never reach ODOWN alone.
    const deadline = Date.now() + 4000;
    while (Date.now() < deadline) {
      assert.ok(!(await sentinelMasterFields(sentinels[0])).get('flags')!.includes('o_down'), 'no ODOWN without a quorum');
      assert.equal(await masterAddr(sentinels[0]), `127.0.0.1:${master.port}`, 'no failover');
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    sentinels[1].proc.kill('SIGCONT');
    sentinels[2].proc.kill('SIGCONT');
  }
});

test('partitions: a master cut from its replicas stops taking writes (min-replicas-to-write)', async () => {
  const master = await startServer({ args: ['--min-replicas-to-write', '1', '--min-replicas-max-lag', '2'] });
  const replica = await startServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
  procs.push(master, replica);
  const c: RespClient = await master.client();
  await waitFor('the replica to count as good', async () => (await c.call('SET', 'k', 'v')) === 'OK');
  replica.proc.kill('SIGSTOP');
  try {
    await waitFor('writes to be refused', async () => {
      const r = await c.call('SET', 'k', 'v2');
      return r instanceof RespError && r.message === 'NOREPLICAS Not enough good replicas to write.';
    });
    assert.equal(typeof (await c.call('GET', 'k')), 'string', 'reads still work');
  } finally {
    replica.proc.kill('SIGCONT');
  }
  await waitFor('writes to be accepted again', async () => (await c.call('SET', 'k', 'v3')) === 'OK');
  c.close();
});

test('TILT: a sentinel frozen for 3 s (a clock jump to it) enters TILT mode', async () => {
  const master = await startServer();
  procs.push(master);
  const s = await startSentinel({ masterPort: master.port, quorum: 1 });
  procs.push(s);
  const info = async () => {
    const c = await s.client();
    try {
      return String(await c.call('INFO', 'sentinel'));
    } finally {
      c.close();
    }
  };
  assert.match(await info(), /sentinel_tilt:0/);
  s.proc.kill('SIGSTOP');
  await new Promise((r) => setTimeout(r, 3000));
  s.proc.kill('SIGCONT');
  // Under the 30 s a TILT lasts, so the wait cannot miss it.
  await waitFor('TILT mode', async () => /sentinel_tilt:1/.test(await info()), 20000);
  assert.match(s.log(), /\+tilt #tilt mode entered/);
  assert.match(await info(), /master0:name=mymaster,status=ok,address=127\.0\.0\.1:\d+,slaves=0,sentinels=1/);
});

test('notification-script and client-reconfig-script run with the documented arguments', async () => {
  const master = await startServer();
  const replica = await startServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
  procs.push(master, replica);
  const scripts = tempDir('sentinel-scripts-');
  const notify = path.join(scripts, 'notify.sh');
  const reconf = path.join(scripts, 'reconf.sh');
  fs.writeFileSync(notify, `#!/bin/sh\necho "$@" >> ${scripts}/notify.out\n`, { mode: 0o755 });
  fs.writeFileSync(reconf, `#!/bin/sh\necho "$@" >> ${scripts}/reconf.out\n`, { mode: 0o755 });
  const s = await startSentinel({
    masterPort: master.port,
    quorum: 1,
    extraLines: [`sentinel notification-script mymaster ${notify}`, `sentinel client-reconfig-script mymaster ${reconf}`],
  });
  procs.push(s);
  await waitForSentinelViews([s], 1);
  await master.stop('SIGKILL');
  await waitFor('the failover to reach the reconfig script', () => fs.existsSync(path.join(scripts, 'reconf.out')) && fs.readFileSync(path.join(scripts, 'reconf.out'), 'utf8').includes(' end '), 30000);
  const notified = fs.readFileSync(path.join(scripts, 'notify.out'), 'utf8');
  assert.match(notified, new RegExp(`^\\+sdown master mymaster 127\\.0\\.0\\.1 ${master.port}$`, 'm'));
  assert.match(notified, /^\+switch-master mymaster /m);
  assert.match(fs.readFileSync(path.join(scripts, 'reconf.out'), 'utf8'), new RegExp(`^mymaster leader end 127\\.0\\.0\\.1 ${master.port} 127\\.0\\.0\\.1 ${replica.port}$`, 'm'));
});

test('SENTINEL FAILOVER, CKQUORUM, SET, MONITOR and REMOVE', async () => {
  const master = await startServer();
  const replica = await startServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
  procs.push(master, replica);
  const s = await startSentinel({ masterPort: master.port, quorum: 1 });
  procs.push(s);
  await waitForSentinelViews([s], 1);
  const c = await s.client();
  assert.equal(await c.call('SENTINEL', 'CKQUORUM', 'mymaster'), 'OK 1 usable Sentinels. Quorum and failover authorization can be reached');
  assert.deepEqual(await c.call('SENTINEL', 'CKQUORUM', 'nosuch'), new RespError('ERR No such master with that name'));
  assert.equal(await c.call('SENTINEL', 'SET', 'mymaster', 'down-after-milliseconds', '1500', 'parallel-syncs', '2'), 'OK');
  assert.equal((await sentinelMasterFields(s)).get('down-after-milliseconds'), '1500');
  assert.match(fs.readFileSync(`${s.dir}/sentinel.conf`, 'utf8'), /^sentinel down-after-milliseconds mymaster 1500$/m);
  // A manual failover needs no agreement: the replica is promoted, the old master follows it.
  await waitFor('the replica to be eligible', async () => (await c.call('SENTINEL', 'FAILOVER', 'mymaster')) === 'OK', 20000);
  await waitFor('the manual failover', async () => (await masterAddr(s)) === `127.0.0.1:${replica.port}`, 20000);
  await waitFor('the old master to follow', async () => {
    const r = await role(master);
    return r[0] === 'slave' && r[2] === replica.port;
  }, 30000);
  assert.equal(await c.call('SENTINEL', 'MONITOR', 'other', '127.0.0.1', String(master.port), '1'), 'OK');
  assert.deepEqual(await c.call('SENTINEL', 'MONITOR', 'other', '127.0.0.1', String(master.port), '1'), new RespError('ERR Duplicated master name'));
  assert.equal(await c.call('SENTINEL', 'REMOVE', 'other'), 'OK');
  assert.deepEqual(await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'other'), null);
  c.close();
});
