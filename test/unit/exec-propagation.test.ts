// What transactions and served blocking commands put into the replication feed, checked
// in-process against a server built by createServer (no sockets): a sink captures the exact
// stream a replica or the AOF would receive.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Config } from '../../src/config/config';
import { Logger } from '../../src/server/log';
import { createServer } from '../../src/server/setup';
import type { Server } from '../../src/server/server';
import type { Client } from '../../src/server/client';
import { processCommand } from '../../src/server/dispatch';
import { parseReply, RespValue } from '../helpers/resp-client';

interface Harness {
  server: Server;
  /** Runs one command line and returns its replies. */
  run(c: Client, ...argv: string[]): RespValue[];
  /** The commands fed to replicas since the last call, as argv arrays. */
  fed(): string[][];
}

function harness(): Harness {
  const log = new Logger();
  log.level = 'warning';
  const server = createServer(new Config(), log);
  let bytes = Buffer.alloc(0);
  server.feed.addSink({ write: (b) => (bytes = Buffer.concat([bytes, b])) });
  return {
    server,
    run(c, ...argv) {
      processCommand(server, c, argv, 0);
      return replies(c);
    },
    fed() {
      const out: string[][] = [];
      let pos = 0;
      for (let r = parseReply(bytes, pos); r !== null; r = parseReply(bytes, pos)) {
        out.push(r[0] as string[]);
        pos = r[1];
      }
      bytes = Buffer.alloc(0);
      return out;
    },
  };
}

function replies(c: Client): RespValue[] {
  const buf = Buffer.concat(c.reply.take());
  const out: RespValue[] = [];
  let pos = 0;
  for (let r = parseReply(buf, pos); r !== null; r = parseReply(buf, pos)) {
    out.push(r[0]);
    pos = r[1];
  }
  return out;
}

test('EXEC of several writes propagates one MULTI ... EXEC block', () => {
  const h = harness();
  const c = h.server.createClient(null);
  h.run(c, 'MULTI');
  assert.deepEqual(h.run(c, 'SET', 'a', '1'), ['QUEUED']);
  h.run(c, 'GET', 'a');
  h.run(c, 'SET', 'b', '2');
  assert.deepEqual(h.run(c, 'EXEC'), [['OK', '1', 'OK']]);
  assert.deepEqual(h.fed(), [['SELECT', '0'], ['MULTI'], ['SET', 'a', '1'], ['SET', 'b', '2'], ['EXEC']]);
});

test('EXEC with a single write propagates it bare, and a read-only EXEC nothing', () => {
  const h = harness();
  const c = h.server.createClient(null);
  h.run(c, 'MULTI');
  h.run(c, 'SET', 'a', '1');
  h.run(c, 'GET', 'a');
  h.run(c, 'EXEC');
  assert.deepEqual(h.fed(), [['SELECT', '0'], ['SET', 'a', '1']]);
  h.run(c, 'MULTI');
  h.run(c, 'GET', 'a');
  h.run(c, 'EXEC');
  assert.deepEqual(h.fed(), []);
});

test('a SELECT inside the transaction lands inside the block, none before EXEC', () => {
  const h = harness();
  const c = h.server.createClient(null);
  h.run(c, 'MULTI');
  h.run(c, 'SET', 'a', '1');
  h.run(c, 'SELECT', '3');
  h.run(c, 'SET', 'b', '2');
  h.run(c, 'EXEC');
  assert.deepEqual(h.fed(), [['SELECT', '0'], ['MULTI'], ['SET', 'a', '1'], ['SELECT', '3'], ['SET', 'b', '2'], ['EXEC']]);
});

test('BLPOP served immediately propagates as LPOP, a served wait as the push then the pop', () => {
  const h = harness();
  const popper = h.server.createClient(null);
  const pusher = h.server.createClient(null);
  h.run(pusher, 'RPUSH', 'q', 'x');
  h.fed();
  assert.deepEqual(h.run(popper, 'BLPOP', 'q', '0'), [['q', 'x']]);
  assert.deepEqual(h.fed(), [['LPOP', 'q']]);

  assert.deepEqual(h.run(popper, 'BRPOP', 'other', 'q', '0'), []);
  assert.equal(popper.blocked, true);
  h.run(pusher, 'RPUSH', 'q', 'y', 'z');
  assert.equal(popper.blocked, false);
  assert.deepEqual(replies(popper), [['q', 'z']]);
  assert.deepEqual(h.fed(), [['RPUSH', 'q', 'y', 'z'], ['RPOP', 'q']]);
});

test('BLMOVE and BRPOPLPUSH served after a push propagate as LMOVE and RPOPLPUSH', () => {
  const h = harness();
  const a = h.server.createClient(null);
  const b = h.server.createClient(null);
  const pusher = h.server.createClient(null);
  h.run(a, 'BLMOVE', 'src', 'mid', 'LEFT', 'RIGHT', '0');
  h.run(b, 'BRPOPLPUSH', 'mid', 'dst', '0');
  h.run(pusher, 'LPUSH', 'src', 'e');
  assert.deepEqual(replies(a), ['e']);
  assert.deepEqual(replies(b), ['e']);
  assert.deepEqual(h.fed(), [['SELECT', '0'], ['LPUSH', 'src', 'e'], ['LMOVE', 'src', 'mid', 'left', 'right'], ['RPOPLPUSH', 'mid', 'dst']]);
  assert.deepEqual(h.run(pusher, 'LRANGE', 'dst', '0', '-1'), [['e']]);
});

test('clients blocked by a push inside EXEC are served after the whole transaction', () => {
  const h = harness();
  const popper = h.server.createClient(null);
  const c = h.server.createClient(null);
  h.run(popper, 'BLPOP', 'q', '0');
  h.run(c, 'MULTI');
  h.run(c, 'RPUSH', 'q', 'a');
  h.run(c, 'LLEN', 'q');
  h.run(c, 'RPUSH', 'q', 'b');
  // Inside the transaction the list still holds both elements when LLEN runs.
  assert.deepEqual(h.run(c, 'EXEC'), [[1, 1, 2]]);
  assert.deepEqual(replies(popper), [['q', 'a']]);
  assert.deepEqual(h.fed(), [['SELECT', '0'], ['MULTI'], ['RPUSH', 'q', 'a'], ['RPUSH', 'q', 'b'], ['EXEC'], ['LPOP', 'q']]);
});
