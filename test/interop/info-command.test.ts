// Tandem against a real redis-server 7.0, side by side: INFO field names and order per section,
// the CLIENT LIST line layout, COMMAND INFO/DOCS of the server-admin commands, DEBUG DIGEST of
// the same data, and byte-identical replies (including errors) for a list of admin commands
// (MEMORY and LOLWUT among them).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RespClient, RespValue } from '../helpers/resp-client';
import { useTandemAndRedis } from '../helpers/use-server';
import { waitFor } from '../helpers/wait';

const { tandem: { server: tandem, client: t }, redis: { server: redis, client: r } } = useTandemAndRedis(['--enable-debug-command', 'yes']);

/** Runs the same command on both servers. */
async function both(...argv: string[]): Promise<[RespValue, RespValue]> {
  return Promise.all([t.call(...argv), r.call(...argv)]);
}

function fieldNames(section: string): string[] {
  return section
    .split('\r\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.slice(0, l.indexOf(':')));
}

test('INFO prints the same sections, and the same fields in the same order, as Redis', async () => {
  const [ti, ri] = (await both('INFO', 'everything')) as [string, string];
  const titles = (s: string): string[] => s.split('\r\n').filter((l) => l.startsWith('# '));
  assert.deepEqual(titles(ti), titles(ri));
  for (const section of ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'cluster']) {
    const [ts, rs] = (await both('INFO', section)) as [string, string];
    const tandemFields = fieldNames(ts).filter((f) => f !== 'tandem_version');
    assert.deepEqual(tandemFields, fieldNames(rs), section);
  }
});

test('CLIENT LIST and CLIENT INFO lines have Redis\'s fields in Redis\'s order', async () => {
  const [tl, rl] = (await both('CLIENT', 'INFO')) as [string, string];
  const keys = (line: string): string[] => line.trimEnd().split(' ').map((kv) => kv.slice(0, kv.indexOf('=')));
  assert.deepEqual(keys(tl), keys(rl));
  assert.ok(tl.endsWith('\n') && rl.endsWith('\n'));
  // The same session state shows as the same values.
  const [tc, rc] = await Promise.all([tandem.client(), redis.client()]);
  for (const argv of [['CLIENT', 'SETNAME', 'probe'], ['SELECT', '3'], ['CLIENT', 'NO-EVICT', 'on']]) await Promise.all([tc.call(...argv), rc.call(...argv)]);
  const STATE = ['name', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi', 'obl', 'oll', 'omem', 'events', 'cmd', 'user', 'redir', 'resp'];
  const state = (line: string): string[] => line.trimEnd().split(' ').filter((kv) => STATE.includes(kv.slice(0, kv.indexOf('='))));
  const [ts, rs] = (await Promise.all([tc.call('CLIENT', 'INFO'), rc.call('CLIENT', 'INFO')])) as [string, string];
  assert.deepEqual(state(ts), state(rs));
  tc.close();
  rc.close();
});

const ADMIN_COMMANDS = ['info', 'client', 'command', 'debug', 'monitor', 'slowlog', 'latency', 'time', 'shutdown', 'memory', 'lolwut'];

/** Subcommands Redis has that Tandem leaves out: client-side caching is not implemented. */
const NOT_IMPLEMENTED = new Set(['client|tracking', 'client|caching']);

test('COMMAND INFO of the admin commands equals Redis\'s, subcommands included', async () => {
  const [ti, ri] = (await both('COMMAND', 'INFO', ...ADMIN_COMMANDS)) as [RespValue[][], RespValue[][]];
  const compare = (te: RespValue[], re: RespValue[]): void => {
    assert.deepEqual(te.slice(0, 9), re.slice(0, 9), String(re[0]));
    const subsOf = (e: RespValue[]) => new Map((e[9] as RespValue[][]).map((s) => [s[0] as string, s]));
    const tSubs = subsOf(te);
    const rSubs = subsOf(re);
    assert.deepEqual([...tSubs.keys()].sort(), [...rSubs.keys()].filter((n) => !NOT_IMPLEMENTED.has(n)).sort());
    for (const [name, sub] of tSubs) compare(sub, rSubs.get(name)!);
  };
  for (let i = 0; i < ADMIN_COMMANDS.length; i++) compare(ti[i], ri[i]);
});

test('COMMAND DOCS of the admin commands: same summary, since, group and complexity', async () => {
  const [td, rd] = (await both('COMMAND', 'DOCS', ...ADMIN_COMMANDS)) as [RespValue[], RespValue[]];
  const DOC_FIELDS = ['summary', 'since', 'group', 'complexity'];
  const docMap = (flat: RespValue[]): Map<string, RespValue[]> => {
    const m = new Map<string, RespValue[]>();
    for (let i = 0; i < flat.length; i += 2) m.set(flat[i] as string, flat[i + 1] as RespValue[]);
    return m;
  };
  const compare = (name: string, te: RespValue[], re: RespValue[]): void => {
    const tm = docMap(te);
    const rm = docMap(re);
    for (const f of DOC_FIELDS) assert.deepEqual(tm.get(f), rm.get(f), `${name} ${f}`);
    const rSubs = docMap((rm.get('subcommands') as RespValue[] | undefined) ?? []);
    const tSubs = docMap((tm.get('subcommands') as RespValue[] | undefined) ?? []);
    for (const [sub, doc] of rSubs) if (!NOT_IMPLEMENTED.has(sub)) compare(sub, tSubs.get(sub)!, doc);
  };
  const tAll = docMap(td);
  for (const [name, doc] of docMap(rd)) compare(name, tAll.get(name)!, doc);
});

test('DEBUG DIGEST and DIGEST-VALUE agree with Redis on the same data', async () => {
  const script: string[][] = [
    ['FLUSHALL'],
    ['SET', 'plain', 'hello'],
    ['SET', 'number', '12345'],
    ['SET', 'binary', 'a\x00\xff\r\n'],
    ['SET', 'ttl', 'soon', 'PX', '100000000'],
    ['RPUSH', 'list', 'a', 'b', '3', 'a'],
    ['HSET', 'hash', 'f1', 'v1', 'f2', '2'],
    ['SADD', 'intset', '1', '2', '3'],
    ['SADD', 'strset', 'x', 'y', '1'],
    ['ZADD', 'zset', '1', 'a', '2.5', 'b', '-3', 'c', '1e20', 'd', '0.1', 'e', 'inf', 'f'],
    ['SELECT', '5'],
    ['SET', 'other-db', 'v'],
    ['SELECT', '0'],
    ['DEBUG', 'POPULATE', '100', 'pop', '20'],
  ];
  for (const argv of script) {
    const [tr, rr] = await both(...argv);
    assert.deepEqual(tr, rr, argv.join(' '));
  }
  const [td, rd] = await both('DEBUG', 'DIGEST');
  assert.match(rd as string, /^[0-9a-f]{40}$/);
  assert.notEqual(rd, '0'.repeat(40));
  assert.equal(td, rd);
  const keys = ['plain', 'number', 'binary', 'ttl', 'list', 'hash', 'intset', 'strset', 'zset', 'pop:7', 'missing'];
  assert.deepEqual(...(await both('DEBUG', 'DIGEST-VALUE', ...keys)));
});

test('admin commands reply byte for byte as Redis does, errors included', async () => {
  const cases: string[][] = [
    ['CLIENT', 'GETNAME'],
    ['CLIENT', 'SETNAME', 'bad name'],
    ['CLIENT', 'SETNAME', 'good'],
    ['CLIENT', 'GETNAME'],
    ['CLIENT', 'KILL', '1.2.3.4:5'],
    ['CLIENT', 'KILL', 'ID', '0'],
    ['CLIENT', 'KILL', 'ID', '99999'],
    ['CLIENT', 'KILL', 'TYPE', 'nope'],
    ['CLIENT', 'KILL', 'USER', 'nobody'],
    ['CLIENT', 'KILL', 'ID'],
    ['CLIENT', 'LIST', 'TYPE', 'bogus'],
    ['CLIENT', 'LIST', 'ID', 'x'],
    ['CLIENT', 'LIST', 'TYPE', 'master'],
    ['CLIENT', 'PAUSE', '-1'],
    ['CLIENT', 'PAUSE', 'x'],
    ['CLIENT', 'PAUSE', '10', 'SOME'],
    ['CLIENT', 'REPLY', 'MAYBE'],
    ['CLIENT', 'NO-EVICT', 'maybe'],
    ['CLIENT', 'UNBLOCK', 'x'],
    ['CLIENT', 'UNBLOCK', '99999'],
    ['CLIENT', 'UNBLOCK', '1', 'LATER'],
    ['CLIENT', 'TRACKINGINFO'],
    ['CLIENT', 'GETREDIR'],
    ['CLIENT', 'HELP'],
    ['CLIENT', 'NOPE'],
    ['CLIENT'],
    ['COMMAND', 'HELP'],
    ['COMMAND', 'FOO'],
    ['COMMAND', 'GETKEYS', 'get'],
    ['COMMAND', 'GETKEYS', 'get', 'a', 'b'],
    ['COMMAND', 'GETKEYS', 'nosuch', 'a'],
    ['COMMAND', 'GETKEYS', 'ping', 'a'],
    ['COMMAND', 'GETKEYS', 'set', 'a', 'b'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'get', 'k'],
    ['COMMAND', 'LIST', 'FILTERBY', 'FOO', 'x'],
    ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x'],
    ['COMMAND', 'INFO', 'nosuch'],
    ['COMMAND', 'DOCS', 'nosuch'],
    ['DEBUG', 'foo'],
    ['DEBUG', 'DIGEST', 'x'],
    ['DEBUG', 'POPULATE', '-1'],
    ['DEBUG', 'OBJECT', 'nosuch'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', 'x'],
    ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    ['DEBUG', 'SLEEP', '0'],
    ['SLOWLOG', 'GET', '-2'],
    ['SLOWLOG', 'GET', 'x'],
    ['SLOWLOG', 'HELP'],
    ['SLOWLOG', 'RESET'],
    ['LATENCY', 'LATEST'],
    ['LATENCY', 'HISTORY', 'command'],
    ['LATENCY', 'RESET'],
    ['LATENCY', 'DOCTOR'],
    ['LATENCY', 'GRAPH', 'command'],
    ['LATENCY', 'HELP'],
    ['SHUTDOWN', 'ABORT'],
    ['SHUTDOWN', 'SAVE', 'NOSAVE'],
    ['SHUTDOWN', 'NOW', 'ABORT'],
    ['SHUTDOWN', 'LATER'],
    ['INFO', 'nosuchsection'],
    ['TIME', 'x'],
    ['MEMORY', 'HELP'],
    ['MEMORY', 'nosuch'],
    ['MEMORY', 'USAGE', 'nosuch'],
    ['MEMORY', 'USAGE', 'nosuch', 'SAMPLES', '-1'],
    ['MEMORY', 'USAGE', 'nosuch', 'SAMPLES', 'x'],
    ['MEMORY', 'USAGE', 'nosuch', 'SAMPLES'],
    ['MEMORY', 'USAGE', 'nosuch', 'bad'],
    ['MEMORY', 'STATS', 'x'],
    ['MEMORY', 'PURGE'],
    ['LOLWUT'],
    ['LOLWUT', 'VERSION', '7'],
    ['LOLWUT', 'VERSION', 'x'],
    ['LOLWUT', 'VERSION'],
    ['LOLWUT', 'foo'],
  ];
  for (const argv of cases) {
    const [tr, rr] = await both(...argv);
    assert.deepEqual(tr, rr, argv.join(' '));
  }
  // Redis lists in hash-table order (the reply is tipped nondeterministic_output_order).
  const [tl, rl] = (await both('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'slowlog*')) as [string[], string[]];
  assert.deepEqual(tl.sort(), rl.sort());
});

/** Sends raw commands followed by a PING and returns every byte replied before its PONG. */
async function rawReplies(client: RespClient, commands: string): Promise<string> {
  client.writeRaw(commands + 'PING\r\n');
  let got = '';
  await waitFor('the replies', () => (got += client.takeRawBuffered().toString('latin1')).endsWith('+PONG\r\n'));
  return got.slice(0, -'+PONG\r\n'.length);
}

test('DEBUG PROTOCOL and DEBUG ERROR send the bytes Redis sends, in RESP2 and RESP3', async () => {
  const types = ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'push', 'verbatim', 'true', 'false', 'nosuch'];
  const commands = types.map((type) => `DEBUG PROTOCOL ${type}\r\n`).join('') + 'DEBUG ERROR "foo bar"\r\n';
  const [tc, rc] = await Promise.all([tandem.client(), redis.client()]);
  assert.equal(await rawReplies(tc, commands), await rawReplies(rc, commands));
  await Promise.all([tc.call('HELLO', '3'), rc.call('HELLO', '3')]);
  assert.equal(await rawReplies(tc, commands), await rawReplies(rc, commands));
  tc.close();
  rc.close();
});

test('SLOWLOG and MONITOR redact secrets exactly where Redis does', async () => {
  const secrets: string[][] = [
    ['AUTH', 'secret'],
    ['AUTH', 'someone', 'secret'],
    ['HELLO', '2', 'AUTH', 'default', 'secret', 'SETNAME', 'n'],
    ['CONFIG', 'SET', 'masterauth', 'secret', 'maxmemory-policy', 'noeviction'],
    ['ACL', 'SETUSER', 'bob', '>secret', 'on'],
    ['ACL', 'DELUSER', 'bob'],
    ['CONFIG', 'SET', 'masterauth', ''],
  ];
  const [tm, rm] = await Promise.all([tandem.client(), redis.client()]);
  await Promise.all([tm.call('MONITOR'), rm.call('MONITOR')]);
  await both('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
  await both('SLOWLOG', 'RESET');
  for (const argv of secrets) await both(...argv);
  const logged = async (client: RespClient): Promise<RespValue[]> => ((await client.call('SLOWLOG', 'GET', '-1')) as RespValue[][]).map((e) => e[3]).reverse();
  assert.deepEqual(await logged(t), await logged(r));
  await both('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
  // MONITOR shows the non-admin ones (AUTH, HELLO); strip the timestamp and client address.
  const fed = async (client: RespClient): Promise<string[]> => {
    const lines: string[] = [];
    for (let i = 0; i < 3; i++) lines.push(((await client.read()) as string).replace(/^\S+ \[\d+ [^\]]+\] /, ''));
    return lines;
  };
  const [tf, rf] = await Promise.all([fed(tm), fed(rm)]);
  assert.deepEqual(tf, rf);
  assert.ok(tf.every((l) => !l.includes('secret')), tf.join('\n'));
  tm.close();
  rm.close();
});

test('MEMORY STATS has Redis\'s fields in Redis\'s order; MEMORY USAGE and DOCTOR answer in the same shapes', async () => {
  await both('FLUSHALL');
  await both('SET', 'k', 'v');
  await both('SELECT', '2');
  await both('SET', 'k2', 'v');
  await both('SELECT', '0');
  const names = (flat: RespValue[]): RespValue[] => flat.filter((_, i) => i % 2 === 0);
  const [ts, rs] = (await both('MEMORY', 'STATS')) as [RespValue[], RespValue[]];
  assert.deepEqual(names(ts), names(rs));
  const db0 = (flat: RespValue[]) => names(flat[flat.indexOf('db.0') + 1] as RespValue[]);
  assert.deepEqual(db0(ts), db0(rs));
  const [tu, ru] = await both('MEMORY', 'USAGE', 'k', 'SAMPLES', '0');
  assert.equal(typeof tu, typeof ru);
  const [td, rd] = (await both('MEMORY', 'DOCTOR')) as [string, string];
  assert.match(td, /^Hi Sam, /);
  assert.match(rd, /^Hi Sam, /);
  await both('FLUSHALL');
});
