// Keyspace events when subscribers watch only some keys: an event that no pattern can take
// (told from the pattern's literal start, without building the channel name) is skipped, and
// everything a pattern or channel does take still arrives, in order, in both channel kinds.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startServer } from '../helpers/server';

test('narrow patterns get exactly their events; a channel subscription anywhere disables the shortcut, not delivery', async () => {
  const srv = await startServer({ args: ['--notify-keyspace-events', 'KEA'] });
  const admin = await srv.client();
  const sub = await srv.client();
  try {
    assert.deepEqual(await sub.call('PSUBSCRIBE', '__keyspace@0__:probe:*', '__keyevent@0__:de?', '__keyspace@1__:key:1'), ['psubscribe', '__keyspace@0__:probe:*', 1]);
    assert.deepEqual(await sub.read(), ['psubscribe', '__keyevent@0__:de?', 2]);
    assert.deepEqual(await sub.read(), ['psubscribe', '__keyspace@1__:key:1', 3]);
    await admin.call('SET', 'key:1', 'v');
    await admin.call('SET', 'probe:1', 'v');
    await admin.call('DEL', 'key:1');
    assert.deepEqual(await sub.read(), ['pmessage', '__keyspace@0__:probe:*', '__keyspace@0__:probe:1', 'set']);
    assert.deepEqual(await sub.read(), ['pmessage', '__keyevent@0__:de?', '__keyevent@0__:del', 'key:1']);

    // With some client on a plain channel every event goes through the full match again.
    const other = await srv.client();
    await other.call('SUBSCRIBE', 'unrelated');
    await admin.call('SELECT', '1');
    await admin.call('SET', 'key:10', 'v');
    await admin.call('SET', 'key:1', 'v');
    assert.deepEqual(await sub.read(), ['pmessage', '__keyspace@1__:key:1', '__keyspace@1__:key:1', 'set']);
    // A marker published last arrives next: nothing else was delivered in between.
    await admin.call('PUBLISH', '__keyspace@0__:probe:marker', 'm');
    assert.deepEqual(await sub.read(), ['pmessage', '__keyspace@0__:probe:*', '__keyspace@0__:probe:marker', 'm']);
    other.close();
  } finally {
    admin.close();
    sub.close();
    await srv.stop();
  }
});
