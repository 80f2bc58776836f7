// DUMP / RESTORE on their own (the byte-level comparison with Redis is in test/interop): a round
// trip of every type keeps the digest, and RESTORE propagates as its effect: a relative TTL as an
// absolute one with ABSTTL, an already expired restore over an existing key as DEL.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server';
import { FakeReplica } from '../helpers/fake-replica';

const { server: srv, client: c } = useServer({ args: ['--enable-debug-command', 'yes'] });

test('a DUMP of every type restores to an equal value', async () => {
  await c.call('RPUSH', 'l', 'a', 'b');
  await c.call('HSET', 'h', 'f', 'v');
  await c.call('SADD', 's', 'x', '1');
  await c.call('ZADD', 'z', '1.5', 'm');
  await c.call('SET', 'str', 'v'.repeat(300));
  for (const key of ['l', 'h', 's', 'z', 'str']) {
    assert.equal(await c.call('RESTORE', `${key}2`, '0', (await c.call('DUMP', key)) as string), 'OK');
    assert.deepEqual(await c.call('DEBUG', 'DIGEST-VALUE', `${key}2`), await c.call('DEBUG', 'DIGEST-VALUE', key));
  }
});

test('RESTORE propagates an absolute TTL with ABSTTL, and DEL for a key restored already expired', async () => {
  const replica = await FakeReplica.attach(srv.port);
  try {
    await c.call('SET', 'src', 'v');
    const payload = (await c.call('DUMP', 'src')) as string;
    const before = Date.now();
    await c.call('RESTORE', 'withttl', '60000', payload);
    const stream = await replica.waitFor('the RESTORE', (s) => s.includes('ABSTTL'));
    const m = /\$7\r\nRESTORE\r\n\$7\r\nwithttl\r\n\$13\r\n(\d{13})\r\n/i.exec(stream);
    assert.ok(m, stream);
    assert.ok(Number(m[1]) >= before + 60000 && Number(m[1]) <= Date.now() + 60000);
    await c.call('RESTORE', 'src', '1', payload, 'ABSTTL', 'REPLACE');
    assert.equal(await c.call('EXISTS', 'src'), 0);
    await replica.waitFor('the DEL', (s) => s.includes('$3\r\nDEL\r\n$3\r\nsrc\r\n'));
  } finally {
    replica.close();
  }
});
