// TTLs end to end on a spawned Tandem server: the EXPIRE family's replies and errors (as a real
// Redis 7.0.15 gave them), TTL/PTTL/EXPIRETIME/PEXPIRETIME/PERSIST, lazy expiry on access,
// active expiry from the cron (and DEBUG SET-ACTIVE-EXPIRE), a mass expiry that must not stall
// the event loop, and what TTL changes propagate (absolute PEXPIREAT, DEL for past times).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server';
import { RespError, parseReply } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';
import { Config } from '../../src/config/config';
import { Logger } from '../../src/server/log';
import { createServer } from '../../src/server/setup';
import { processCommand } from '../../src/server/dispatch';

const { server: srv, client: c } = useServer({ args: ['--enable-debug-command', 'yes'] });

const err = (m: string): RespError => new RespError(m);

async function infoField(name: string): Promise<number> {
  const info = (await c.call('INFO', 'stats')) as string;
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
  assert.ok(m, `INFO has ${name}`);
  return Number(m[1]);
}

test('EXPIRE NX/XX/GT/LT and option errors', async () => {
  await c.call('FLUSHALL');
  await c.call('SET', 'k', 'v');
  assert.equal(await c.call('EXPIRE', 'k', '100', 'XX'), 0, 'XX needs an existing TTL');
  assert.equal(await c.call('EXPIRE', 'k', '100', 'GT'), 0, 'no TTL counts as infinite for GT');
  assert.equal(await c.call('EXPIRE', 'k', '100', 'NX'), 1);
  assert.equal(await c.call('EXPIRE', 'k', '100', 'NX'), 0);
  assert.equal(await c.call('EXPIRE', 'k', '50', 'XX'), 1);
  assert.equal(await c.call('EXPIRE', 'k', '40', 'GT'), 0);
  assert.equal(await c.call('EXPIRE', 'k', '60', 'GT'), 1);
  assert.equal(await c.call('EXPIRE', 'k', '70', 'LT'), 0);
  assert.equal(await c.call('EXPIRE', 'k', '30', 'LT'), 1);
  assert.equal(await c.call('TTL', 'k'), 30);
  await c.call('SET', 'nottl', 'v');
  assert.equal(await c.call('EXPIRE', 'nottl', '10', 'LT'), 1, 'no TTL counts as infinite for LT');
  assert.equal(await c.call('EXPIRE', 'nokey', '10'), 0);
  assert.deepEqual(await c.call('EXPIRE', 'k', '10', 'foo'), err('ERR Unsupported option foo'));
  assert.deepEqual(await c.call('EXPIRE', 'k', '10', 'nx', 'xx'), err('ERR NX and XX, GT or LT options at the same time are not compatible'));
  assert.deepEqual(await c.call('EXPIRE', 'k', '10', 'gt', 'lt'), err('ERR GT and LT options at the same time are not compatible'));
  assert.deepEqual(await c.call('EXPIRE', 'k', 'abc'), err('ERR value is not an integer or out of range'));
  assert.deepEqual(await c.call('EXPIRE', 'k', '9223372036854775'), err("ERR invalid expire time in 'expire' command"));
  assert.deepEqual(await c.call('PEXPIRE', 'k', '9223372036854775807'), err("ERR invalid expire time in 'pexpire' command"));
  assert.deepEqual(await c.call('EXPIREAT', 'k', '9223372036854775807'), err("ERR invalid expire time in 'expireat' command"));
  assert.equal(await c.call('TTL', 'k'), 30, 'errors leave the TTL alone');
});

test('a TTL in the past deletes the key at once', async () => {
  await c.call('FLUSHALL');
  await c.call('MSET', 'a', '1', 'b', '2', 'c', '3');
  assert.equal(await c.call('EXPIRE', 'a', '-1'), 1);
  assert.equal(await c.call('PEXPIREAT', 'b', '1000'), 1);
  assert.equal(await c.call('EXPIREAT', 'c', '0'), 1);
  assert.equal(await c.call('DBSIZE'), 0);
});

test('TTL PTTL EXPIRETIME PEXPIRETIME PERSIST', async () => {
  await c.call('FLUSHALL');
  await c.call('SET', 'k', 'v');
  assert.equal(await c.call('TTL', 'nokey'), -2);
  assert.equal(await c.call('PTTL', 'nokey'), -2);
  assert.equal(await c.call('EXPIRETIME', 'nokey'), -2);
  assert.equal(await c.call('TTL', 'k'), -1);
  assert.equal(await c.call('PEXPIRETIME', 'k'), -1);
  assert.equal(await c.call('EXPIREAT', 'k', '33177600000'), 1);
  assert.equal(await c.call('EXPIRETIME', 'k'), 33177600000);
  assert.equal(await c.call('PEXPIRETIME', 'k'), 33177600000000);
  await c.call('PEXPIRE', 'k', '1499');
  assert.equal(await c.call('TTL', 'k'), 1, 'TTL rounds to the nearest second');
  assert.ok(((await c.call('PTTL', 'k')) as number) <= 1499);
  assert.equal(await c.call('PERSIST', 'k'), 1);
  assert.equal(await c.call('PERSIST', 'k'), 0);
  assert.equal(await c.call('PERSIST', 'nokey'), 0);
  assert.equal(await c.call('TTL', 'k'), -1);
});

test('active expiry removes keys nobody reads; DEBUG SET-ACTIVE-EXPIRE 0 leaves them to lazy expiry', async () => {
  await c.call('FLUSHALL');
  const before = await infoField('expired_keys');
  for (let i = 0; i < 50; i++) await c.call('SET', `short:${i}`, 'v', 'PX', '50');
  await c.call('SET', 'keep', 'v');
  await waitFor('active expiry to empty the short keys', async () => (await c.call('DBSIZE')) === 1);
  assert.equal(await infoField('expired_keys'), before + 50);

  assert.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), 'OK');
  for (let i = 0; i < 10; i++) await c.call('SET', `lazy:${i}`, 'v', 'PX', '20');
  const setAt = Date.now();
  // Several cron ticks (100 ms each at hz 10) go by without the keys being touched.
  await waitFor('500 ms to pass', () => Date.now() > setAt + 500);
  assert.equal(await c.call('DBSIZE'), 11, 'nothing expired actively');
  assert.equal(await c.call('GET', 'lazy:0'), null, 'an access expires the key');
  assert.equal(await c.call('DBSIZE'), 10);
  assert.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1'), 'OK');
  await waitFor('active expiry to resume', async () => (await c.call('DBSIZE')) === 1);
});

test('100k keys expiring at once go in budgeted steps while the server keeps answering', async () => {
  await c.call('FLUSHALL');
  const n = 100_000;
  const at = Date.now() + 1500;
  const capsBefore = await infoField('expired_time_cap_reached_count');
  const writer = await srv.client();
  let pipeline = '';
  for (let i = 0; i < n; i++) {
    const key = `mass:${i}`;
    pipeline += `*5\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$${String(at).length}\r\n${at}\r\n`;
  }
  writer.writeRaw(pipeline);
  for (let i = 0; i < n; i++) await writer.read(60_000);
  writer.close();
  // Ping while the keys expire; each reply must come back promptly.
  let worst = 0;
  await waitFor(
    'the active cycle to expire every key',
    async () => {
      const t = performance.now();
      assert.equal(await c.call('PING'), 'PONG');
      worst = Math.max(worst, performance.now() - t);
      return (await c.call('DBSIZE')) === 0;
    },
    60_000,
    5,
  );
  assert.ok(await infoField('expired_time_cap_reached_count') > capsBefore, 'the time budget stopped at least one tick');
  // 25 ms of expiry per tick; a generous bound that still fails for a cycle deleting all at once
  // on a loaded machine.
  assert.ok(worst < 1000, `worst PING round trip ${worst.toFixed(1)} ms`);
});

// -------------------------------------------------------------------------------------------
// Propagation of TTL changes, observed in-process from the replication feed
// -------------------------------------------------------------------------------------------

test('TTL writes propagate as PEXPIREAT <abs> (flags kept), DEL/UNLINK for past times, PERSIST as is', () => {
  const log = new Logger();
  log.level = 'warning';
  let clockMs = Date.now();
  const server = createServer(new Config(), log, { now: () => clockMs });
  const client = server.createClient(null);
  let fed = Buffer.alloc(0);
  server.feed.addSink({ write: (b) => (fed = Buffer.concat([fed, b])) });
  const run = (...argv: string[]): string[][] => {
    fed = Buffer.alloc(0);
    processCommand(server, client, argv, 0);
    client.reply.take();
    const out: string[][] = [];
    for (let r = parseReply(fed, 0); r !== null; r = parseReply(fed, 0)) {
      if ((r[0] as string[])[0] !== 'SELECT') out.push(r[0] as string[]);
      fed = fed.subarray(r[1]);
    }
    return out;
  };
  run('SET', 'k', 'v');
  const now = (): number => server.keyspace.now;
  assert.deepEqual(run('EXPIRE', 'k', '100'), [['PEXPIREAT', 'k', String(now() + 100_000)]]);
  assert.deepEqual(run('PEXPIRE', 'k', '5000', 'GT'), [], 'refused by GT: nothing to propagate');
  assert.deepEqual(run('PEXPIRE', 'k', '500000', 'GT'), [['PEXPIREAT', 'k', String(now() + 500_000), 'GT']]);
  assert.deepEqual(run('EXPIREAT', 'k', '33177600000'), [['PEXPIREAT', 'k', '33177600000000']]);
  assert.deepEqual(run('PEXPIREAT', 'k', '33177600000001'), [['PEXPIREAT', 'k', '33177600000001']]);
  assert.deepEqual(run('PERSIST', 'k'), [['PERSIST', 'k']]);
  assert.deepEqual(run('PERSIST', 'k'), []);
  assert.deepEqual(run('EXPIRE', 'k', '-1'), [['DEL', 'k']]);
  run('SET', 'k', 'v');
  run('CONFIG', 'SET', 'lazyfree-lazy-expire', 'yes');
  assert.deepEqual(run('PEXPIREAT', 'k', '1'), [['UNLINK', 'k']]);
  assert.deepEqual(run('EXPIRE', 'nokey', '10'), []);
  run('SET', 'k', 'v', 'PX', '1');
  clockMs += 10;
  assert.deepEqual(run('GET', 'k'), [['UNLINK', 'k']], 'a lazily expired key is propagated as UNLINK (lazyfree-lazy-expire) or DEL');
});
