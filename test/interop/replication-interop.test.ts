// Replication against the real Redis 7.0: a redis-server replica of a Tandem master and a
// Tandem replica of a redis-server master, with disk and diskless full syncs, then the live
// stream, partial resyncs after a killed link, WAIT, and a mixed chain Redis -> Tandem -> Redis.
// Datasets are compared with DEBUG DIGEST (bit-compatible between the two) and offsets must be
// equal on both sides.

import { test } from 'node:test';
import { spawn } from 'node:child_process';
import * as assert from 'node:assert/strict';
import { ServerProcess } from '../helpers/server';
import { useServerStarter } from '../helpers/use-server';
import { RespClient } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';

const COMMON = ['--repl-diskless-sync-delay', '0', '--repl-ping-replica-period', '1', '--save', '', '--enable-debug-command', 'yes'];

const startStoppedAfter = useServerStarter();

function start(redis: boolean, args: string[] = []): Promise<ServerProcess> {
  return startStoppedAfter({ redis, args: [...COMMON, ...args] });
}

async function info(c: RespClient): Promise<Record<string, string>> {
  const text = (await c.call('INFO', 'replication')) as string;
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Writes one key of every type, with and without TTLs, in two databases. */
async function writeDataset(c: RespClient, tag: string): Promise<void> {
  await c.call('SET', `${tag}:str`, 'hello\0world');
  await c.call('SET', `${tag}:ttl`, 'x', 'EX', '1000');
  await c.call('INCRBY', `${tag}:int`, '12345');
  await c.call('RPUSH', `${tag}:list`, 'a', 'b', 'c');
  await c.call('HSET', `${tag}:hash`, 'f1', 'v1', 'f2', 'v2');
  await c.call('SADD', `${tag}:set`, 'm1', 'm2', '3');
  await c.call('ZADD', `${tag}:zset`, '1.5', 'one', '2', 'two');
  await c.call('SELECT', '2');
  await c.call('SET', `${tag}:db2`, 'v');
  await c.call('PEXPIRE', `${tag}:db2`, '500000');
  await c.call('SELECT', '0');
}

/** Waits until both report the same offset and the same dataset digest. */
async function converged(master: RespClient, replica: RespClient): Promise<void> {
  let last = '';
  await waitFor('replica converged with master', async () => {
    const m = (await info(master)).master_repl_offset;
    const r = (await info(replica)).slave_repl_offset;
    const dm = await master.call('DEBUG', 'DIGEST');
    const dr = await replica.call('DEBUG', 'DIGEST');
    last = JSON.stringify({ m, r, dm, dr });
    return m === r && dm === dr;
  }).catch((e) => {
    throw new Error(`${(e as Error).message}: ${last}`);
  });
}

async function linkUp(c: RespClient): Promise<void> {
  await waitFor('master_link_status:up', async () => (await info(c)).master_link_status === 'up');
}

/**
 * A master (real Redis or Tandem) with a dataset written before and after a replica of the other
 * kind attached to it; returns once the replica converged.
 */
async function syncedPair(masterIsRedis: boolean, masterArgs: string[]): Promise<{ m: ServerProcess; mc: RespClient; r: ServerProcess; rc: RespClient }> {
  const m = await start(masterIsRedis, masterArgs);
  const mc = await m.client();
  await writeDataset(mc, 'before');
  const r = await start(!masterIsRedis, ['--replicaof', '127.0.0.1', String(m.port)]);
  const rc = await r.client();
  await linkUp(rc);
  await writeDataset(mc, 'after');
  await converged(mc, rc);
  return { m, mc, r, rc };
}

/** The replica's killed link resumes with a partial resync from the master's backlog. */
async function resumesWithPartialResync(mc: RespClient, r: ServerProcess, rc: RespClient): Promise<void> {
  await rc.call('CLIENT', 'KILL', 'TYPE', 'master');
  await mc.call('SET', 'during', 'gap');
  await linkUp(rc);
  await converged(mc, rc);
  assert.match(r.log(), /Successful partial resynchronization with master\./);
  mc.close();
  rc.close();
}

for (const diskless of ['yes', 'no']) {
  test(`redis-server replica of a Tandem master (repl-diskless-sync ${diskless})`, async () => {
    const { mc, r, rc } = await syncedPair(false, ['--repl-diskless-sync', diskless]);
    assert.equal(await rc.call('LINDEX', 'after:list', '1'), 'b');
    assert.match(r.log(), diskless === 'yes' ? /receiving streamed RDB from master with EOF/ : /receiving \d+ bytes from master to disk/);
    assert.equal(await mc.call('WAIT', '1', '5000'), 1);
    await resumesWithPartialResync(mc, r, rc);
  });

  test(`Tandem replica of a redis-server master (repl-diskless-sync ${diskless})`, async () => {
    const { m, mc, r, rc } = await syncedPair(true, ['--repl-diskless-sync', diskless]);
    assert.equal(await mc.call('WAIT', '1', '5000'), 1);
    const role = (await rc.call('ROLE')) as unknown[];
    assert.deepEqual(role.slice(0, 4), ['slave', '127.0.0.1', m.port, 'connected']);
    await resumesWithPartialResync(mc, r, rc);
  });
}

test('a mixed chain redis-server -> Tandem -> redis-server keeps one history', async () => {
  const a = await start(true);
  const ac = await a.client();
  await writeDataset(ac, 'first');
  const b = await start(false, ['--replicaof', '127.0.0.1', String(a.port)]);
  const bc = await b.client();
  await linkUp(bc);
  const c = await start(true, ['--replicaof', '127.0.0.1', String(b.port)]);
  const cc = await c.client();
  await linkUp(cc);
  await writeDataset(ac, 'second');
  await converged(ac, bc);
  await converged(bc, cc);
  const [ia, ib, ic] = [await info(ac), await info(bc), await info(cc)];
  assert.equal(ib.master_replid, ia.master_replid);
  assert.equal(ic.master_replid, ia.master_replid);
  assert.equal(await cc.call('GET', 'second:str'), 'hello\0world');
  ac.close();
  bc.close();
  cc.close();
});

test('INFO replication and ROLE have the same shape as redis-server on masters and replicas', async () => {
  const shape = async (c: RespClient) => Object.keys(await info(c)).filter((k) => k !== 'last_full_sync_reason' && !/^replica\d+_lag_ms$/.test(k));
  const pairs: Array<[RespClient, RespClient, ServerProcess, ServerProcess]> = [];
  for (const redis of [true, false]) {
    const m = await start(redis);
    const r = await start(redis, ['--replicaof', '127.0.0.1', String(m.port)]);
    const mc = await m.client();
    const rc = await r.client();
    await linkUp(rc);
    await mc.call('SET', 'k', 'v');
    await converged(mc, rc);
    pairs.push([mc, rc, m, r]);
  }
  const [[redisM, redisR, redisMaster], [tandemM, tandemR, tandemMaster]] = pairs;
  assert.deepEqual(await shape(tandemM), await shape(redisM));
  assert.deepEqual(await shape(tandemR), await shape(redisR));
  const role = async (c: RespClient) => JSON.stringify(await c.call('ROLE')).replace(/\d+/g, 'N');
  assert.equal(await role(tandemR), await role(redisR));
  // With the master gone: link down fields and ROLE's state.
  await redisMaster.stop();
  await tandemMaster.stop();
  await waitFor('both links down', async () => (await info(redisR)).master_link_status === 'down' && (await info(tandemR)).master_link_status === 'down');
  assert.deepEqual(await shape(tandemR), await shape(redisR));
  assert.equal((await info(tandemR)).master_link_down_since_seconds !== undefined, true);
  for (const c of [redisM, redisR, tandemM, tandemR]) c.close();
});

test('redis-cli --replica (plain SYNC) gets the payload and then the command stream', async () => {
  const m = await start(false);
  const mc = await m.client();
  await mc.call('SET', 'before', '1');
  const cli = spawn('redis-cli', ['-p', String(m.port), '--replica'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  cli.stdout.on('data', (d) => (out += d.toString()));
  cli.stderr.on('data', (d) => (out += d.toString()));
  try {
    await waitFor('the end of the transfer', () => /SYNC done after \d+ bytes\. Logging commands from master\./.test(out));
    await mc.call('SET', 'live', 'v');
    await waitFor('the streamed SET', () => out.includes('"SET","live","v"'));
    assert.match(m.log(), /Replica 127\.0\.0\.1:<unknown-replica-port> asks for synchronization/);
  } finally {
    cli.kill();
  }
  mc.close();
});

for (const [masterKind, replicaKind] of [['redis-server', 'Tandem'], ['Tandem', 'redis-server']] as const) {
  test(`FAILOVER TO a ${replicaKind} replica on a ${masterKind} master swaps the roles with partial resyncs`, async () => {
    const m = await start(masterKind === 'redis-server');
    const mc = await m.client();
    await mc.call('SET', 'k', 'v');
    const r = await start(replicaKind === 'redis-server', ['--replicaof', '127.0.0.1', String(m.port)]);
    const rc = await r.client();
    await linkUp(rc);
    await converged(mc, rc);
    // A diskless-synced replica is online only once the master read its first ACK, which may
    // come after the offsets match.
    await waitFor('the replica online on the master', async () => (await info(mc)).slave0?.includes('state=online') === true);
    assert.equal(await mc.call('FAILOVER', 'TO', '127.0.0.1', String(r.port)), 'OK');
    await waitFor(`${replicaKind} promoted and ${masterKind} following it`, async () => (await info(rc)).role === 'master' && (await info(mc)).master_link_status === 'up');
    assert.match(r.log(), /MASTER MODE enabled \(failover request from '/);
    assert.match(m.log(), /Successful partial resynchronization with master\./);
    assert.equal((await info(mc)).master_failover_state, 'no-failover');
    assert.equal(await rc.call('SET', 'after', 'failover'), 'OK');
    await converged(rc, mc);
    assert.equal(await mc.call('GET', 'after'), 'failover');
    mc.close();
    rc.close();
  });
}
