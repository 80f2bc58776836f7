// Runs of pipelined commands (dispatch.ts): within one client's pipeline a command's time starts
// where the previous one ended, and the gates' verdict of a repeated keyspace command is reused.
// These tests pin down where neither may leak: the time of a slow command stays its own, and a
// verdict is checked again when the user's key patterns matter or when another command (here a
// blocked client served in the middle of the pipeline) may have changed what the gates see.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server';
import { RespClient, RespError, encode } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';

const { server: srv, client: c } = useServer({ args: ['--enable-debug-command', 'yes'] });

/** Sends the commands in one write and reads their replies. */
async function pipeline(client: RespClient, ...commands: string[][]): Promise<unknown[]> {
  client.writeRaw(Buffer.concat(commands.map(encode)));
  const replies: unknown[] = [];
  for (let i = 0; i < commands.length; i++) replies.push(await client.read());
  return replies;
}

test('a slow command in a pipeline keeps its time; the fast commands around it are not charged for it', async () => {
  await c.call('SLOWLOG', 'RESET');
  await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '40000');
  try {
    const replies = await pipeline(c, ['SET', 'a', '1'], ['DEBUG', 'SLEEP', '0.05'], ['SET', 'a', '2'], ['DEBUG', 'SLEEP', '0.05'], ['GET', 'a']);
    assert.deepEqual(replies, ['OK', 'OK', 'OK', 'OK', '2']);
    const entries = (await c.call('SLOWLOG', 'GET')) as unknown[][];
    assert.deepEqual(entries.map((e) => (e[3] as string[]).join(' ')), ['DEBUG SLEEP 0.05', 'DEBUG SLEEP 0.05']);
    for (const e of entries) assert.ok((e[2] as number) >= 50000, `DEBUG SLEEP 0.05 took ${String(e[2])} us`);
  } finally {
    await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
  }
});

test('a repeated write is checked again against the key patterns of a restricted user', async () => {
  const replies = await pipeline(c, ['SET', 'a', '1'], ['ACL', 'SETUSER', 'default', 'resetkeys', '~a*'], ['SET', 'a', '2'], ['SET', 'b', '2'], ['SET', 'a', '3']);
  await c.call('ACL', 'SETUSER', 'default', 'allkeys');
  assert.deepEqual(replies.slice(0, 3), ['OK', 'OK', 'OK']);
  assert.ok(replies[3] instanceof RespError && replies[3].message.startsWith('NOPERM'), `SET b: ${JSON.stringify(replies[3])}`);
  assert.equal(replies[4], 'OK');
});

test('a command served to a blocked client in the middle of a pipeline is seen by the next write', async () => {
  const blocked = await srv.client();
  try {
    // The blocked client's CONFIG SET waits in its input until its BLPOP is served by LPUSH q.
    blocked.writeRaw(Buffer.concat([encode(['BLPOP', 'q', '0']), encode(['CONFIG', 'SET', 'min-replicas-to-write', '1'])]));
    await waitFor('BLPOP to block', async () => /blocked_clients:1\r\n/.test((await c.call('INFO', 'clients')) as string));
    const replies = await pipeline(c, ['LPUSH', 'q', 'x'], ['LPUSH', 'r', 'y']);
    assert.equal(replies[0], 1);
    assert.ok(replies[1] instanceof RespError, `LPUSH r: ${JSON.stringify(replies[1])}`);
    assert.equal(replies[1].message, 'NOREPLICAS Not enough good replicas to write.');
    assert.deepEqual(await blocked.read(), ['q', 'x']);
    assert.equal(await blocked.read(), 'OK');
  } finally {
    await c.call('CONFIG', 'SET', 'min-replicas-to-write', '0');
    blocked.close();
  }
});
