// redis.conf and command-line loading (line numbers, quoting, includes, FATAL CONFIG FILE ERROR
// reports as redis-server 7.0.15 prints them), every stock and seed config file, and the text
// CONFIG REWRITE produces (expected outputs taken from real redis-server rewrites).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Config } from '../../src/config/config';
import { ConfigAbortError, ConfigFileError, loadConfigText, loadServerConfig, parseCommandLine } from '../../src/config/config-file';
import { rewriteConfigText } from '../../src/config/config-rewrite';
import { REPO_ROOT } from '../helpers/server';
import { tempDir } from '../helpers/temp-dir';

const SEED_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'seed-configs');
const STOCK_CONF = '/etc/redis/redis.conf';

/** Loads a command line into a fresh Config; returns it or the FATAL report / open error. */
function load(args: string[], opts = {}): Config | string {
  const config = new Config();
  const cwd = process.cwd();
  try {
    loadServerConfig(config, parseCommandLine(args), opts);
    return config;
  } catch (e) {
    if (e instanceof ConfigFileError) return e.report;
    if (e instanceof ConfigAbortError) return e.message;
    throw e;
  } finally {
    process.chdir(cwd);
  }
}

function fatal(lineNo: number, line: string, reason: string): string {
  return `\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line ${lineNo}\n>>> '${line}'\n${reason}\n`;
}

function tmpFile(name: string, text: string): string {
  const dir = tempDir('tandem-conf-');
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function seedConfigs(): string[] {
  return fs
    .readdirSync(SEED_DIR)
    .filter((d) => fs.statSync(path.join(SEED_DIR, d)).isDirectory())
    .flatMap((d) => fs.readdirSync(path.join(SEED_DIR, d)).filter((f) => f.endsWith('.conf')).map((f) => path.join(SEED_DIR, d, f)));
}

test("Debian's stock redis.conf loads with its values", () => {
  const c = load([STOCK_CONF]);
  assert.ok(c instanceof Config, String(c));
  assert.equal(c.getText('bind'), '127.0.0.1 -::1');
  assert.equal(c.str('logfile'), '/var/log/redis/redis-server.log');
  assert.equal(c.getText('save'), '3600 1 300 100 60 10000');
  assert.equal(c.file, STOCK_CONF);
});

test('every seed config loads (with --sentinel for the sentinel one) except where redis-server fails too', () => {
  const seeds = seedConfigs();
  assert.ok(seeds.length >= 10, `found ${seeds.length} seed configs`);
  for (const file of seeds) {
    const sentinel = file.endsWith('sentinel.conf');
    const c = load([file, ...(sentinel ? ['--sentinel'] : [])]);
    if (file.endsWith('tutorial-replica/replica.conf')) {
      // `dir /data00/data/redis/` does not exist here: redis-server 7.0.15 stops at that line too.
      assert.equal(c, fatal(9, 'dir /data00/data/redis/', 'No such file or directory'));
      continue;
    }
    assert.ok(c instanceof Config, `${file}: ${String(c)}`);
    if (sentinel) assert.deepEqual(c.sentinel, [['monitor', 'mymaster', '127.0.0.1', '6379', '1']]);
  }
  const slave = load([path.join(SEED_DIR, 'tutorial-acl/slave_2-writable.conf')]) as Config;
  assert.equal(slave.str('replicaof'), '127.0.0.1 6379');
  assert.equal(slave.bool('replica-read-only'), false);
  assert.equal(slave.str('masterauth'), 'master_password');
  assert.deepEqual(slave.users[1], ['slave_2_user', 'on', '>slave_2_password', '~*', '&*', '+@all']);
  const docker = load([path.join(SEED_DIR, 'tutorial-docker/redis-master.conf')]) as Config;
  assert.deepEqual(docker.renames, [['KEYS', '']]);
  assert.equal(load([path.join(SEED_DIR, 'tutorial-sentinel/sentinel.conf')]), fatal(3, 'sentinel monitor mymaster 127.0.0.1 6379 1', 'sentinel directive while not in sentinel mode'));
});

test('command-line options become quoted config lines numbered after the file', () => {
  assert.equal(load(['--port', '1', '2']), fatal(2, 'port "1" "2"', 'wrong number of arguments'));
  assert.equal(load(['--port']), fatal(2, 'port', 'wrong number of arguments'));
  assert.equal(load(['--foo', 'bar']), fatal(2, 'foo "bar"', 'Bad directive or wrong number of arguments'));
  assert.equal(load(['--unixsocketperm', '999']), fatal(2, 'unixsocketperm "999"', "argument couldn't be parsed as an octal number"));
  assert.equal(load(['--hz', '5', '--maxmemory', 'a b\n']), fatal(3, 'maxmemory "a b\\n"', 'argument must be a memory value'));
  const file = tmpFile('three.conf', '# a comment\nport 7000\n\n');
  assert.equal(load([file, '--port 70000']), fatal(5, 'port 70000', 'argument must be between 0 and 65535 inclusive'));
  const ok = load([file, '--replicaof', '127.0.0.1', '6379', '--save', '--appendonly', 'yes']) as Config;
  assert.equal(ok.str('replicaof'), '127.0.0.1 6379');
  assert.equal(ok.getText('save'), '');
  assert.equal(ok.bool('appendonly'), true);
  assert.equal((load(['--save', '900 1', '--save', '100 2']) as Config).getText('save'), '900 1 100 2');
  assert.equal(load(['/nonexistent/redis.conf']), "Fatal error, can't open config file '/nonexistent/redis.conf': No such file or directory");
  assert.equal(load(['--foo.bar', '1']), 'Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting');
  assert.match(String(load(['--loadmodule', '/x.so'])), /^Module \/x.so failed to load: .*\nCan't load module from \/x.so: server aborting$/);
});

test('bad lines report Redis reasons with the line as written', () => {
  const cases: Array<[string, number, string, string]> = [
    ['port 1\n  hz "10\n', 2, 'hz "10', 'Unbalanced quotes in configuration line'],
    ['hz 1 2\n', 1, 'hz 1 2', 'wrong number of arguments'],
    ['nosuchthing yes\n', 1, 'nosuchthing yes', 'Bad directive or wrong number of arguments'],
    ['list-max-ziplist-entries 5\nlist-max-ziplist-value 3 4\n', 2, 'list-max-ziplist-value 3 4', 'Bad directive or wrong number of arguments'],
    ['foo.bar\n', 1, 'foo.bar', 'Module config specified without value'],
    ['save 900\n', 1, 'save 900', 'Invalid save parameters'],
    ['replicaof 127.0.0.1 99999\n', 1, 'replicaof 127.0.0.1 99999', 'Invalid master port'],
    ['appendfilename ""\n', 1, 'appendfilename ""', "appendfilename can't be empty"],
    ['rename-command FOO bar\n', 1, 'rename-command FOO bar', 'No such command in rename-command'],
    ['rename-command get ""\nrename-command get x\n', 2, 'rename-command get x', 'No such command in rename-command'],
    ['rename-command get set\n', 1, 'rename-command get set', 'Target command name already exists'],
    ['\tMAXMEMORY-POLICY  lru\r\n', 1, 'MAXMEMORY-POLICY  lru', 'argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction'],
  ];
  for (const [text, lineNo, line, reason] of cases) {
    const c = new Config();
    assert.throws(
      () => loadConfigText(c, text, { commandNames: ['get', 'set', 'keys'] }),
      (e: unknown) => e instanceof ConfigFileError && e.report === fatal(lineNo, line, reason),
      JSON.stringify(text),
    );
  }
});

test('include reads files and wildcards relative to the current directory, with their own line numbers', () => {
  const dir = tempDir('tandem-inc-');
  fs.mkdirSync(path.join(dir, 'conf.d'));
  fs.writeFileSync(path.join(dir, 'conf.d', 'a.conf'), 'hz 20\n');
  fs.writeFileSync(path.join(dir, 'conf.d', 'b.conf'), 'maxmemory 1mb\n');
  fs.writeFileSync(path.join(dir, 'bad.conf'), '\n\nhz x\n');
  const main = path.join(dir, 'main.conf');
  fs.writeFileSync(main, `include ${dir}/conf.d/*.conf\ninclude ${dir}/empty.d/*.conf\nport 7001\n`);
  const c = load([main]) as Config;
  assert.equal(c.int('hz'), 20);
  assert.equal(c.int('maxmemory'), 1048576);
  assert.equal(c.int('port'), 7001);
  fs.writeFileSync(main, `include ${dir}/bad.conf\n`);
  assert.equal(load([main]), fatal(3, 'hz x', "argument couldn't be parsed into an integer"));
  fs.writeFileSync(main, `include ${dir}/missing.conf\n`);
  assert.equal(load([main]), `Fatal error, can't open config file '${dir}/missing.conf': No such file or directory`);
});

/** Loads `text` as the config file, applies runtime changes, and returns the rewritten text. */
function rewrite(text: string, changes: Array<[string, string]> = [], users = ['user default on nopass ~* &* +@all']): string {
  const c = new Config();
  loadConfigText(c, text);
  for (const [name, value] of changes) c.set(name, [value], 'runtime');
  return rewriteConfigText(c, text, users);
}

test('CONFIG REWRITE keeps the file, rewrites lines in place and appends the rest as Redis does', () => {
  const cwd = `dir ${JSON.stringify(process.cwd())}`;
  const defaultTail = ['save 3600 1', 'save 300 100', 'save 60 10000', 'latency-tracking-info-percentiles 50 99 99.9', 'user default on nopass ~* &* +@all'];
  // An empty file: only the lines Redis always writes, under the signature.
  const fromEmpty = rewrite('', [['hz', '20']]).split('\n');
  assert.equal(fromEmpty[0], '# Generated by CONFIG REWRITE');
  assert.deepEqual(new Set(fromEmpty.slice(1, -1)), new Set([cwd, 'hz 20', ...defaultTail]));

  // Comments kept (trimmed), duplicates and unset values blanked, blank runs squeezed,
  // aliases renamed, unknown lines commented out, include/rename-command untouched.
  const old = [
    '# My config',
    '   # indented comment',
    'hz 10',
    'maxmemory 1mb',
    'slaveof 127.0.0.1 1',
    'bind 127.0.0.1',
    'save 1 1',
    'save 2 2',
    'hz 30',
    'rename-command KEYS ""',
    'list-max-ziplist-entries 5',
    'masterauth ""',
    'client-output-buffer-limit normal 0 0 0',
    'latency-tracking-info-percentiles 50',
    'user default on nopass ~* &* +@all',
    '# Generated by CONFIG REWRITE',
    '',
  ].join('\n');
  const out = rewrite(old, [['maxmemory', '0'], ['bind', '* -::*'], ['client-output-buffer-limit', 'replica 1gb 1 1'], ['notify-keyspace-events', 'KEA']]);
  const expectedHead = [
    '# My config',
    '# indented comment',
    'hz 30',
    'maxmemory 0',
    'replicaof 127.0.0.1 1',
    '',
    'save 1 1',
    'save 2 2',
    '',
    'rename-command KEYS ""',
    '# ??? list-max-ziplist-entries 5',
    '',
    'client-output-buffer-limit normal 0 0 0',
    'latency-tracking-info-percentiles 50',
    'user default on nopass ~* &* +@all',
    '# Generated by CONFIG REWRITE',
    '',
  ];
  const lines = out.split('\n');
  assert.deepEqual(lines.slice(0, expectedHead.length), expectedHead);
  assert.deepEqual(new Set(lines.slice(expectedHead.length, -1)), new Set([cwd, 'client-output-buffer-limit replica 1gb 1 1', 'notify-keyspace-events "AKE"']));
  // As redis-server does, the next rewrite adds one blank line at the end, then nothing changes.
  const again = rewrite(out);
  assert.equal(again, out + '\n');
  assert.equal(rewrite(again), again);
});

test('CONFIG REWRITE formats each kind as Redis writes it', () => {
  const text = [
    'bind 127.0.0.1',
    'requirepass foo',
    'maxmemory-clients 5%',
    'notify-keyspace-events KEA',
    'shutdown-on-sigint force now',
    'unixsocketperm 700',
    'maxmemory 3gb',
    'repl-backlog-size 1025',
    'oom-score-adj-values 1 2 3',
    'logfile x',
    'enable-debug-command local',
    '',
  ].join('\n');
  const out = rewrite(text, [], []).split('\n');
  assert.deepEqual(out.slice(0, 12), [
    'bind 127.0.0.1',
    'requirepass "foo"',
    'maxmemory-clients 5%',
    'notify-keyspace-events "AKE"',
    'shutdown-on-sigint now force',
    'unixsocketperm 700',
    'maxmemory 3gb',
    'repl-backlog-size 1025',
    'oom-score-adj-values 1 2 3',
    'logfile "x"',
    'enable-debug-command local',
    '',
  ]);
});
