// A replica applies its master's stream straight from the shared read buffer (replica-link.ts,
// onSharedRead): whatever outlives a read (a command split across reads, a large value gathered
// over many reads, the bytes relayed to a sub-replica and to the replica's AOF) must be copied
// before the next read reuses the buffer. A chain A -> B -> C where B also writes an AOF gets a
// pipelined mix of small and large commands split at arbitrary points; every copy of the data
// (B, C, and B restarted from its AOF alone) must end equal to A's, at equal offsets.

import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startServer, ServerProcess } from '../helpers/server';
import { RespClient, encode } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';

const FAST = ['--repl-diskless-sync-delay', '0', '--save', '', '--enable-debug-command', 'yes'];

const running: ServerProcess[] = [];
after(async () => {
  for (const s of running) await s.stop();
});

async function start(args: string[], dir?: string): Promise<ServerProcess> {
  const s = await startServer({ args: [...FAST, ...args], dir });
  running.push(s);
  return s;
}

async function field(c: RespClient, name: string): Promise<string> {
  const text = (await c.call('INFO', 'replication')) as string;
  return new RegExp(`^${name}:(.*)\\r?$`, 'm').exec(text)?.[1] ?? '';
}

/** A value of `len` bytes covering every byte value, different per `seed`. */
function value(seed: number, len: number): string {
  let s = '';
  for (let i = 0; s.length < len; i++) s += String.fromCharCode((seed * 31 + i * 7) & 0xff);
  return s;
}

test('a chain with an AOF on the middle replica ends with the master data, split reads and all', async () => {
  const a = await start([]);
  const b = await start(['--replicaof', '127.0.0.1', String(a.port), '--appendonly', 'yes']);
  const ac = await a.client();
  const bc = await b.client();
  await waitFor('B linked', async () => (await field(bc, 'master_link_status')) === 'up');
  const c = await start(['--replicaof', '127.0.0.1', String(b.port)]);
  const cc = await c.client();
  await waitFor('C linked', async () => (await field(cc, 'master_link_status')) === 'up');

  // Sizes around the read buffer (64 KB) and the parser's large-bulk threshold (32 KB), among
  // many small commands, so reads end inside headers, values and CRLFs.
  const sizes = [1, 100, 3000, 40 * 1024, 70 * 1024, 200 * 1024];
  const batch: Buffer[] = [];
  let commands = 0;
  for (let i = 0; i < 3000; i++) {
    const len = i % 50 === 0 ? sizes[(i / 50) % sizes.length] : 1 + (i % 120);
    batch.push(encode(['SET', `k:${i % 700}`, value(i, len)]));
    if (i % 7 === 0) batch.push(encode(['HSET', `h:${i % 13}`, `f${i}`, value(i, 20)]));
    if (i % 11 === 0) batch.push(encode(['RPUSH', 'list', value(i, 9)]));
    commands += 1 + (i % 7 === 0 ? 1 : 0) + (i % 11 === 0 ? 1 : 0);
  }
  ac.writeRaw(Buffer.concat(batch));
  for (let i = 0; i < commands; i++) await ac.read();

  const offset = await field(ac, 'master_repl_offset');
  await waitFor('B at the master offset', async () => (await field(bc, 'slave_repl_offset')) === offset, 20000);
  await waitFor('C at the master offset', async () => (await field(cc, 'slave_repl_offset')) === offset, 20000);
  const digest = await ac.call('DEBUG', 'DIGEST');
  assert.notEqual(digest, '0'.repeat(40));
  assert.equal(await bc.call('DEBUG', 'DIGEST'), digest);
  assert.equal(await cc.call('DEBUG', 'DIGEST'), digest);

  // B's AOF holds what B relayed: alone, it rebuilds the same data.
  bc.close();
  assert.equal(await b.stop(), 0);
  const again = await start(['--appendonly', 'yes'], b.dir);
  const dc = await again.client();
  assert.equal(await dc.call('DEBUG', 'DIGEST'), digest);
  ac.close();
  cc.close();
  dc.close();
});
