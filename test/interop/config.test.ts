// Configuration compared with a real redis-server 7.0: the FATAL CONFIG FILE ERROR report for bad
// files and command lines, CONFIG GET * (names and defaults), CONFIG SET replies for good and bad
// values of every parameter, and the file CONFIG REWRITE writes (the appended lines compared as
// a set: Redis appends them in its hash table's random order).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import { startServer, TANDEM_SERVER } from '../helpers/server';
import { RespClient, RespValue } from '../helpers/resp-client';
import { useTandemAndRedis } from '../helpers/use-server';
import { freePort } from '../helpers/ports';
import { tempDir } from '../helpers/temp-dir';

const { tandem: { client: t }, redis: { client: r } } = useTandemAndRedis();

/** The stderr of a server that must refuse to start with these arguments (run in `cwd`). */
function startupError(redisServer: boolean, args: string[], cwd: string): string {
  const cmd = redisServer ? 'redis-server' : process.execPath;
  const argv = redisServer ? args : [TANDEM_SERVER, ...args];
  const res = spawnSync(cmd, argv, { cwd, encoding: 'utf8', timeout: 20000 });
  assert.equal(res.status, 1, `${redisServer ? 'redis-server' : 'tandem-server'} ${args.join(' ')}: ${res.stdout}${res.stderr}`);
  return res.stderr;
}

test('bad config files and command lines: the same FATAL CONFIG FILE ERROR report', () => {
  const dir = tempDir('tandem-interop-conf-');
  const file = (name: string, text: string): string => {
    fs.writeFileSync(path.join(dir, name), text);
    return name;
  };
  const cases: string[][] = [
    [file('quotes.conf', '# comment\n\nport 0\nhz "10\n')],
    [file('unknown.conf', 'port 0\nnosuchdirective yes\n')],
    [file('args.conf', 'hz 1 2\n')],
    [file('range.conf', 'port 0\ndatabases 0\n')],
    [file('memory.conf', 'maxmemory 12zb\n')],
    [file('bool.conf', '  appendonly  sometimes \r\n')],
    [file('enum.conf', 'loglevel loud\n')],
    [file('save.conf', 'save 900\n')],
    [file('obl.conf', 'client-output-buffer-limit pubsub 1 2\n')],
    [file('port.conf', 'replicaof localhost 123456\n')],
    [file('rename.conf', 'rename-command NOSUCHCMD foo\n')],
    [file('deprecated.conf', 'list-max-ziplist-entries 5\nlist-max-ziplist-value 1 2\n')],
    [file('include.conf', `port 0\ninclude ${dir}/quotes.conf\n`)],
    [file('sentinel.conf', 'sentinel monitor m 127.0.0.1 6379 1\n')],
    [file('ok.conf', 'port 0\n'), '--port', '1', '2'],
    [file('ok2.conf', 'port 0\n\n'), '--hz', 'x', '--port', '0'],
    ['--port 70000'],
    ['--port'],
    ['--maxmemory-policy', 'all keys'],
    ['--oom-score-adj-values', '1 2'],
    ['--notify-keyspace-events', 'KEAq'],
    ['--unixsocketperm', '999'],
    ['--dir', path.join(dir, 'missing')],
    ['--hz', '5', 'stray'],
  ];
  for (const args of cases) {
    assert.equal(startupError(false, args, dir), startupError(true, args, dir), args.join(' '));
  }
});

test('CONFIG GET *: the same names and defaults', async () => {
  const [a, b] = await Promise.all([t.call('CONFIG', 'GET', '*'), r.call('CONFIG', 'GET', '*')]);
  const toMap = (v: RespValue): Map<string, string> => {
    const arr = v as string[];
    const m = new Map<string, string>();
    for (let i = 0; i < arr.length; i += 2) m.set(arr[i], arr[i + 1]);
    return m;
  };
  const [tm, rm] = [toMap(a), toMap(b)];
  assert.deepEqual([...tm.keys()].sort(), [...rm.keys()].sort());
  // Per-instance values (ports, dirs, logfile) differ by construction.
  for (const name of ['port', 'dir', 'logfile']) {
    tm.delete(name);
    rm.delete(name);
  }
  assert.deepEqual(new Map([...tm].sort()), new Map([...rm].sort()));
});

test('CONFIG SET of every parameter with good and bad values: the same replies and values', async () => {
  const names = ((await r.call('CONFIG', 'GET', '*')) as string[]).filter((_, i) => i % 2 === 0);
  // These would change what the two servers listen on, who may connect, or where they write.
  const skip = new Set(['port', 'logfile', 'bind', 'requirepass', 'dir', 'tls-port', 'maxclients', 'timeout', 'protected-mode', 'unixsocket']);
  const values = ['abc', '-1', '0', '1', '7', '100', '65536', '1gb', '101%', '5%', '', 'yes', 'No', 'everysec', 'debug', 'KEA', '900 1', 'normal 1mb 1mb 1', 'force now', '1 2 3', '99.9 50'];
  // TLS parameters reconfigure TLS when set (the TLS module's business, see tls-interop).
  const mismatches: string[] = [];
  for (const name of names.filter((n) => !skip.has(n) && !n.startsWith('tls-'))) {
    const before = await r.call('CONFIG', 'GET', name);
    for (const v of values) {
      const [a, b] = await Promise.all([t.call('CONFIG', 'SET', name, v), r.call('CONFIG', 'SET', name, v)]);
      const [ga, gb] = await Promise.all([t.call('CONFIG', 'GET', name), r.call('CONFIG', 'GET', name)]);
      if (!util.isDeepStrictEqual([a, ga], [b, gb])) mismatches.push(`${name} ${JSON.stringify(v)}: ${util.inspect([a, ga], { breakLength: Infinity })} vs ${util.inspect([b, gb], { breakLength: Infinity })}`);
    }
    const value = (before as string[])[1];
    await Promise.all([t.call('CONFIG', 'SET', name, value), r.call('CONFIG', 'SET', name, value)]);
  }
  assert.deepEqual(mismatches, []);
  for (const args of [['hz', '20', 'maxmemory', 'x'], ['hz', '20', 'nosuch', '1'], ['hz', '1', 'hz', '2'], ['daemonize', 'no'], ['dir', '/tmp'], ['hz']]) {
    const [a, b] = await Promise.all([t.call('CONFIG', 'SET', ...args), r.call('CONFIG', 'SET', ...args)]);
    assert.deepEqual(a, b, `CONFIG SET ${args.join(' ')}`);
  }
});

test('DEBUG refused by enable-debug-command, CONFIG HELP and COMMAND INFO CONFIG: the same replies', async () => {
  for (const argv of [['DEBUG', 'SLEEP', '0'], ['DEBUG', 'HELP'], ['CONFIG', 'HELP'], ['CONFIG', 'NOSUCH'], ['CONFIG', 'RESETSTAT'], ['CONFIG', 'GET', 'save']]) {
    const [a, b] = await Promise.all([t.call(...argv), r.call(...argv)]);
    assert.deepEqual(a, b, argv.join(' '));
  }
  // Redis lists subcommands in its hash table's (random) order: compare them sorted by name.
  const info = async (c: RespClient): Promise<RespValue[]> => {
    const entry = ((await c.call('COMMAND', 'INFO', 'CONFIG')) as RespValue[][])[0];
    (entry[9] as RespValue[][]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    return entry;
  };
  assert.deepEqual(await info(t), await info(r));
});

/** Runs a server on a config file holding `text` with `setArgs` applied, returns the rewritten file. */
async function rewriteWith(redisServer: boolean, text: string, setArgs: string[]): Promise<string> {
  const dir = tempDir('tandem-rewrite-');
  const conf = path.join(dir, 'redis.conf');
  fs.writeFileSync(conf, text);
  const s = await startServer({ redis: redisServer, configFile: conf, dir, port: await freePort() });
  try {
    const c = await s.client();
    if (setArgs.length > 0) assert.equal(await c.call('CONFIG', 'SET', ...setArgs), 'OK');
    assert.equal(await c.call('CONFIG', 'REWRITE'), 'OK');
    c.close();
  } finally {
    await s.stop();
  }
  // Paths and ports differ per run; the signature splits what Redis kept from what it appended.
  return fs.readFileSync(conf, 'utf8').split(dir).join('<dir>').replace(/^port \d+$/m, 'port <port>');
}

function splitTail(content: string): { head: string; tail: string[] } {
  const at = content.indexOf('# Generated by CONFIG REWRITE\n');
  if (at < 0) return { head: content, tail: [] };
  return { head: content.slice(0, at), tail: content.slice(at).split('\n').sort() };
}

test('CONFIG REWRITE writes the same file', async () => {
  const cases: Array<[string, string[]]> = [
    ['', ['hz', '20']],
    ['# comment\n   # indented\nhz 10\n\n\n\nmaxmemory 1mb\nsave 10 1\nsave 20 2\nhz 30\nslaveof no one\n', ['maxmemory', '2gb', 'save', '5 5']],
    ['masterauth ""\nlist-max-ziplist-entries 5\nrename-command KEYS ""\nclient-output-buffer-limit normal 0 0 0\n', ['client-output-buffer-limit', 'replica 1gb 1mb 10 pubsub 0 0 0']],
    ['maxmemory-clients 5%\nunixsocketperm 700\nnotify-keyspace-events KEA\n', ['shutdown-on-sigterm', 'now force', 'oom-score-adj-values', '1 2 3', 'latency-tracking-info-percentiles', '']],
    ['appendonly no\n# Generated by CONFIG REWRITE\nhz 12\n', ['appendonly', 'no', 'loglevel', 'warning', 'masteruser', 'u', 'masterauth', 'p"w']],
  ];
  for (const [text, setArgs] of cases) {
    const [a, b] = await Promise.all([rewriteWith(false, text, setArgs), rewriteWith(true, text, setArgs)]);
    const [ta, tb] = [splitTail(a), splitTail(b)];
    assert.equal(ta.head, tb.head, `kept part for ${JSON.stringify(text)}`);
    assert.deepEqual(ta.tail, tb.tail, `appended part for ${JSON.stringify(text)}`);
  }
});
