// Keyspace notifications against spawned servers: `notify-keyspace-events` picks which classes
// are published, on __keyspace@<db>__:<key> and/or __keyevent@<db>__:<event>; expiry publishes
// 'expired' from the keyspace.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startServer, ServerProcess } from '../helpers/server';
import { RespClient } from '../helpers/resp-client';

/** Runs `body` against a server started with the given notify-keyspace-events. */
async function withServer(events: string, body: (admin: RespClient, sub: RespClient) => Promise<void>): Promise<void> {
  const srv: ServerProcess = await startServer({ args: ['--notify-keyspace-events', events] });
  const admin = await srv.client();
  const sub = await srv.client();
  try {
    assert.deepEqual(await sub.call('PSUBSCRIBE', '__key*__:*'), ['psubscribe', '__key*__:*', 1]);
    await body(admin, sub);
  } finally {
    admin.close();
    sub.close();
    await srv.stop();
  }
}

test('with notifications off nothing is published', async () => {
  await withServer('', async (admin, sub) => {
    await admin.call('SET', 'n:off', 'v');
    await admin.call('DEL', 'n:off');
    // A marker published after the writes arrives first: the writes published nothing.
    await admin.call('PUBLISH', '__keyspace@0__:marker', 'm');
    assert.deepEqual(await sub.read(), ['pmessage', '__key*__:*', '__keyspace@0__:marker', 'm']);
  });
});

test('KEA publishes both channels for generic and string events, keyspace first', async () => {
  await withServer('KEA', async (admin, sub) => {
    await admin.call('SET', 'n:k', 'v');
    assert.deepEqual(await sub.read(), ['pmessage', '__key*__:*', '__keyspace@0__:n:k', 'set']);
    assert.deepEqual(await sub.read(), ['pmessage', '__key*__:*', '__keyevent@0__:set', 'n:k']);
    await admin.call('SELECT', '3');
    await admin.call('SET', 'n:k3', 'v');
    await admin.call('DEL', 'n:k3');
    assert.deepEqual(await sub.read(), ['pmessage', '__key*__:*', '__keyspace@3__:n:k3', 'set']);
    assert.deepEqual(await sub.read(), ['pmessage', '__key*__:*', '__keyevent@3__:set', 'n:k3']);
    assert.deepEqual(await sub.read(), ['pmessage', '__key*__:*', '__keyspace@3__:n:k3', 'del']);
    assert.deepEqual(await sub.read(), ['pmessage', '__key*__:*', '__keyevent@3__:del', 'n:k3']);
  });
});

test('Ex publishes only expired events, on the keyevent channel', async () => {
  await withServer('Ex', async (admin, sub) => {
    await admin.call('SET', 'n:exp', 'v', 'PX', '20');
    // The active expiry cycle (or the next access) deletes the key and publishes 'expired';
    // the SET itself (class $) published nothing.
    assert.deepEqual(await sub.read(), ['pmessage', '__key*__:*', '__keyevent@0__:expired', 'n:exp']);
    assert.equal(await admin.call('EXISTS', 'n:exp'), 0);
  });
});

test('CONFIG SET notify-keyspace-events switches events on and off at runtime', async () => {
  await withServer('', async (admin, sub) => {
    assert.equal(await admin.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA'), 'OK');
    assert.deepEqual(await admin.call('CONFIG', 'GET', 'notify-keyspace-events'), ['notify-keyspace-events', 'AKE']);
    await admin.call('SET', 'rt:k', 'v');
    assert.deepEqual(await sub.read(), ['pmessage', '__key*__:*', '__keyspace@0__:rt:k', 'set']);
    assert.deepEqual(await sub.read(), ['pmessage', '__key*__:*', '__keyevent@0__:set', 'rt:k']);
    assert.equal(await admin.call('CONFIG', 'SET', 'notify-keyspace-events', ''), 'OK');
    await admin.call('SET', 'rt:k', 'w');
    await admin.call('PUBLISH', '__keyspace@0__:marker', 'm');
    assert.deepEqual(await sub.read(), ['pmessage', '__key*__:*', '__keyspace@0__:marker', 'm']);
  });
});
