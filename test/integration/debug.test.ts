// DEBUG subcommands against a running server: DIGEST/DIGEST-VALUE (the digest values themselves
// are checked against real Redis in test/unit/digest.test.ts and test/interop), POPULATE's key
// naming, SLEEP stopping the whole server, OBJECT, LOG and the error for unknown subcommands.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server';
import { RespError } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';

const { server: srv, client: c } = useServer({ args: ['--enable-debug-command', 'yes'] });

const ZEROS = '0'.repeat(40);
/** DEBUG DIGEST-VALUE of s1 = "hello" on real Redis 7.0. */
const S1_VALUE_DIGEST = '36b23a1456b2dce2c3ed252c456761301dba8060';

test('DIGEST is zeros when empty, matches Redis for a string, and follows the data', async () => {
  await c.call('FLUSHALL');
  assert.equal(await c.call('DEBUG', 'DIGEST'), ZEROS);
  await c.call('SET', 's1', 'hello');
  // The value real Redis 7.0 prints for exactly this dataset.
  assert.equal(await c.call('DEBUG', 'DIGEST'), 'b9c91680a24c69517bc62eeead63277d5dd4ad62');
  assert.deepEqual(await c.call('DEBUG', 'DIGEST-VALUE', 's1', 'nosuch'), [S1_VALUE_DIGEST, ZEROS]);
  await c.call('DEL', 's1');
  assert.equal(await c.call('DEBUG', 'DIGEST'), ZEROS);
  assert.deepEqual(await c.call('DEBUG', 'DIGEST', 'x'), new RespError("ERR unknown subcommand or wrong number of arguments for 'DIGEST'. Try DEBUG HELP."));
});

test('POPULATE names keys key:N with values value:N, cut or zero-padded to size, never overwriting', async () => {
  await c.call('FLUSHALL');
  await c.call('SET', 'key:1', 'mine');
  assert.equal(await c.call('DEBUG', 'POPULATE', '3'), 'OK');
  assert.deepEqual(await c.call('MGET', 'key:0', 'key:1', 'key:2', 'key:3'), ['value:0', 'mine', 'value:2', null]);
  assert.equal(await c.call('DEBUG', 'POPULATE', '2', 'pre', '10'), 'OK');
  assert.equal(await c.call('GET', 'pre:1'), 'value:1\0\0\0');
  assert.equal(await c.call('DEBUG', 'POPULATE', '1', 'cut', '3'), 'OK');
  assert.equal(await c.call('GET', 'cut:0'), 'val');
  assert.deepEqual(await c.call('DEBUG', 'POPULATE', '-1'), new RespError('ERR value is out of range, must be positive'));
});

test('SLEEP stops the whole server', async () => {
  const other = await srv.client();
  // A PING sent right behind DEBUG SLEEP 0.5 waits for the sleep to end. A loaded machine may
  // deliver the PING first, or only late in the sleep: then the round is tried again.
  await waitFor('a PING held up by the sleep', async () => {
    c.writeRaw('*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$3\r\n0.5\r\n');
    const started = Date.now();
    assert.equal(await other.call('PING'), 'PONG');
    const pingMs = Date.now() - started;
    assert.equal(await c.read(), 'OK');
    return pingMs >= 200;
  });
  other.close();
});

test('OBJECT, LOG, SET-ACTIVE-EXPIRE, QUICKLIST-PACKED-THRESHOLD, HELP and unknown subcommands', async () => {
  await c.call('SET', 'obj', '12345');
  assert.match((await c.call('DEBUG', 'OBJECT', 'obj')) as string, /^Value at:0x[0-9a-f]+ refcount:1 encoding:int serializedlength:\d+ lru:\d+ lru_seconds_idle:\d+$/);
  assert.deepEqual(await c.call('DEBUG', 'OBJECT', 'nosuch'), new RespError('ERR no such key'));
  assert.equal(await c.call('DEBUG', 'LOG', 'hello from the test'), 'OK');
  await waitFor('the DEBUG LOG line', () => srv.log().includes('# DEBUG LOG: hello from the test'));
  assert.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), 'OK');
  assert.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1'), 'OK');
  assert.equal(await c.call('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '100'), 'OK');
  assert.deepEqual(await c.call('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', 'x'), new RespError('ERR argument must be a memory value bigger than 1 and smaller than 4gb'));
  const help = (await c.call('DEBUG', 'HELP')) as string[];
  assert.equal(help[0], 'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
  assert.deepEqual(await c.call('DEBUG', 'foo'), new RespError("ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP."));
});
