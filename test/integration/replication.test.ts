// Master–replica replication between Tandem servers: the exact propagated stream (seen by a
// fake replica), full sync with the tutorials' configs, partial resync after a lost link and
// after a sibling's promotion, chains, gates (READONLY, MASTERDOWN, NOREPLICAS), WAIT, and
// consistency while writing with expiries during a sync.

import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { startServer, ServerProcess, REPO_ROOT } from '../helpers/server';
import { RespClient, RespError } from '../helpers/resp-client';
import { FakeReplica } from '../helpers/fake-replica';
import { waitFor } from '../helpers/wait';

const SEEDS = path.resolve(REPO_ROOT, '..', 'shared', 'seed-configs');
const PING = '*1\r\n$4\r\nPING\r\n';
const FAST = ['--repl-diskless-sync-delay', '0', '--repl-ping-replica-period', '1', '--save', ''];

const running: ServerProcess[] = [];
after(async () => {
  for (const s of running) await s.stop();
});

async function start(args: string[] = [], configFile?: string): Promise<ServerProcess> {
  const s = await startServer({ args: [...FAST, ...args], configFile });
  running.push(s);
  return s;
}

async function info(c: RespClient, section = 'replication'): Promise<Record<string, string>> {
  const text = (await c.call('INFO', section)) as string;
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

async function linkUp(c: RespClient): Promise<void> {
  await waitFor('master_link_status:up', async () => (await info(c)).master_link_status === 'up');
}

async function sameOffset(master: RespClient, replica: RespClient): Promise<number> {
  return waitFor('equal replication offsets', async () => {
    const m = (await info(master)).master_repl_offset;
    const r = (await info(replica)).slave_repl_offset;
    return m === r ? Number(m) : false;
  });
}

test('a fake replica receives the RDB, then exactly the propagated effects', async () => {
  const m = await start();
  const c = await m.client();
  await c.call('SET', 'before', '1');
  const fake = await FakeReplica.attach(m.port);
  assert.match(fake.psyncReply, /^\+FULLRESYNC [0-9a-f]{40} \d+$/);
  assert.equal(fake.rdb!.toString('latin1', 0, 9), 'REDIS0010');
  assert.ok(fake.rdb!.includes('before'));
  assert.equal(await c.call('SET', 'k', 'v', 'EX', '100'), 'OK');
  // The master's PINGs (every repl-ping-replica-period) may come anywhere in between.
  const text = (await fake.waitFor('the SET', (t) => t.includes('PXAT\r\n$13\r\n'))).split(PING).join('');
  const m1 = /^\*2\r\n\$6\r\nSELECT\r\n\$1\r\n0\r\n\*5\r\n\$3\r\nSET\r\n\$1\r\nk\r\n\$1\r\nv\r\n\$4\r\nPXAT\r\n\$13\r\n(\d{13})\r\n$/.exec(text);
  assert.ok(m1, JSON.stringify(text));
  const expireAt = Number(m1[1]);
  assert.ok(Math.abs(expireAt - (Date.now() + 100_000)) < 5000);
  const i = await info(c);
  assert.equal(i.connected_slaves, '1');
  assert.equal(i.master_replid, fake.replid);
  assert.equal(i.repl_backlog_active, '1');
  await waitFor('the fake replica at the master offset', async () => Number((await info(c)).master_repl_offset) === fake.offset);

  // A second replica continues from where the DEL starts: +CONTINUE and the bytes from there.
  const del = '*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n';
  await c.call('DEL', 'k');
  const delAt = (await fake.waitFor('the DEL', (t) => t.includes(del))).indexOf(del);
  const cont = await FakeReplica.attach(m.port, { replid: fake.replid, offset: fake.startOffset + delAt + 1 });
  assert.equal(cont.psyncReply, `+CONTINUE ${fake.replid}`);
  await cont.waitFor('the backlog tail', (t) => t.startsWith(del));
  assert.match(m.log(), /Partial resynchronization request from 127\.0\.0\.1:1 accepted\. Sending \d+ bytes of backlog starting from offset \d+\./);
  const stats = await info(c, 'stats');
  assert.equal(stats.sync_full, '1');
  assert.equal(stats.sync_partial_ok, '1');
  fake.close();
  cont.close();
  c.close();
});

test('tutorial-docker configs: password, renamed KEYS, full sync, read-only replica, ROLE', async () => {
  const m = await start([], path.join(SEEDS, 'tutorial-docker', 'redis-master.conf'));
  const mc = await m.client();
  assert.equal(await mc.call('AUTH', '123456'), 'OK');
  for (let i = 0; i < 50; i++) await mc.call('SET', `k${i}`, `v${i}`);
  await mc.call('RPUSH', 'list', 'a', 'b', 'c');
  const r = await start(['--slaveof', '127.0.0.1', String(m.port)], path.join(SEEDS, 'tutorial-docker', 'redis-slave1.conf'));
  const rc = await r.client();
  assert.equal(await rc.call('AUTH', '123456'), 'OK');
  await linkUp(rc);
  assert.equal(await rc.call('GET', 'k42'), 'v42');
  assert.deepEqual(await rc.call('LRANGE', 'list', '0', '-1'), ['a', 'b', 'c']);
  await mc.call('SET', 'later', 'x');
  await waitFor('the later write', async () => (await rc.call('GET', 'later')) === 'x');
  assert.ok((await rc.call('KEYS', '*')) instanceof RespError);
  assert.deepEqual(await rc.call('SET', 'w', '1'), new RespError("READONLY You can't write against a read only replica."));
  const role = (await rc.call('ROLE')) as unknown[];
  assert.deepEqual(role.slice(0, 4), ['slave', '127.0.0.1', m.port, 'connected']);
  const mrole = (await mc.call('ROLE')) as unknown[];
  assert.equal(mrole[0], 'master');
  assert.deepEqual((mrole[2] as unknown[][])[0].slice(0, 2), ['127.0.0.1', String(r.port)]);
  const ri = await info(rc);
  assert.equal(ri.role, 'slave');
  assert.equal(ri.master_port, String(m.port));
  assert.equal(ri.slave_read_only, '1');
  const mi = await info(mc);
  assert.match(mi.slave0, new RegExp(`^ip=127\\.0\\.0\\.1,port=${r.port},state=online,offset=\\d+,lag=\\d+$`));
  assert.equal(mi.master_replid, ri.master_replid);
  await sameOffset(mc, rc);
  assert.match(r.log(), /Partial resynchronization not possible \(no cached master\)/);
  assert.match(r.log(), /MASTER <-> REPLICA sync: Finished with success/);
  mc.close();
  rc.close();
});

test('a killed master link resumes with a partial resync; WAIT counts the replica', async () => {
  const m = await start();
  const r = await start(['--replicaof', '127.0.0.1', String(m.port)]);
  const mc = await m.client();
  const rc = await r.client();
  await linkUp(rc);
  await mc.call('SET', 'a', '1');
  assert.equal(await mc.call('WAIT', '1', '5000'), 1);
  assert.equal(await rc.call('CLIENT', 'KILL', 'TYPE', 'master'), 1);
  await mc.call('SET', 'b', '2');
  await waitFor('b on the replica', async () => (await rc.call('GET', 'b')) === '2');
  assert.match(r.log(), /Trying a partial resynchronization \(request [0-9a-f]{40}:\d+\)\./);
  assert.match(r.log(), /Successful partial resynchronization with master\./);
  const stats = await info(mc, 'stats');
  assert.equal(stats.sync_full, '1');
  assert.equal(stats.sync_partial_ok, '1');
  assert.equal(await mc.call('WAIT', '2', '200'), 1);
  mc.close();
  rc.close();
});

test('a replica restarted from its own RDB continues with a partial resync', async () => {
  const m = await start();
  const r = await startServer({ args: ['--repl-diskless-sync-delay', '0', '--repl-ping-replica-period', '1', '--replicaof', '127.0.0.1', String(m.port)] });
  const mc = await m.client();
  let rc = await r.client();
  await linkUp(rc);
  for (let i = 0; i < 100; i++) await mc.call('SET', `k${i}`, String(i));
  await sameOffset(mc, rc);
  rc.close();
  assert.equal(await r.stop(), 0, 'SHUTDOWN saves the RDB with the replication history');
  await mc.call('SET', 'while-down', 'x');
  const again = await startServer({ dir: r.dir, port: r.port, args: ['--repl-diskless-sync-delay', '0', '--replicaof', '127.0.0.1', String(m.port)] });
  running.push(again);
  rc = await again.client();
  await waitFor('the write made while it was down', async () => (await rc.call('GET', 'while-down')) === 'x');
  assert.equal(await rc.call('DBSIZE'), 101);
  const stats = await info(mc, 'stats');
  assert.equal(stats.sync_full, '1', 'no second full sync');
  assert.equal(stats.sync_partial_ok, '1');
  assert.match(again.log(), /Successful partial resynchronization with master\./);
  mc.close();
  rc.close();
});

test('after a promotion a sibling continues partially and the chain keeps one history', async () => {
  const a = await start();
  const ac = await a.client();
  await ac.call('SET', 'x', '1');
  const b = await start(['--replicaof', '127.0.0.1', String(a.port)]);
  const c = await start(['--replicaof', '127.0.0.1', String(a.port)]);
  const bc = await b.client();
  const cc = await c.client();
  await linkUp(bc);
  await linkUp(cc);
  await ac.call('SET', 'y', '2');
  await sameOffset(ac, bc);
  await sameOffset(ac, cc);
  const oldId = (await info(ac)).master_replid;
  await a.stop();

  assert.equal(await bc.call('REPLICAOF', 'NO', 'ONE'), 'OK');
  const bi = await info(bc);
  assert.equal(bi.role, 'master');
  assert.equal(bi.master_replid2, oldId);
  assert.notEqual(bi.master_replid, oldId);
  assert.equal(await cc.call('REPLICAOF', '127.0.0.1', String(b.port)), 'OK');
  await linkUp(cc);
  assert.match(c.log(), /Successful partial resynchronization with master\./);
  assert.match(c.log(), /Master replication ID changed to [0-9a-f]{40}/);
  assert.equal((await info(bc, 'stats')).sync_partial_ok, '1');
  assert.equal(await bc.call('SET', 'z', '3'), 'OK');
  await waitFor('z on the sibling', async () => (await cc.call('GET', 'z')) === '3');
  assert.equal(await cc.call('GET', 'x'), '1');

  // A third server chained below C sees the same replid and offsets as B.
  const d = await start(['--replicaof', '127.0.0.1', String(c.port)]);
  const dc = await d.client();
  await linkUp(dc);
  await bc.call('SET', 'chained', 'yes');
  await waitFor('the chained write', async () => (await dc.call('GET', 'chained')) === 'yes');
  const off = await sameOffset(bc, cc);
  await waitFor('D at the same offset', async () => Number((await info(dc)).slave_repl_offset) >= off);
  assert.equal((await info(dc)).master_replid, (await info(bc)).master_replid);
  bc.close();
  cc.close();
  dc.close();
});

test('min-replicas-to-write refuses writes without good replicas', async () => {
  const m = await start(['--min-replicas-to-write', '1', '--min-replicas-max-lag', '10']);
  const mc = await m.client();
  assert.deepEqual(await mc.call('SET', 'k', 'v'), new RespError('NOREPLICAS Not enough good replicas to write.'));
  assert.equal((await info(mc)).min_slaves_good_slaves, '0');
  const r = await start(['--replicaof', '127.0.0.1', String(m.port)]);
  const rc = await r.client();
  await linkUp(rc);
  await waitFor('a good replica', async () => (await mc.call('SET', 'k', 'v')) === 'OK');
  assert.equal((await info(mc)).min_slaves_good_slaves, '1');
  mc.close();
  rc.close();
});

test('a replica with its master down: MASTERDOWN when serving stale data is off; bad masterauth is retried', async () => {
  const m = await start(['--requirepass', 'secret']);
  const r = await start(['--replicaof', '127.0.0.1', String(m.port), '--masterauth', 'wrong', '--replica-serve-stale-data', 'no']);
  const rc = await r.client();
  await waitFor('the AUTH failure in the log', () => /Unable to AUTH to MASTER: -WRONGPASS/.test(r.log()));
  assert.deepEqual(await rc.call('GET', 'k'), new RespError("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."));
  const down = await info(rc);
  assert.equal(down.master_link_status, 'down');
  assert.equal(down.master_link_down_since_seconds, '-1');
  // Accepting the replica's password on the master lets the next attempt through.
  const mc = await m.client();
  assert.equal(await mc.call('AUTH', 'secret'), 'OK');
  assert.equal(await mc.call('ACL', 'SETUSER', 'default', '>wrong'), 'OK');
  await linkUp(rc);
  assert.equal(await rc.call('GET', 'k'), null);
  rc.close();
  mc.close();
});

test('writes with expiries during a full sync end with equal datasets and offsets', async () => {
  const m = await start(['--enable-debug-command', 'yes', '--hz', '50']);
  const mc = await m.client();
  for (let i = 0; i < 2000; i++) mc.writeRaw(`SET seed:${i} ${'v'.repeat(i % 50)} PX ${i % 3 === 0 ? 300 + i : 600000}\r\n`);
  for (let i = 0; i < 2000; i++) await mc.read();
  const r = await start(['--replicaof', '127.0.0.1', String(m.port), '--enable-debug-command', 'yes']);
  let writes = 0;
  const deadline = Date.now() + 1500;
  while (Date.now() < deadline) {
    const n = writes++;
    await mc.call('SET', `live:${n}`, String(n), 'PX', String(n % 2 === 0 ? 200 : 600000));
    await mc.call('INCR', 'counter');
    await mc.call('RPUSH', `list:${n % 5}`, String(n));
    if (n % 7 === 0) await mc.call('DEL', `seed:${n}`);
  }
  const rc = await r.client();
  await linkUp(rc);
  assert.equal(await rc.call('GET', 'counter'), String(writes));
  let last = '';
  await waitFor('equal digests after expiry settles', async () => {
    await sameOffset(mc, rc);
    const digests = [await mc.call('DEBUG', 'DIGEST'), await rc.call('DEBUG', 'DIGEST'), await mc.call('DBSIZE'), await rc.call('DBSIZE')];
    last = JSON.stringify(digests);
    // DBSIZE inside the wait: the master's active expiry may delete keys between two reads.
    return digests[0] === digests[1] && digests[2] === digests[3];
  }, 20000).catch((e) => {
    throw new Error(`${(e as Error).message} (digests, sizes: ${last}); replica log:\n${r.log()}`);
  });
  mc.close();
  rc.close();
});

test('tutorial-acl configs: masteruser/masterauth, a writable replica, min-slaves-to-write 2', async () => {
  const acl = (f: string) => path.join(SEEDS, 'tutorial-acl', f);
  const m = await start([], acl('master-min-replicas.conf'));
  const mc = await m.client();
  assert.equal(await mc.call('AUTH', 'default', 'default_password'), 'OK');
  assert.deepEqual(await mc.call('SET', 'k', 'v'), new RespError('NOREPLICAS Not enough good replicas to write.'));
  const r1 = await start(['--slaveof', '127.0.0.1', String(m.port)], acl('slave_1.conf'));
  const r2 = await start(['--slaveof', '127.0.0.1', String(m.port)], acl('slave_2-writable.conf'));
  const c1 = await r1.client();
  const c2 = await r2.client();
  assert.equal(await c1.call('AUTH', 'default', 'default_password'), 'OK');
  assert.equal(await c2.call('AUTH', 'default', 'default_password'), 'OK');
  await linkUp(c1);
  await linkUp(c2);
  await waitFor('two good replicas', async () => (await mc.call('SET', 'k', 'v')) === 'OK');
  await waitFor('k on both replicas', async () => (await c1.call('GET', 'k')) === 'v' && (await c2.call('GET', 'k')) === 'v');
  // The writable replica takes a local write that is neither propagated nor counted in its offset.
  assert.deepEqual(await c1.call('SET', 'local', '1'), new RespError("READONLY You can't write against a read only replica."));
  assert.equal(await c2.call('SET', 'local', '1'), 'OK');
  assert.equal(await c2.call('GET', 'local'), '1');
  await sameOffset(mc, c2);
  assert.equal(await mc.call('GET', 'local'), null);
  await r1.stop();
  await waitFor('NOREPLICAS with one replica gone', async () => (await mc.call('SET', 'k', 'v2')) instanceof RespError, 15000);
  mc.close();
  c2.close();
});

test('a replica hides keys whose TTL passed until its master deletes them', async () => {
  const m = await start(['--enable-debug-command', 'yes']);
  const mc = await m.client();
  assert.equal(await mc.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), 'OK');
  const r = await start(['--replicaof', '127.0.0.1', String(m.port)]);
  const rc = await r.client();
  await linkUp(rc);
  await mc.call('SET', 'short', 'v', 'PX', '100');
  await waitFor('the key on the replica', async () => (await rc.call('DBSIZE')) === 1);
  await waitFor('the TTL to pass', async () => (await rc.call('GET', 'short')) === null);
  assert.equal(await rc.call('EXISTS', 'short'), 0);
  assert.equal(await rc.call('DBSIZE'), 1);
  // The master deletes it on access and the DEL reaches the replica.
  assert.equal(await mc.call('GET', 'short'), null);
  await waitFor('the DEL on the replica', async () => (await rc.call('DBSIZE')) === 0);
  mc.close();
  rc.close();
});

test('replicas arriving within repl-diskless-sync-delay share one snapshot', async () => {
  const m = await start(['--repl-diskless-sync-delay', '1']);
  const mc = await m.client();
  await mc.call('SET', 'k', 'v');
  const [a, b] = await Promise.all([FakeReplica.attach(m.port, { listeningPort: 11 }), FakeReplica.attach(m.port, { listeningPort: 12 })]);
  assert.equal(a.psyncReply, b.psyncReply);
  assert.equal(m.log().match(/Starting BGSAVE for SYNC with target: replicas sockets/g)?.length, 1);
  assert.match(m.log(), /Delay next BGSAVE for diskless SYNC/);
  await mc.call('SET', 'after', '1');
  await a.waitFor('the write', (t) => t.includes('after'));
  await b.waitFor('the write', (t) => t.includes('after'));
  assert.equal(a.text(), b.text());
  a.close();
  b.close();
  mc.close();
});

test('a silent master is detected by repl-timeout and the link resumes when it is back', async () => {
  const m = await start();
  const r = await start(['--replicaof', '127.0.0.1', String(m.port), '--repl-timeout', '2']);
  const rc = await r.client();
  await linkUp(rc);
  m.proc.kill('SIGSTOP');
  try {
    await waitFor('the timeout in the log', () => /MASTER timeout: no data nor PING received\.\.\./.test(r.log()), 10000);
    assert.equal((await info(rc)).master_link_status, 'down');
  } finally {
    m.proc.kill('SIGCONT');
  }
  await linkUp(rc);
  assert.match(r.log(), /Successful partial resynchronization with master\./);
  rc.close();
});

test('a replica that stops reading is dropped by client-output-buffer-limit replica', async () => {
  const m = await start(['--client-output-buffer-limit', 'replica 1mb 0 0']);
  const mc = await m.client();
  const fake = await FakeReplica.attach(m.port, { listeningPort: 7 });
  assert.equal((await info(mc)).connected_slaves, '1');
  fake.socket.pause();
  const big = 'x'.repeat(512 * 1024);
  await waitFor('the replica to be dropped', async () => {
    await mc.call('SET', 'big', big);
    return (await info(mc)).connected_slaves === '0';
  }, 30000);
  assert.match(m.log(), /scheduled to be closed ASAP for overcoming of output buffer limits\./);
  assert.match(m.log(), /Connection with replica 127\.0\.0\.1:7 lost\./);
  fake.close();
  mc.close();
});

test('replica-announce-ip/port are what the master reports', async () => {
  const m = await start();
  await start(['--replicaof', '127.0.0.1', String(m.port), '--replica-announce-ip', '10.1.2.3', '--replica-announce-port', '6390']);
  const mc = await m.client();
  await waitFor('the announced replica', async () => /^ip=10\.1\.2\.3,port=6390,state=online,/.test((await info(mc)).slave0 ?? ''));
  const role = (await mc.call('ROLE')) as unknown[];
  assert.deepEqual((role[2] as unknown[][])[0].slice(0, 2), ['10.1.2.3', '6390']);
  mc.close();
});

test('a multi-megabyte value crosses a chain intact and offsets stay equal', async () => {
  const a = await start();
  const b = await start(['--replicaof', '127.0.0.1', String(a.port)]);
  const ac = await a.client();
  const bc = await b.client();
  await linkUp(bc);
  const c = await start(['--replicaof', '127.0.0.1', String(b.port)]);
  const cc = await c.client();
  await linkUp(cc);
  let big = '';
  for (let i = 0; big.length < 3 * 1024 * 1024; i++) big += `${i}\0\xff,`;
  assert.equal(await ac.call('SET', 'big', big), 'OK');
  await ac.call('APPEND', 'big', 'tail');
  await waitFor('the value at the end of the chain', async () => (await cc.call('STRLEN', 'big')) === big.length + 4, 20000);
  assert.equal(await cc.call('GETRANGE', 'big', '0', '99'), big.slice(0, 100));
  const off = await sameOffset(ac, bc);
  await waitFor('C at the same offset', async () => Number((await info(cc)).slave_repl_offset) >= off);
  ac.close();
  bc.close();
  cc.close();
});

test('FAILOVER on a master: the target takes over, the old master follows it with a partial resync', async () => {
  const m = await start();
  const r = await start(['--replicaof', '127.0.0.1', String(m.port)]);
  const mc = await m.client();
  const rc = await r.client();
  await linkUp(rc);
  assert.deepEqual(await mc.call('FAILOVER', 'ABORT'), new RespError('ERR No failover in progress.'));
  assert.deepEqual(await rc.call('FAILOVER'), new RespError('ERR FAILOVER is not valid when server is a replica.'));
  assert.deepEqual(await mc.call('FAILOVER', 'TO', '127.0.0.1', '1'), new RespError('ERR FAILOVER target HOST and PORT is not a replica.'));
  assert.deepEqual(await mc.call('FAILOVER', 'FORCE'), new RespError('ERR FAILOVER with force option requires both a timeout and target HOST and IP.'));
  for (let i = 0; i < 50; i++) await mc.call('SET', `f${i}`, String(i));
  assert.equal(await mc.call('FAILOVER', 'TO', '127.0.0.1', String(r.port), 'TIMEOUT', '5000'), 'OK');
  await waitFor('the target to be master', async () => (await info(rc)).role === 'master');
  await waitFor('the old master to follow it', async () => {
    const i = await info(mc);
    return i.role === 'slave' && i.master_port === String(r.port) && i.master_link_status === 'up' && i.master_failover_state === 'no-failover';
  });
  assert.equal(await rc.call('GET', 'f49'), '49');
  assert.equal(await rc.call('SET', 'after', 'x'), 'OK');
  await waitFor('writes on the new master to reach the old one', async () => (await mc.call('GET', 'after')) === 'x');
  assert.equal((await info(rc, 'stats')).sync_partial_ok, '1', 'the old master continued partially');
  assert.match(m.log(), /Failover completed\./);
  mc.close();
  rc.close();
});

test("WAIT waits for the client's own last write, not for later writes of other clients", async () => {
  const m = await start();
  const r = await start(['--replicaof', '127.0.0.1', String(m.port)]);
  const [a, b, rc] = await Promise.all([m.client(), m.client(), r.client()]);
  await linkUp(rc);
  await a.call('SET', 'mine', '1');
  assert.equal(await a.call('WAIT', '1', '5000'), 1);
  r.proc.kill('SIGSTOP');
  try {
    await b.call('SET', 'theirs', '1');
    // The stopped replica cannot acknowledge b's write, but it did acknowledge a's.
    assert.equal(await a.call('WAIT', '1', '100'), 1);
    assert.equal(await b.call('WAIT', '1', '100'), 0);
  } finally {
    r.proc.kill('SIGCONT');
  }
  a.close();
  b.close();
  rc.close();
});
