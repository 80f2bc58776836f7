// The feed encodes each propagated command itself, into its slab (feed.ts): its bytes must be
// exactly the RESP that encodeCommand produces, for every header width (one, two and more
// digits, argument counts and lengths), empty and binary arguments, and across slab boundaries.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ReplicationFeed, FeedSink } from '../../src/replication/feed';
import { encodeCommand } from '../../src/protocol/encode-command';

/** A per-command sink that keeps a copy of everything it is given. */
class Recorder implements FeedSink {
  readonly parts: Buffer[] = [];
  write(bytes: Buffer): void {
    this.parts.push(Buffer.from(bytes));
  }
  get all(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function binary(len: number, seed: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode((seed + i * 13) & 0xff);
  return s;
}

test('propagated commands are encoded as encodeCommand encodes them, whatever the sizes', () => {
  const feed = new ReplicationFeed();
  const sink = new Recorder();
  feed.addSink(sink);
  const commands: string[][] = [];
  const lengths = [0, 1, 9, 10, 31, 32, 33, 99, 100, 101, 999, 1000, 12345, 70000];
  for (const len of lengths) commands.push(['SET', binary(Math.min(len, 40), len), binary(len, len + 1)]);
  for (const argc of [1, 9, 10, 99, 100, 120]) commands.push(Array.from({ length: argc }, (_, i) => binary(i % 40, i)));
  // Enough 100-byte SETs to cross several 64 KB slabs.
  for (let i = 0; i < 2000; i++) commands.push(['SET', `key:${i}`, binary(100, i)]);
  let expected = encodeCommand(['SELECT', '0']).length;
  const parts = [encodeCommand(['SELECT', '0'])];
  for (const argv of commands) {
    feed.propagate(0, argv);
    const encoded = encodeCommand(argv);
    parts.push(encoded);
    expected += encoded.length;
  }
  assert.equal(feed.offset, expected);
  assert.ok(sink.all.equals(Buffer.concat(parts)));
});
