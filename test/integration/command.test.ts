// COMMAND and its subcommands: reply shapes as Redis 7.0 sends them (10-element entries, key
// specs, subcommands, docs maps), LIST filters and GETKEYS with its errors.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server';
import { RespError, RespValue } from '../helpers/resp-client';
import Redis from 'ioredis';
import { createClient } from 'redis';

const { server: srv, client: c } = useServer();

test('COMMAND lists every command once; COUNT agrees', async () => {
  const all = (await c.call('COMMAND')) as RespValue[][];
  assert.equal(await c.call('COMMAND', 'COUNT'), all.length);
  const names = all.map((e) => e[0]);
  assert.equal(new Set(names).size, names.length);
  for (const name of ['get', 'set', 'info', 'client', 'command', 'debug', 'monitor', 'slowlog', 'latency', 'time', 'shutdown']) assert.ok(names.includes(name), name);
  for (const e of all) assert.equal(e.length, 10, String(e[0]));
});

test('COMMAND INFO get: the 10-element entry with its key spec', async () => {
  assert.deepEqual(await c.call('COMMAND', 'INFO', 'GET', 'nosuch'), [
    [
      'get', 2, ['readonly', 'fast'], 1, 1, 1, ['@read', '@string', '@fast'], [],
      [['flags', ['RO', 'access'], 'begin_search', ['type', 'index', 'spec', ['index', 1]], 'find_keys', ['type', 'range', 'spec', ['lastkey', 0, 'keystep', 1, 'limit', 0]]]],
      [],
    ],
    null,
  ]);
});

test('COMMAND INFO of a container lists its subcommands; of a subcommand, that one', async () => {
  const [slowlog] = (await c.call('COMMAND', 'INFO', 'slowlog')) as RespValue[][];
  assert.deepEqual(slowlog.slice(0, 9), ['slowlog', -2, [], 0, 0, 0, ['@slow'], [], []]);
  const subs = (slowlog[9] as RespValue[][]).map((s) => s[0]).sort();
  assert.deepEqual(subs, ['slowlog|get', 'slowlog|help', 'slowlog|len', 'slowlog|reset']);
  const [reset] = (await c.call('COMMAND', 'INFO', 'slowlog|reset')) as RespValue[][];
  assert.deepEqual(reset.slice(0, 8), ['slowlog|reset', 2, ['admin', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous'], ['request_policy:all_nodes', 'response_policy:all_succeeded']]);
  const [info] = (await c.call('COMMAND', 'INFO', 'info')) as RespValue[][];
  assert.deepEqual(info.slice(0, 8), ['info', -1, ['loading', 'stale'], 0, 0, 0, ['@slow', '@dangerous'], ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special']]);
});

test('COMMAND DOCS: summary, since, group, complexity and subcommands', async () => {
  const docs = (await c.call('COMMAND', 'DOCS', 'get', 'nosuch', 'slowlog')) as RespValue[];
  assert.equal(docs.length, 4);
  assert.equal(docs[0], 'get');
  const get = docs[1] as string[];
  assert.equal(get[0], 'summary');
  assert.equal(get[get.indexOf('group') + 1], 'string');
  assert.equal(docs[2], 'slowlog');
  const slowlog = docs[3] as RespValue[];
  const subs = slowlog[slowlog.indexOf('subcommands') + 1] as RespValue[];
  assert.ok(subs.includes('slowlog|get'));
  const all = (await c.call('COMMAND', 'DOCS')) as RespValue[];
  assert.equal(all.length, 2 * ((await c.call('COMMAND', 'COUNT')) as number));
});

test('COMMAND LIST and its filters', async () => {
  const all = (await c.call('COMMAND', 'LIST')) as string[];
  assert.ok(all.includes('client|kill') && all.includes('get'));
  assert.deepEqual(((await c.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'slowlog*')) as string[]).sort(), ['slowlog', 'slowlog|get', 'slowlog|help', 'slowlog|len', 'slowlog|reset']);
  const admin = (await c.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'admin')) as string[];
  assert.ok(admin.includes('debug') && admin.includes('client|kill') && !admin.includes('get'));
  assert.deepEqual(await c.call('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x'), []);
  assert.deepEqual(await c.call('COMMAND', 'LIST', 'FILTERBY', 'FOO', 'x'), new RespError('ERR syntax error'));
  assert.deepEqual(await c.call('COMMAND', 'LIST', 'FOO'), new RespError('ERR syntax error'));
});

test('COMMAND GETKEYS and GETKEYSANDFLAGS with their errors', async () => {
  assert.deepEqual(await c.call('COMMAND', 'GETKEYS', 'set', 'a', 'b'), ['a']);
  assert.deepEqual(await c.call('COMMAND', 'GETKEYS', 'mset', 'a', '1', 'b', '2'), ['a', 'b']);
  assert.deepEqual(await c.call('COMMAND', 'GETKEYSANDFLAGS', 'get', 'k'), [['k', ['RO', 'access']]]);
  assert.deepEqual(await c.call('COMMAND', 'GETKEYS', 'get', 'a', 'b'), new RespError('ERR Invalid number of arguments specified for command'));
  assert.deepEqual(await c.call('COMMAND', 'GETKEYS', 'nosuch', 'a'), new RespError('ERR Invalid command specified'));
  assert.deepEqual(await c.call('COMMAND', 'GETKEYS', 'ping', 'a'), new RespError('ERR The command has no key arguments'));
  assert.deepEqual(await c.call('COMMAND', 'GETKEYS', 'get'), new RespError("ERR wrong number of arguments for 'command|getkeys' command"));
});

test('COMMAND HELP and an unknown subcommand', async () => {
  const help = (await c.call('COMMAND', 'HELP')) as string[];
  assert.equal(help.length, 21);
  assert.equal(help[0], 'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
  assert.deepEqual(await c.call('COMMAND', 'FOO'), new RespError("ERR unknown subcommand 'FOO'. Try COMMAND HELP."));
});

test('ioredis and node-redis connect (INFO ready check, COMMAND DOCS) and work', async () => {
  const io = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true });
  await io.connect();
  assert.equal(await io.set('lib-key', 'v'), 'OK');
  const docs = (await io.call('COMMAND', 'DOCS', 'get')) as unknown[];
  assert.equal(docs[0], 'get');
  io.disconnect();
  const nr = createClient({ socket: { port: srv.port, host: '127.0.0.1' } });
  await nr.connect();
  assert.equal(await nr.get('lib-key'), 'v');
  assert.match(await nr.info('server'), /redis_version:7\.0\.15/);
  await nr.quit();
});
