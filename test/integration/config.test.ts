// CONFIG against a running tandem-server: GET patterns and multiple names, atomic multi-SET with
// Redis's error replies, immutable and protected configs, the DEBUG gate, RESETSTAT, REWRITE of a
// real file (and a restart from it), redaction of passwords; plus startup with every seed config.

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startServer, ServerProcess, TANDEM_SERVER, REPO_ROOT } from '../helpers/server';
import { RespClient, RespError, RespValue } from '../helpers/resp-client';
import { freePort } from '../helpers/ports';
import { waitFor } from '../helpers/wait';
import { tempDir } from '../helpers/temp-dir';

const SEED_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'seed-configs');

let srv: ServerProcess;
let confFile: string;

before(async () => {
  const dir = tempDir('tandem-config-it-');
  confFile = path.join(dir, 'redis.conf');
  fs.writeFileSync(confFile, '# Tandem test config\nhz 10\nmaxmemory 1mb\nslaveof no one\n');
  srv = await startServer({ configFile: confFile, dir, args: ['--enable-debug-command', 'no'] });
});
after(async () => {
  await srv.stop();
});

/** CONFIG GET's flat RESP2 reply as a name -> value map. */
function asMap(reply: RespValue): Map<string, string> {
  const arr = reply as string[];
  const m = new Map<string, string>();
  for (let i = 0; i < arr.length; i += 2) m.set(arr[i], arr[i + 1]);
  return m;
}

test('CONFIG GET: exact names keep their spelling, patterns match names and aliases, duplicates once', async () => {
  const c = await srv.client();
  assert.deepEqual(await c.call('CONFIG', 'GET', 'PORT'), ['PORT', String(srv.port)]);
  assert.deepEqual(await c.call('CONFIG', 'GET', 'port', 'PORT', 'hz'), ['port', String(srv.port), 'hz', '10']);
  assert.deepEqual(asMap(await c.call('CONFIG', 'GET', '*read-only*')), new Map([['replica-read-only', 'yes'], ['slave-read-only', 'yes']]));
  assert.equal(asMap(await c.call('CONFIG', 'GET', '*')).size, 192);
  assert.deepEqual(await c.call('CONFIG', 'GET', 'maxmemory', 'nosuch'), ['maxmemory', '1048576']);
  assert.deepEqual(await c.call('CONFIG', 'GET', 'dir'), ['dir', fs.realpathSync(srv.dir)]);
  assert.deepEqual(await c.call('CONFIG', 'GET', 'key-load-delay'), ['key-load-delay', '0']);
  assert.deepEqual(await c.call('CONFIG', 'GET', 'key-load*'), []);
  await c.call('HELLO', '3');
  assert.deepEqual(await c.call('CONFIG', 'GET', 'hz'), new Map([['hz', '10']]));
  c.close();
});

test('CONFIG SET: several parameters at once, all or nothing, with Redis error replies', async () => {
  const c = await srv.client();
  assert.equal(await c.call('CONFIG', 'SET', 'hz', '20', 'maxmemory-policy', 'allkeys-lru', 'maxmemory', '2mb'), 'OK');
  assert.deepEqual(await c.call('CONFIG', 'GET', 'hz', 'maxmemory-policy', 'maxmemory'), ['hz', '20', 'maxmemory-policy', 'allkeys-lru', 'maxmemory', '2097152']);
  const errors: Array<[string[], string]> = [
    [['hz', '30', 'maxmemory', '1x'], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"],
    [['hz', '30', 'nosuch', '1'], "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"],
    [['hz', '30', 'hz', '40'], "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter"],
    [['hz', '30', 'daemonize', 'yes'], "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"],
    [['hz', '30', 'dir', '/tmp'], "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"],
    [['port', '70000'], "ERR CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and 65535 inclusive"],
    [['slave-read-only', 'maybe'], "ERR CONFIG SET failed (possibly related to argument 'slave-read-only') - argument must be 'yes' or 'no'"],
    [['hz', '30', 'maxmemory'], 'ERR syntax error'],
  ];
  for (const [args, err] of errors) assert.deepEqual(await c.call('CONFIG', 'SET', ...args), new RespError(err), args.join(' '));
  assert.deepEqual(await c.call('CONFIG', 'GET', 'hz'), ['hz', '20'], 'no failed SET changed anything');
  assert.deepEqual(await c.call('CONFIG', 'SET', 'hz'), new RespError("ERR wrong number of arguments for 'config|set' command"));
  assert.deepEqual(await c.call('CONFIG', 'FOO'), new RespError("ERR unknown subcommand 'FOO'. Try CONFIG HELP."));
  assert.equal(await c.call('CONFIG', 'SET', 'hz', '10', 'maxmemory', '1mb', 'maxmemory-policy', 'noeviction'), 'OK');
  c.close();
});

test('CONFIG GET replicaof follows REPLICAOF, as Redis reads it from the replication state', async () => {
  const c = await srv.client();
  const port = await freePort();
  assert.equal(await c.call('REPLICAOF', '127.0.0.1', String(port)), 'OK');
  assert.deepEqual(await c.call('CONFIG', 'GET', 'slaveof'), ['slaveof', `127.0.0.1 ${port}`]);
  assert.equal(await c.call('REPLICAOF', 'NO', 'ONE'), 'OK');
  assert.deepEqual(await c.call('CONFIG', 'GET', 'replicaof'), ['replicaof', '']);
  c.close();
});

test('CONFIG SET maxclients takes effect both ways at once', async () => {
  const s = await startServer({ args: ['--maxclients', '1'] });
  const clients: RespClient[] = [];
  try {
    // The helper's readiness probe may still hold the only slot for a moment.
    const first = await waitFor('a client slot', async () => {
      const c = await s.client();
      if ((await c.call('PING')) === 'PONG') return c;
      c.close();
      return null;
    });
    clients.push(first);
    const second = await s.client();
    assert.deepEqual(await second.read(), new RespError('ERR max number of clients reached'));
    second.close();
    assert.equal(await first.call('CONFIG', 'SET', 'maxclients', '100'), 'OK');
    for (let i = 0; i < 60; i++) clients.push(await s.client());
    for (const c of clients) assert.equal(await c.call('PING'), 'PONG');
  } finally {
    for (const c of clients) c.close();
    await s.stop();
  }
});

test('DEBUG is refused while enable-debug-command is no', async () => {
  const c = await srv.client();
  assert.deepEqual(
    await c.call('DEBUG', 'SLEEP', '0'),
    new RespError(
      'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
    ),
  );
  c.close();
});

test('CONFIG RESETSTAT clears the INFO counters; passwords set by CONFIG SET are redacted in SLOWLOG', async () => {
  const c = await srv.client();
  for (let i = 0; i < 5; i++) await c.call('PING');
  await c.call('GET', 'nosuchkey');
  assert.match((await c.call('INFO', 'stats')) as string, /keyspace_misses:[1-9]/);
  assert.equal(await c.call('CONFIG', 'RESETSTAT'), 'OK');
  const info = (await c.call('INFO', 'stats')) as string;
  assert.match(info, /total_commands_processed:[01]\r\n/);
  assert.match(info, /keyspace_misses:0\r\n/);
  assert.equal(await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0'), 'OK');
  assert.equal(await c.call('CONFIG', 'SET', 'masterauth', 'sekrit'), 'OK');
  const entry = ((await c.call('SLOWLOG', 'GET', '1')) as RespValue[][])[0];
  assert.deepEqual(entry[3], ['CONFIG', 'SET', 'masterauth', '(redacted)']);
  assert.deepEqual(await c.call('CONFIG', 'GET', 'masterauth'), ['masterauth', 'sekrit']);
  assert.equal(await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000', 'masterauth', ''), 'OK');
  c.close();
});

test('CONFIG REWRITE updates the file in place; a restart from it has the new values', async () => {
  const c = await srv.client();
  assert.equal(await c.call('CONFIG', 'SET', 'hz', '25', 'maxmemory', '0', 'appendfsync', 'always'), 'OK');
  assert.equal(await c.call('CONFIG', 'REWRITE'), 'OK');
  const lines = fs.readFileSync(confFile, 'utf8').split('\n');
  // `slaveof no one` sets nothing, so its line goes; the appended lines follow a blank line.
  assert.deepEqual(lines.slice(0, 5), ['# Tandem test config', 'hz 25', 'maxmemory 0', '', '# Generated by CONFIG REWRITE']);
  for (const l of ['appendfsync always', `port ${srv.port}`, 'bind 127.0.0.1', 'save 3600 1', 'latency-tracking-info-percentiles 50 99 99.9']) {
    assert.ok(lines.includes(l), `${l} in\n${lines.join('\n')}`);
  }
  assert.ok(srv.log().includes('CONFIG REWRITE executed with success.'));
  c.close();

  const copy = path.join(srv.dir, 'copy.conf');
  fs.copyFileSync(confFile, copy);
  const port = await freePort();
  const again = await startServer({ configFile: copy, port, dir: srv.dir });
  try {
    const c2 = await again.client();
    assert.deepEqual(await c2.call('CONFIG', 'GET', 'hz', 'appendfsync'), ['hz', '25', 'appendfsync', 'always']);
    c2.close();
  } finally {
    await again.stop();
  }
});

test('CONFIG SET loglevel applies to the log at once', async () => {
  const c = await srv.client();
  const successes = (): number => srv.log().split('CONFIG REWRITE executed with success.').length - 1;
  const before = successes();
  assert.equal(await c.call('CONFIG', 'SET', 'loglevel', 'warning'), 'OK');
  assert.equal(await c.call('CONFIG', 'REWRITE'), 'OK');
  assert.equal(successes(), before, 'a notice is not logged at loglevel warning');
  assert.equal(await c.call('CONFIG', 'SET', 'loglevel', 'notice'), 'OK');
  assert.equal(await c.call('CONFIG', 'REWRITE'), 'OK');
  assert.equal(successes(), before + 1);
  c.close();
});

test('protected configs and DEBUG are allowed from a local connection when set to "local"', async () => {
  const other = tempDir('tandem-config-dir-');
  const local = await startServer({ args: ['--enable-protected-configs', 'local', '--enable-debug-command', 'local'] });
  try {
    const c = await local.client();
    assert.equal(await c.call('CONFIG', 'SET', 'dir', other), 'OK');
    assert.deepEqual(await c.call('CONFIG', 'GET', 'dir'), ['dir', fs.realpathSync(other)]);
    assert.deepEqual(await c.call('CONFIG', 'SET', 'dir', path.join(other, 'missing')), new RespError("ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory"));
    assert.equal(await c.call('DEBUG', 'SLEEP', '0'), 'OK');
    assert.deepEqual(await c.call('CONFIG', 'REWRITE'), new RespError('ERR The server is running without a config file'));
    c.close();
  } finally {
    await local.stop();
  }
});

test('CONFIG REWRITE failing to write replies the errno text and logs it', async () => {
  const confDir = tempDir('tandem-config-gone-');
  const conf = path.join(confDir, 'redis.conf');
  fs.writeFileSync(conf, 'hz 10\n');
  const s = await startServer({ configFile: conf });
  try {
    fs.rmSync(confDir, { recursive: true });
    const c = await s.client();
    assert.deepEqual(await c.call('CONFIG', 'REWRITE'), new RespError('ERR Rewriting config file: No such file or directory'));
    assert.match(s.log(), /# CONFIG REWRITE failed: No such file or directory/);
    c.close();
  } finally {
    await s.stop();
  }
});

test('a bad config line stops startup with the FATAL CONFIG FILE ERROR report', () => {
  const r = spawnSync(process.execPath, [TANDEM_SERVER, '--port', '0', '--hz', 'fast'], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n>>> 'hz \"fast\"'\nargument couldn't be parsed into an integer\n");
});

/** Starts tandem-server with a seed config and the usual overrides; returns PING's reply. */
async function pingSeed(file: string, extra: string[]): Promise<RespValue> {
  const s = await startServer({ configFile: file, args: extra });
  try {
    const c: RespClient = await s.client();
    const reply = await c.call('PING');
    c.close();
    return reply;
  } finally {
    await s.stop();
  }
}

test('every seed config and the stock redis.conf start and answer (PONG, or NOAUTH when they set passwords)', async () => {
  const noauth = new RespError('NOAUTH Authentication required.');
  const master = await freePort();
  const replicaOf = ['--replicaof', '127.0.0.1', String(master)];
  const acl = path.join(SEED_DIR, 'tutorial-acl');
  const docker = path.join(SEED_DIR, 'tutorial-docker');
  const cases: Array<[string, string[], RespValue]> = [
    [path.join(acl, 'master.conf'), [], noauth],
    [path.join(acl, 'master-min-replicas.conf'), [], noauth],
    [path.join(acl, 'slave_1.conf'), replicaOf, noauth],
    [path.join(acl, 'slave_2.conf'), replicaOf, noauth],
    [path.join(acl, 'slave_2-writable.conf'), replicaOf, noauth],
    [path.join(docker, 'redis-master.conf'), [], noauth],
    [path.join(docker, 'redis-slave1.conf'), replicaOf, noauth],
    [path.join(docker, 'redis-slave2.conf'), replicaOf, noauth],
  ];
  for (const [file, extra, expected] of cases) assert.deepEqual(await pingSeed(file, extra), expected, file);

  // Debian's stock redis.conf, with the per-instance paths moved to the test's directory.
  const pidfile = path.join(tempDir('tandem-stock-'), 'redis.pid');
  assert.equal(await pingSeed('/etc/redis/redis.conf', ['--pidfile', pidfile]), 'PONG');

  // The sentinel file needs sentinel mode and a writable copy (a sentinel saves its state there).
  const sentinelConf = path.join(tempDir('tandem-seed-'), 'sentinel.conf');
  fs.copyFileSync(path.join(SEED_DIR, 'tutorial-sentinel', 'sentinel.conf'), sentinelConf);
  assert.equal(await pingSeed(sentinelConf, ['--sentinel']), 'PONG');

  // replica.conf names a data dir that does not exist here: like redis-server, refuse to start.
  const r = spawnSync(process.execPath, [TANDEM_SERVER, path.join(SEED_DIR, 'tutorial-replica', 'replica.conf'), '--port', '0', '--daemonize', 'no'], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 9\n>>> 'dir /data00/data/redis/'\nNo such file or directory\n");
});

test('CONFIG SET port and bind re-bind the listeners at once; a failed bind keeps the old ones', async () => {
  const s = await startServer();
  const c = await s.client();
  try {
    const newPort = await freePort();
    // A command pipelined behind CONFIG SET runs after the re-bind, on the same connection.
    c.writeRaw(`CONFIG SET port ${newPort}\r\nCONFIG GET port\r\n`);
    assert.equal(await c.read(), 'OK');
    assert.deepEqual(await c.read(), ['port', String(newPort)]);
    const moved = await RespClient.connect(newPort);
    assert.equal(await moved.call('PING'), 'PONG');
    moved.close();
    await assert.rejects(RespClient.connect(s.port));

    // A port someone else holds: Redis's error, and the server stays where it was.
    const busy = await RespClient.connect(newPort);
    const holder = await startServer();
    assert.deepEqual(
      await c.call('CONFIG', 'SET', 'port', String(holder.port)),
      new RespError("ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs."),
    );
    await holder.stop();
    assert.equal(await c.call('CONFIG', 'GET', 'port').then((r) => (r as string[])[1]), String(newPort));
    assert.equal(await busy.call('PING'), 'PONG');
    busy.close();
    const again = await RespClient.connect(newPort);
    assert.equal(await again.call('PING'), 'PONG');
    again.close();

    const bindBefore = await c.call('CONFIG', 'GET', 'bind');
    assert.deepEqual(
      await c.call('CONFIG', 'SET', 'bind', '192.0.2.1'),
      new RespError("ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses."),
    );
    assert.deepEqual(await c.call('CONFIG', 'GET', 'bind'), bindBefore);
    assert.equal(await c.call('CONFIG', 'SET', 'bind', '127.0.0.1 -::1'), 'OK');
    const rebound = await RespClient.connect(newPort);
    assert.equal(await rebound.call('PING'), 'PONG');
    rebound.close();

    // port 0 stops listening on TCP; the connection that asked stays.
    assert.equal(await c.call('CONFIG', 'SET', 'port', '0'), 'OK');
    await assert.rejects(RespClient.connect(newPort));
    assert.equal(await c.call('PING'), 'PONG');
  } finally {
    c.close();
    await s.stop();
  }
});
