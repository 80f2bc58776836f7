import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startServer, ServerProcess } from '../helpers/server';
import { RespError } from '../helpers/resp-client';

let srv: ServerProcess;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv.stop();
});

test('PING, SET/GET, unknown command and arity errors', async () => {
  const c = await srv.client();
  assert.equal(await c.call('PING'), 'PONG');
  assert.equal(await c.call('SET', 'k', 'v\0\xff'), 'OK');
  assert.equal(await c.call('GET', 'k'), 'v\0\xff');
  assert.deepEqual(await c.call('FOO', 'a', 'b'), new RespError("ERR unknown command 'FOO', with args beginning with: 'a' 'b' "));
  assert.deepEqual(await c.call('GET'), new RespError("ERR wrong number of arguments for 'get' command"));
  c.close();
});

test('a protocol error is replied and closes only that connection', async () => {
  const bad = await srv.client();
  const good = await srv.client();
  bad.writeRaw('*1\r\n$x\r\n');
  assert.deepEqual(await bad.read(), new RespError('ERR Protocol error: invalid bulk length'));
  await bad.waitClosed();
  assert.equal(await good.call('PING'), 'PONG');
  good.close();
});

test('a pipeline of 10000 commands in one packet gets 10000 replies in order', async () => {
  const c = await srv.client();
  let s = '';
  for (let i = 0; i < 10000; i++) s += `*3\r\n$3\r\nSET\r\n$${String(i).length}\r\n${i}\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$${String(i).length}\r\n${i}\r\n`;
  c.writeRaw(s);
  for (let i = 0; i < 10000; i++) {
    assert.equal(await c.read(), 'OK');
    assert.equal(await c.read(), 'v');
  }
  c.close();
});
