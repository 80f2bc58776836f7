// CLIENT: identity, the CLIENT LIST line format, KILL in both forms, PAUSE holding commands back
// until it ends, REPLY OFF/SKIP dropping replies on the wire, and the small queries.

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startServer, ServerProcess } from '../helpers/server';
import { RespClient, RespError } from '../helpers/resp-client';
import { waitFor } from '../helpers/wait';

let srv: ServerProcess;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv.stop();
});

/** The CLIENT LIST fields in Redis 7.0's order. */
const FIELDS = ['id', 'addr', 'laddr', 'fd', 'name', 'age', 'idle', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi', 'qbuf', 'qbuf-free', 'argv-mem', 'multi-mem', 'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem', 'events', 'cmd', 'user', 'redir', 'resp'];

function parseLine(line: string): Map<string, string> {
  return new Map(line.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

test('CLIENT ID, SETNAME, GETNAME and the name check', async () => {
  const c = await srv.client();
  const id = await c.call('CLIENT', 'ID');
  assert.equal(typeof id, 'number');
  assert.equal(await c.call('CLIENT', 'GETNAME'), null);
  assert.equal(await c.call('CLIENT', 'SETNAME', 'worker-1'), 'OK');
  assert.equal(await c.call('CLIENT', 'GETNAME'), 'worker-1');
  assert.deepEqual(await c.call('CLIENT', 'SETNAME', 'a b'), new RespError('ERR Client names cannot contain spaces, newlines or special characters.'));
  assert.equal(await c.call('CLIENT', 'SETNAME', ''), 'OK');
  assert.equal(await c.call('CLIENT', 'GETNAME'), null);
  c.close();
});

test('CLIENT LIST and CLIENT INFO print every field in order', async () => {
  const c = await srv.client();
  const other = await srv.client();
  await other.call('CLIENT', 'SETNAME', 'other');
  await other.call('SELECT', '2');
  const myId = (await c.call('CLIENT', 'ID')) as number;
  const list = (await c.call('CLIENT', 'LIST')) as string;
  assert.ok(list.endsWith('\n'));
  const lines = list.trimEnd().split('\n');
  assert.ok(lines.length >= 2);
  for (const line of lines) assert.deepEqual([...parseLine(line).keys()], FIELDS);
  const mine = parseLine(lines.find((l) => l.startsWith(`id=${myId} `))!);
  assert.equal(mine.get('cmd'), 'client|list');
  assert.equal(mine.get('flags'), 'N');
  assert.equal(mine.get('addr'), `127.0.0.1:${c.socket.localPort}`);
  assert.equal(mine.get('laddr'), `127.0.0.1:${srv.port}`);
  assert.equal(mine.get('user'), 'default');
  assert.equal(mine.get('resp'), '2');
  const theirs = parseLine(lines.find((l) => l.includes(' name=other '))!);
  assert.equal(theirs.get('db'), '2');
  assert.equal(theirs.get('cmd'), 'select');

  const info = (await c.call('CLIENT', 'INFO')) as string;
  assert.equal(parseLine(info.trimEnd()).get('cmd'), 'client|info');
  assert.equal(parseLine(info.trimEnd()).get('id'), String(myId));

  const byId = (await c.call('CLIENT', 'LIST', 'ID', String(myId))) as string;
  assert.equal(byId.trimEnd().split('\n').length, 1);
  assert.equal(await c.call('CLIENT', 'LIST', 'TYPE', 'master'), '');
  assert.deepEqual(await c.call('CLIENT', 'LIST', 'TYPE', 'bogus'), new RespError("ERR Unknown client type 'bogus'"));
  assert.deepEqual(await c.call('CLIENT', 'LIST', 'ID', 'x'), new RespError('ERR Invalid client ID'));
  assert.deepEqual(await c.call('CLIENT', 'LIST', 'FOO'), new RespError('ERR syntax error'));
  c.close();
  other.close();
});

test('CLIENT KILL by address, by ID and by filters', async () => {
  const c = await srv.client();
  const v1 = await srv.client();
  const v2 = await srv.client();
  const v2id = String(await v2.call('CLIENT', 'ID'));
  assert.deepEqual(await c.call('CLIENT', 'KILL', '1.2.3.4:5'), new RespError('ERR No such client'));
  assert.equal(await c.call('CLIENT', 'KILL', `127.0.0.1:${v1.socket.localPort}`), 'OK');
  await v1.waitClosed();
  assert.equal(await c.call('CLIENT', 'KILL', 'ID', v2id), 1);
  await v2.waitClosed();
  assert.equal(await c.call('CLIENT', 'KILL', 'ID', v2id), 0);
  assert.deepEqual(await c.call('CLIENT', 'KILL', 'ID', '0'), new RespError('ERR client-id should be greater than 0'));
  assert.deepEqual(await c.call('CLIENT', 'KILL', 'TYPE', 'nope'), new RespError("ERR Unknown client type 'nope'"));
  assert.deepEqual(await c.call('CLIENT', 'KILL', 'USER', 'nobody'), new RespError("ERR No such user 'nobody'"));
  assert.deepEqual(await c.call('CLIENT', 'KILL', 'ID', '1', 'SKIPME'), new RespError('ERR syntax error'));
  // SKIPME yes (the default) spares the caller; SKIPME no kills it after the reply.
  assert.equal(await c.call('CLIENT', 'KILL', 'ADDR', `127.0.0.1:${c.socket.localPort}`), 0);
  assert.equal(await c.call('CLIENT', 'KILL', 'ADDR', `127.0.0.1:${c.socket.localPort}`, 'SKIPME', 'no'), 1);
  await c.waitClosed();
});

test('CLIENT PAUSE WRITE holds writes back until UNPAUSE; reads go on', async () => {
  const admin = await srv.client();
  const writer = await srv.client();
  assert.equal(await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE'), 'OK');
  assert.equal(await writer.call('GET', 'paused-key'), null);
  writer.writeRaw('*3\r\n$3\r\nSET\r\n$10\r\npaused-key\r\n$1\r\n1\r\n*1\r\n$4\r\nPING\r\n');
  await waitFor('the writer to be paused', async () => ((await admin.call('CLIENT', 'LIST')) as string).includes('flags=b'));
  assert.equal(await admin.call('GET', 'paused-key'), null);
  assert.equal(await admin.call('CLIENT', 'UNPAUSE'), 'OK');
  assert.equal(await writer.read(), 'OK');
  assert.equal(await writer.read(), 'PONG');
  assert.equal(await admin.call('GET', 'paused-key'), '1');
  admin.close();
  writer.close();
});

test('CLIENT PAUSE ALL holds every command until the timeout ends it', async () => {
  const admin = await srv.client();
  const reader = await srv.client();
  const started = Date.now();
  assert.equal(await admin.call('CLIENT', 'PAUSE', '300'), 'OK');
  assert.equal(await reader.call('PING'), 'PONG');
  assert.ok(Date.now() - started >= 250, 'PING waited for the pause to end');
  assert.deepEqual(await admin.call('CLIENT', 'PAUSE', '-1'), new RespError('ERR timeout is negative'));
  assert.deepEqual(await admin.call('CLIENT', 'PAUSE', 'x'), new RespError('ERR timeout is not an integer or out of range'));
  assert.deepEqual(await admin.call('CLIENT', 'PAUSE', '10', 'SOME'), new RespError('ERR CLIENT PAUSE mode must be WRITE or ALL'));
  admin.close();
  reader.close();
});

test('CLIENT REPLY OFF/SKIP/ON: exactly the replies Redis sends', async () => {
  const c = await srv.client();
  c.writeRaw('CLIENT REPLY SKIP\r\nPING 1\r\nPING 2\r\nCLIENT REPLY OFF\r\nPING 3\r\nCLIENT REPLY SKIP\r\nPING 4\r\nCLIENT REPLY ON\r\nPING 5\r\nCLIENT REPLY FOO\r\n');
  const expected = '$1\r\n2\r\n+OK\r\n$1\r\n5\r\n-ERR syntax error\r\n';
  let got = '';
  await waitFor('the replies', () => (got += c.takeRawBuffered().toString('latin1')).length >= expected.length);
  assert.equal(got, expected);
  c.close();
});

test('NO-EVICT, TRACKINGINFO, GETREDIR, UNBLOCK and HELP', async () => {
  const c = await srv.client();
  assert.equal(await c.call('CLIENT', 'NO-EVICT', 'on'), 'OK');
  assert.match((await c.call('CLIENT', 'INFO')) as string, / flags=e /);
  assert.deepEqual(await c.call('CLIENT', 'NO-EVICT', 'maybe'), new RespError('ERR syntax error'));
  assert.deepEqual(await c.call('CLIENT', 'TRACKINGINFO'), ['flags', ['off'], 'redirect', -1, 'prefixes', []]);
  assert.equal(await c.call('CLIENT', 'GETREDIR'), -1);
  assert.equal(await c.call('CLIENT', 'UNBLOCK', '99999'), 0);
  assert.deepEqual(await c.call('CLIENT', 'UNBLOCK', '1', 'LATER'), new RespError('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR'));
  const help = (await c.call('CLIENT', 'HELP')) as string[];
  assert.equal(help[0], 'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
  assert.equal(help[help.length - 1], '    Prints this help.');
  assert.deepEqual(await c.call('CLIENT', 'NOPE'), new RespError("ERR unknown subcommand 'NOPE'. Try CLIENT HELP."));
  c.close();
});
