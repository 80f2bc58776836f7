// The replication feed: every sink sees the same RESP bytes in the same order, per command or
// (perTurn sinks) once per event-loop turn, and bytes handed out are never overwritten later.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ReplicationFeed, FeedSink } from '../../src/replication/feed';
import { encodeCommandText } from '../../src/protocol/encode-command';

function collector(perTurn: boolean): FeedSink & { chunks: Buffer[]; text(): string } {
  const chunks: Buffer[] = [];
  return { perTurn, chunks, write: (b) => chunks.push(b), text: () => Buffer.concat(chunks).toString('latin1') };
}

test('commands are encoded once as RESP, with a SELECT when the database changes', () => {
  const feed = new ReplicationFeed();
  const sink = collector(false);
  feed.addSink(sink);
  feed.propagate(0, ['SET', 'k', 'v'.repeat(100)]);
  feed.propagate(0, ['DEL', '\xff\x00key']);
  feed.propagate(3, ['INCR', 'n']);
  feed.propagate(-1, ['PING']);
  const mset = ['MSET', ...Array.from({ length: 12 }, (_, i) => 'a'.repeat(i * 1000))];
  feed.propagate(3, mset);
  const want = [['SELECT', '0'], ['SET', 'k', 'v'.repeat(100)], ['DEL', '\xff\x00key'], ['SELECT', '3'], ['INCR', 'n'], ['PING'], mset].map(encodeCommandText);
  assert.deepEqual(sink.chunks.map((b) => b.toString('latin1')), want);
  assert.equal(feed.offset, want.join('').length);
});

test('a perTurn sink gets the turn in one write, at flush() or at the end of the turn', async () => {
  const feed = new ReplicationFeed();
  const perCommand = collector(false);
  const perTurn = collector(true);
  feed.addSink(perCommand);
  feed.addSink(perTurn);
  feed.propagate(0, ['SET', 'a', '1']);
  feed.propagate(0, ['SET', 'b', '2']);
  assert.equal(perTurn.chunks.length, 0);
  feed.flush();
  assert.equal(perTurn.chunks.length, 1);
  assert.equal(perTurn.text(), perCommand.text());
  feed.propagate(1, ['SET', 'c', '3']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(perTurn.chunks.length, 2);
  assert.equal(perTurn.text(), perCommand.text());
});

test('a sink attached mid-turn gets only what follows; relayed bytes keep their place in order', () => {
  const feed = new ReplicationFeed();
  const early = collector(true);
  feed.addSink(early);
  feed.propagate(0, ['SET', 'a', '1']);
  const late = collector(true);
  feed.addSink(late);
  feed.relay(Buffer.from('*1\r\n$4\r\nPING\r\n', 'latin1'));
  feed.propagate(0, ['SET', 'b', '2']);
  feed.flush();
  assert.equal(early.text(), encodeCommandText(['SELECT', '0']) + encodeCommandText(['SET', 'a', '1']) + '*1\r\n$4\r\nPING\r\n' + encodeCommandText(['SET', 'b', '2']));
  assert.equal(late.text(), '*1\r\n$4\r\nPING\r\n' + encodeCommandText(['SET', 'b', '2']));
});

test('bytes handed out stay intact when the feed moves on to a new slab', () => {
  const feed = new ReplicationFeed();
  const sink = collector(false);
  feed.addSink(sink);
  const want: string[] = [encodeCommandText(['SELECT', '0'])];
  for (let i = 0; i < 3000; i++) {
    const argv = ['SET', `key:${i}`, String(i).repeat(i % 40)];
    feed.propagate(0, argv);
    want.push(encodeCommandText(argv));
  }
  const big = ['SET', 'big', 'x'.repeat(200 * 1024)];
  feed.propagate(0, big);
  want.push(encodeCommandText(big));
  assert.deepEqual(sink.chunks.map((b) => b.toString('latin1')), want);
});
