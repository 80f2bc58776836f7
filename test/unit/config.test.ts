// Config values: parsing and range checks with Redis 7.0's reason texts (read off a real
// redis-server 7.0.15), canonical CONFIG GET texts, and atomic multi-parameter sets with rollback.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Config, ConfigError, formatMemory, memtoull } from '../../src/config/config';
import { tempDir } from '../helpers/temp-dir';

/** The reason CONFIG SET gives for `name value`, or 'OK'. */
function runtimeSet(config: Config, name: string, value: string): string {
  try {
    config.set(name, [value], 'runtime');
    return 'OK';
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
}

test('integer and memory ranges give Redis 7.0 reasons', () => {
  const c = new Config();
  const cases: Array<[string, string, string]> = [
    ['port', '65536', 'argument must be between 0 and 65535 inclusive'],
    ['hz', '-1', 'argument must be between 0 and 2147483647 inclusive'],
    ['maxclients', '0', 'argument must be between 1 and 4294967295 inclusive'],
    ['timeout', 'abc', "argument couldn't be parsed into an integer"],
    ['repl-timeout', '0', 'argument must be between 1 and 2147483647 inclusive'],
    ['min-replicas-to-write', '-1', 'argument must be between 0 and 2147483647 inclusive'],
    ['list-max-listpack-size', '-9223372036854775808', 'argument must be between -2147483648 and 2147483647 inclusive'],
    ['active-defrag-cycle-max', '100', 'argument must be between 1 and 99 inclusive'],
    ['slowlog-log-slower-than', '-2', 'argument must be between -1 and 9223372036854775807 inclusive'],
    ['hash-max-listpack-entries', '99999999999999999999', "argument couldn't be parsed into an integer"],
    ['proto-max-bulk-len', '1kb', 'argument must be between 1048576 and 9223372036854775807 inclusive'],
    ['repl-backlog-size', '', 'argument must be between 1 and 9223372036854775807 inclusive'],
    ['zset-max-listpack-value', '99999999999999999999', 'argument must be between 0 and 9223372036854775807 inclusive'],
    ['maxmemory', '1x', 'argument must be a memory value'],
    ['maxmemory', '-1', 'argument must be a memory value'],
    ['maxmemory-clients', '101%', 'percentage argument must be less or equal to 100'],
    ['maxmemory-clients', '-5%', 'argument must be a memory or percent value'],
    ['appendonly', 'maybe', "argument must be 'yes' or 'no'"],
    ['appendfsync', 'sometimes', 'argument(s) must be one of the following: everysec, always, no'],
    ['tls-auth-clients', 'x', 'argument(s) must be one of the following: no, yes, optional'],
    ['loglevel', 'nothing', 'argument(s) must be one of the following: debug, verbose, notice, warning'],
    ['shutdown-on-sigint', '', 'argument(s) must be one of the following: default, save, nosave, now, force'],
    ['save', '0 1', 'Invalid save parameters'],
    ['save', '10  5', 'Invalid save parameters'],
    ['notify-keyspace-events', 'KEAq', "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."],
    ['client-output-buffer-limit', 'master 0 0 0', 'Invalid client class specified in buffer limit configuration.'],
    ['client-output-buffer-limit', 'normal -1 0 0', 'Error in hard, soft or soft_seconds setting in buffer limit configuration.'],
    ['client-output-buffer-limit', 'normal 0 0', 'Wrong number of arguments in buffer limit configuration.'],
    ['oom-score-adj-values', '1 2', 'wrong number of arguments'],
    ['oom-score-adj-values', '1 2 3000', 'Invalid oom-score-adj-values, elements must be between -2000 and 2000.'],
    ['latency-tracking-info-percentiles', 'abc', 'Invalid latency-tracking-info-percentiles parameters'],
    ['latency-tracking-info-percentiles', '101', 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]'],
    ['dbfilename', 'a/b', "dbfilename can't be a path, just a filename"],
    ['proc-title-template', '{bogus}', 'template format is invalid or contains unknown variables'],
    ['cluster-announce-hostname', 'a b', 'Hostnames may only contain alphanumeric characters, hyphens or dots'],
    ['daemonize', 'yes', "can't set immutable config"],
    ['replicaof', '127.0.0.1 6379', "can't set immutable config"],
  ];
  for (const [name, value, reason] of cases) assert.equal(runtimeSet(c, name, value), reason, `${name} ${JSON.stringify(value)}`);
});

test('values are stored in the form CONFIG GET shows', () => {
  const c = new Config();
  const cases: Array<[string, string, string]> = [
    ['maxmemory', '1gb', '1073741824'],
    ['maxmemory', '2K', '2000'],
    ['maxmemory-clients', '5%', '5%'],
    ['maxmemory-policy', 'Allkeys-LRU', 'allkeys-lru'],
    ['appendonly', 'YES', 'yes'],
    ['notify-keyspace-events', 'KEA', 'AKE'],
    ['notify-keyspace-events', 'nKE$x', '$xnKE'],
    ['notify-keyspace-events', 'An', 'A'],
    ['shutdown-on-sigint', 'force now', 'now force'],
    ['shutdown-on-sigint', 'default save', 'save'],
    ['save', '+10 5', '10 5'],
    ['save', '', ''],
    ['latency-tracking-info-percentiles', '99.999999 0.123456789 1e1 +5', '99.999999 0.123457 10 5'],
    ['client-output-buffer-limit', 'normal 1mb 2k 3 replica 1gb 1g 100', 'normal 1048576 2000 3 slave 1073741824 1000000000 100 pubsub 33554432 8388608 60'],
    ['slave-read-only', 'no', 'no'],
  ];
  for (const [name, value, shown] of cases) {
    assert.equal(runtimeSet(c, name, value), 'OK', name);
    assert.equal(c.getText(name), shown, name);
  }
  assert.equal(c.bool('replica-read-only'), false);
  assert.deepEqual(c.outputBufferLimit('slave'), { hard: 1073741824, soft: 1000000000, softSeconds: 100 });
});

test('config file lines: save lines accumulate and the first replaces the default', () => {
  const c = new Config();
  c.set('save', ['900', '1'], 'file');
  c.set('save', ['300', '10'], 'file');
  assert.equal(c.getText('save'), '900 1 300 10');
  const off = new Config();
  off.set('save', [''], 'file');
  assert.equal(off.getText('save'), '');
  assert.equal(new Config().getText('save'), '3600 1 300 100 60 10000');
});

test('memory parsing and formatting follow memtoull and the rewrite format', () => {
  assert.equal(memtoull('1GB'), 1073741824n);
  assert.equal(memtoull(''), 0n);
  assert.equal(memtoull('1.5mb'), null);
  assert.equal(formatMemory(3 * 1024 * 1024 * 1024), '3gb');
  assert.equal(formatMemory(64 * 1024 * 1024), '64mb');
  assert.equal(formatMemory(1025), '1025');
  assert.equal(formatMemory(0), '0');
});

test('a multi-parameter set is atomic: a bad value or a refusing watcher restores everything', () => {
  const c = new Config();
  const hz = c.def('hz')!;
  const maxmemory = c.def('maxmemory')!;
  const timeout = c.def('timeout')!;
  assert.deepEqual(c.setAtomically([{ def: hz, value: '50' }, { def: maxmemory, value: '1x' }]), {
    name: 'maxmemory',
    reason: 'argument must be a memory value',
    applyFailed: false,
  });
  assert.equal(c.getText('hz'), '10');

  const seen: number[] = [];
  c.watch('hz', (v) => void seen.push(v as number));
  c.watch('timeout', (v) => (v === 7 ? 'refused by watcher' : undefined));
  assert.deepEqual(c.setAtomically([{ def: hz, value: '50' }, { def: timeout, value: '7' }]), {
    name: 'timeout',
    reason: 'refused by watcher',
    applyFailed: true,
  });
  assert.equal(c.getText('hz'), '10');
  assert.equal(c.getText('timeout'), '0');
  assert.deepEqual(seen, [50, 10], 'the watcher saw the new value, then the restored one');

  assert.equal(c.setAtomically([{ def: hz, value: '50' }, { def: timeout, value: '8' }]), null);
  assert.equal(c.int('hz'), 50);
  assert.equal(c.int('timeout'), 8);
});

test('dir changes the working directory as it is set, and CONFIG GET dir shows it', () => {
  const cwd = process.cwd();
  const tmp = tempDir('tandem-config-');
  try {
    const c = new Config();
    assert.equal(runtimeSet(c, 'dir', tmp), 'OK');
    assert.equal(process.cwd(), tmp);
    assert.equal(c.getText('dir'), tmp);
    assert.equal(runtimeSet(c, 'dir', path.join(tmp, 'missing')), 'No such file or directory');
    assert.equal(process.cwd(), tmp);
  } finally {
    process.chdir(cwd);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('hidden test-only configs exist but are not matched by patterns', () => {
  const c = new Config();
  for (const name of ['key-load-delay', 'rdb-key-save-delay', 'loading-process-events-interval-bytes']) {
    assert.ok(c.def(name), name);
    assert.ok(!c.allNames().includes(name), name);
  }
  assert.equal(runtimeSet(c, 'loading-process-events-interval-bytes', '100'), 'argument must be between 1024 and 2147483647 inclusive');
  assert.equal(runtimeSet(c, 'propagation-error-behavior', 'panic'), 'OK');
  assert.equal(c.allNames().length, 192, 'CONFIG GET * on redis-server 7.0.15 lists 192 names');
});

test('live() holders follow every way a value is set, including a rolled-back CONFIG SET', () => {
  const config = new Config();
  const maxmemory = config.live('maxmemory');
  const minReplicas = config.live('min-slaves-to-write');
  assert.equal(maxmemory.value, 0);
  config.set('maxmemory', ['1mb'], 'file');
  assert.equal(maxmemory.value, 1024 * 1024);
  config.set('min-replicas-to-write', ['2'], 'runtime');
  assert.equal(minReplicas.value, 2);
  config.watch('maxmemory', () => 'refused');
  assert.throws(() => config.set('maxmemory', ['2mb'], 'runtime'));
  assert.equal(maxmemory.value, 1024 * 1024);
  assert.equal(config.live('maxmemory'), maxmemory);
});
