// MONITOR, SLOWLOG, LATENCY, TIME and SHUTDOWN's argument errors against a running server.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server';
import { RespError, RespValue } from '../helpers/resp-client';

const { server: srv, client: c } = useServer({ args: ['--slowlog-log-slower-than', '0', '--slowlog-max-len', '5'] });

test('MONITOR streams other clients\' commands in Redis\'s format, skips admin commands, and refuses keyspace access', async () => {
  const m = await srv.client();
  assert.equal(await m.call('MONITOR'), 'OK');
  const port = c.socket.localPort;
  await c.call('CLIENT', 'LIST');
  await c.call('SET', 'k', 'a b"\n');
  assert.match((await m.read()) as string, new RegExp(`^\\d+\\.\\d{6} \\[0 127\\.0\\.0\\.1:${port}\\] "SET" "k" "a b\\\\"\\\\n"$`));
  assert.deepEqual(await m.call('GET', 'k'), new RespError("ERR Replica can't interact with the keyspace"));
  assert.equal(await m.call('RESET'), 'RESET');
  await c.call('SET', 'k', 'quiet');
  assert.equal(await m.call('PING'), 'PONG', 'after RESET the client is no longer fed');
  m.close();
});

test('MONITOR twice replies once; MONITOR inside MULTI is refused at EXEC', async () => {
  const m = await srv.client();
  m.writeRaw('MONITOR\r\nMONITOR\r\nECHO done\r\n');
  assert.equal(await m.read(), 'OK');
  assert.equal(await m.read(), 'done', 'the second MONITOR has no reply');
  m.close();
  const t = await srv.client();
  assert.equal(await t.call('MULTI'), 'OK');
  assert.equal(await t.call('MONITOR'), 'QUEUED');
  assert.deepEqual(await t.call('EXEC'), [new RespError("ERR MONITOR isn't allowed for DENY BLOCKING client")]);
  t.close();
});

test('SLOWLOG GET/LEN/RESET with the entry layout and count rules', async () => {
  assert.equal(await c.call('SLOWLOG', 'RESET'), 'OK');
  await c.call('CLIENT', 'SETNAME', 'slow-one');
  await c.call('ECHO', 'x'.repeat(200));
  const [entry] = (await c.call('SLOWLOG', 'GET', '1')) as RespValue[][];
  assert.equal(entry.length, 6);
  const [id, time, usec, args, addr, name] = entry;
  assert.equal(typeof id, 'number');
  assert.ok(Math.abs((time as number) - Date.now() / 1000) < 60);
  assert.ok((usec as number) >= 0);
  assert.deepEqual(args, ['ECHO', 'x'.repeat(128) + '... (72 more bytes)']);
  assert.equal(addr, `127.0.0.1:${c.socket.localPort}`);
  assert.equal(name, 'slow-one');
  for (let i = 0; i < 5; i++) await c.call('PING');
  assert.equal(await c.call('SLOWLOG', 'LEN'), 5, 'capped at slowlog-max-len');
  assert.equal(((await c.call('SLOWLOG', 'GET', '-1')) as RespValue[]).length, 5);
  assert.equal(((await c.call('SLOWLOG', 'GET')) as RespValue[]).length, 5);
  assert.deepEqual(await c.call('SLOWLOG', 'GET', '-2'), new RespError('ERR count should be greater than or equal to -1'));
  await c.call('AUTH', 'someone', 'secret');
  const [authEntry] = (await c.call('SLOWLOG', 'GET', '1')) as RespValue[][];
  assert.deepEqual(authEntry[3], ['AUTH', '(redacted)', '(redacted)'], 'passwords never reach the slowlog');
  assert.equal(((await c.call('SLOWLOG', 'HELP')) as string[])[0], 'SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
});

test('LATENCY answers sanely with no samples', async () => {
  assert.deepEqual(await c.call('LATENCY', 'LATEST'), []);
  assert.deepEqual(await c.call('LATENCY', 'HISTORY', 'command'), []);
  assert.equal(await c.call('LATENCY', 'RESET'), 0);
  assert.match((await c.call('LATENCY', 'DOCTOR')) as string, /^I'm sorry, Dave, I can't do that\. Latency monitoring is disabled/);
  assert.deepEqual(await c.call('LATENCY', 'GRAPH', 'command'), new RespError("ERR No samples available for event 'command'"));
  const histogram = (await c.call('LATENCY', 'HISTOGRAM', 'slowlog|reset')) as RespValue[];
  assert.equal(histogram[0], 'slowlog|reset');
});

test('TIME is the current time in seconds and microseconds', async () => {
  const [sec, usec] = (await c.call('TIME')) as string[];
  assert.match(sec, /^\d+$/);
  assert.match(usec, /^\d{1,6}$/);
  assert.ok(Math.abs(Number(sec) - Date.now() / 1000) < 5);
});

test('SHUTDOWN argument errors and ABORT with nothing in progress', async () => {
  assert.deepEqual(await c.call('SHUTDOWN', 'ABORT'), new RespError('ERR No shutdown in progress.'));
  assert.deepEqual(await c.call('SHUTDOWN', 'SAVE', 'NOSAVE'), new RespError('ERR syntax error'));
  assert.deepEqual(await c.call('SHUTDOWN', 'NOW', 'ABORT'), new RespError('ERR syntax error'));
  assert.deepEqual(await c.call('SHUTDOWN', 'LATER'), new RespError('ERR syntax error'));
  assert.equal(await c.call('PING'), 'PONG');
});

test('LOLWUT prints the version line, and refuses a VERSION that is not an integer', async () => {
  assert.equal(await c.call('LOLWUT'), 'Redis ver. 7.0.15\n');
  assert.equal(await c.call('LOLWUT', 'VERSION', '5', '10'), 'Redis ver. 7.0.15\n');
  assert.deepEqual(await c.call('LOLWUT', 'VERSION', 'five'), new RespError('ERR value is not an integer or out of range'));
});
