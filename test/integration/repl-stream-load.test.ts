// How a replica takes in its master's full-sync payload under each repl-diskless-load mode: it
// parses the payload while it arrives into a fresh dataset (swapdb; or an empty dataset), or
// spools it to temp-<unixtime>.<pid>.rdb first (disabled / on-empty-db with keys), as Redis does.
// Every mode ends with the master's DEBUG DIGEST; a corrupt payload never replaces the old data
// and leaves no temp file; loading:1 is reported while parsing from the socket, and the old data
// is served while spooling.

import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { startServer, ServerProcess } from '../helpers/server';
import { RespClient, RespError } from '../helpers/resp-client';
import { FakeReplica } from '../helpers/fake-replica';
import { waitFor } from '../helpers/wait';

const FAST = ['--repl-diskless-sync-delay', '0', '--save', ''];
const MODES = ['disabled', 'on-empty-db', 'swapdb'];

const running: ServerProcess[] = [];
after(async () => {
  for (const s of running) await s.stop();
});

async function start(args: string[] = []): Promise<ServerProcess> {
  const s = await startServer({ args: [...FAST, ...args] });
  running.push(s);
  return s;
}

async function field(c: RespClient, section: string, name: string): Promise<string> {
  const text = (await c.call('INFO', section)) as string;
  return new RegExp(`^${name}:(.*)\\r$`, 'm').exec(text)?.[1] ?? '';
}

function tempFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => /^temp-\d+\.\d+\.rdb$/.test(f));
}

/** A master with every type and a few thousand keys. */
async function populatedMaster(): Promise<{ master: ServerProcess; mc: RespClient; digest: string }> {
  const master = await start(['--enable-debug-command', 'yes']);
  const mc = await master.client();
  await mc.call('DEBUG', 'POPULATE', '3000', 'key', '100');
  await mc.call('RPUSH', 'list', 'a', 'b', 'c');
  await mc.call('HSET', 'hash', 'f', 'v');
  await mc.call('SADD', 'set', '1', 'x');
  await mc.call('ZADD', 'zset', '1', 'm');
  await mc.call('SET', 'ttl', 'v', 'EX', '1000');
  return { master, mc, digest: (await mc.call('DEBUG', 'DIGEST')) as string };
}

for (const mode of MODES) {
  for (const oldData of [false, true]) {
    test(`repl-diskless-load ${mode}, ${oldData ? 'replica with keys' : 'empty replica'}: the master's dataset, Redis's log lines`, async () => {
      const { master, mc, digest } = await populatedMaster();
      const replica = await start(['--repl-diskless-load', mode, '--enable-debug-command', 'yes']);
      const rc = await replica.client();
      if (oldData) await rc.call('SET', 'old', '1');
      await rc.call('REPLICAOF', '127.0.0.1', String(master.port));
      await waitFor('the link', async () => (await field(rc, 'replication', 'master_link_status')) === 'up');
      assert.equal(await rc.call('DEBUG', 'DIGEST'), digest);
      assert.equal(await rc.call('EXISTS', 'old'), 0);
      const log = replica.log();
      const toParser = mode === 'swapdb' || (mode === 'on-empty-db' && !oldData);
      assert.match(log, new RegExp(`receiving streamed RDB from master with EOF to ${toParser ? 'parser' : 'disk'}`));
      const expected = mode === 'swapdb'
        ? ['Loading DB in memory', 'Done loading RDB, keys loaded: 3005, keys expired: 0.', 'Swapping active DB with loaded DB', 'Discarding old DB in background', 'Finished with success']
        : ['Flushing old data', 'Loading DB in memory', 'Loading RDB produced by version', 'Done loading RDB, keys loaded: 3005, keys expired: 0.', 'Finished with success'];
      let at = log.indexOf('receiving streamed RDB');
      for (const line of expected) {
        const next = log.indexOf(line, at);
        assert.ok(next > at, `"${line}" after the previous lines in:\n${log}`);
        at = next;
      }
      // Spooled to disk (the old dataset had keys and the mode does not parse from the socket):
      // the temp file became dump.rdb, as Redis leaves it.
      const spooled = oldData && !toParser;
      assert.deepEqual(tempFiles(replica.dir), []);
      assert.equal(fs.existsSync(`${replica.dir}/dump.rdb`), spooled);
      await mc.call('SET', 'after', 'sync');
      await waitFor('the stream after the sync', async () => (await rc.call('GET', 'after')) === 'sync');
      rc.close();
      mc.close();
      await replica.stop();
      await master.stop();
    });
  }
}

/**
 * A master that serves one full sync: the handshake, then `$EOF:<mark>`, `first`, and — once
 * release() is called — `rest` and the mark. Later connections are closed at once.
 */
async function scriptedMaster(first: Buffer, rest: Buffer): Promise<{ port: number; release(): void; close(): void }> {
  const mark = 'm'.repeat(40);
  let served = false;
  let socket: net.Socket | null = null;
  const server = net.createServer((s) => {
    if (served) return void s.destroy();
    served = true;
    socket = s;
    let input = '';
    let answered = 0;
    s.on('error', () => undefined);
    s.on('data', (d) => {
      input += d.toString('latin1');
      const names = [...input.matchAll(/\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n/g)].map((m) => m[1].toUpperCase());
      for (; answered < names.length; answered++) {
        const name = names[answered];
        if (name === 'PING') s.write('+PONG\r\n');
        else if (name === 'REPLCONF') s.write('+OK\r\n');
        else if (name === 'PSYNC') {
          s.write(`+FULLRESYNC ${'f'.repeat(40)} 0\r\n$EOF:${mark}\r\n`);
          s.write(first);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    release: () => socket?.write(Buffer.concat([rest, Buffer.from(mark)])),
    close: () => {
      socket?.destroy();
      server.close();
    },
  };
}

for (const mode of ['swapdb', 'disabled']) {
  test(`repl-diskless-load ${mode}: a payload corrupt in its second half leaves the old data and no temp file`, async () => {
    const source = await start();
    const sc = await source.client();
    for (let i = 0; i < 500; i++) await sc.call('SET', `k${i}`, 'v'.repeat(200));
    const fake = await FakeReplica.attach(source.port);
    const payload = fake.rdb!;
    fake.close();
    sc.close();
    const half = payload.length >> 1;
    const corrupt = Buffer.from(payload.subarray(half));
    for (let i = 0; i < corrupt.length; i += 97) corrupt[i] ^= 0x5a;

    const scripted = await scriptedMaster(payload.subarray(0, half), corrupt);
    const replica = await start(['--repl-diskless-load', mode]);
    const rc = await replica.client();
    await rc.call('SET', 'old', '1');
    await rc.call('REPLICAOF', '127.0.0.1', String(scripted.port));
    await waitFor('the transfer to start', () => /receiving streamed RDB/.test(replica.log()));
    if (mode === 'swapdb') {
      // Parsing from the socket: loading:1 and -LOADING meanwhile, as Redis.
      await waitFor('loading:1', async () => (await field(rc, 'persistence', 'loading')) === '1');
      const reply = await rc.call('GET', 'old');
      assert.ok(reply instanceof RespError && /^LOADING /.test(reply.message), String(reply));
    } else {
      // Spooling to disk: the old data is served meanwhile, the payload goes to a temp file.
      assert.equal(await field(rc, 'persistence', 'loading'), '0');
      assert.equal(await rc.call('GET', 'old'), '1');
      await waitFor('the temp file', () => tempFiles(replica.dir).length === 1);
    }
    scripted.release();
    await waitFor('the failed load', () => /Failed trying to load the MASTER synchronization DB from/.test(replica.log()));
    assert.equal(await field(rc, 'persistence', 'loading'), '0');
    assert.equal(await rc.call('GET', 'old'), '1');
    assert.equal(await rc.call('DBSIZE'), 1);
    assert.deepEqual(tempFiles(replica.dir), []);
    assert.equal(fs.existsSync(`${replica.dir}/dump.rdb`), false);
    rc.close();
    scripted.close();
    await replica.stop();
  });
}
