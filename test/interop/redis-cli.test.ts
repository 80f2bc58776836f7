// The real redis-cli against Tandem: for a script of commands, redis-cli prints exactly the same
// against Tandem as against a real redis-server (piped/raw, --no-raw, RESP3), and tandem-cli
// prints what redis-cli prints against the real server, piped and on a terminal. Then `redis-cli -x` and
// `redis-cli --pipe` with 100k SETs.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/server';
import { runProgram } from '../helpers/run-program';
import { encode } from '../helpers/resp-client';
import { useTandemAndRedis } from '../helpers/use-server';

const TANDEM_CLI = path.join(REPO_ROOT, 'dist', 'src', 'bin', 'tandem-cli.js');
const SERVER_ARGS = ['--save', '', '--appendonly', 'no'];

const { tandem: { server: tandem }, redis: { server: redis } } = useTandemAndRedis(SERVER_ARGS);

function redisCli(port: number, args: string[], stdin = '') {
  return runProgram('redis-cli', ['-p', String(port), ...args], stdin);
}

/** Commands run in order on both servers; `read` ones are also printed by tandem-cli. */
const SCRIPT: Array<{ argv: string[]; read?: true }> = [
  { argv: ['ping'], read: true },
  { argv: ['set', 'k', 'hello world'] },
  { argv: ['get', 'k'], read: true },
  { argv: ['get', 'missing'], read: true },
  { argv: ['incr', 'n'] },
  { argv: ['incrbyfloat', 'f', '1.5'] },
  { argv: ['rpush', 'l', 'a', 'b c', 'q"\\', '\x01\n', ''] },
  { argv: ['lrange', 'l', '0', '-1'], read: true },
  { argv: ['lrange', 'nothing', '0', '-1'], read: true },
  { argv: ['hset', 'h', 'f1', 'v1', 'f2', 'v2'] },
  { argv: ['hgetall', 'h'], read: true },
  { argv: ['hgetall', 'nothing'], read: true },
  { argv: ['sadd', 's', 'member'] },
  { argv: ['smembers', 's'], read: true },
  { argv: ['zadd', 'z', '1', 'a', '2.5', 'b'] },
  { argv: ['zrange', 'z', '0', '-1', 'withscores'], read: true },
  { argv: ['zscore', 'z', 'b'], read: true },
  { argv: ['mget', 'k', 'missing', 'n'], read: true },
  { argv: ['exists', 'k', 'missing'], read: true },
  { argv: ['type', 'l'], read: true },
  { argv: ['ttl', 'k'], read: true },
  { argv: ['echo', 'café ✓ \x01'], read: true },
  { argv: ['bogus', 'x', 'y'], read: true },
  { argv: ['get'], read: true },
  { argv: ['set', 'k', 'v', 'ex', '-1'] },
  { argv: ['del', 'k', 'l'] },
  { argv: ['dbsize'], read: true },
];

const MODES = [[], ['--no-raw'], ['-3', '--no-raw'], ['-3']];

test('redis-cli prints the same for Tandem as for redis-server, and tandem-cli the same as redis-cli', async () => {
  for (const { argv, read } of SCRIPT) {
    for (const mode of MODES) {
      const what = `${mode.join(' ')} ${JSON.stringify(argv)}`;
      const fromRedis = await redisCli(redis.port, [...mode, ...argv]);
      const fromTandem = await redisCli(tandem.port, [...mode, ...argv]);
      assert.deepEqual(fromTandem, fromRedis, `redis-cli ${what}`);
      if (read) {
        const tandemCli = await runProgram(process.execPath, [TANDEM_CLI, '-p', String(redis.port), ...mode, ...argv]);
        assert.deepEqual(tandemCli, fromRedis, `tandem-cli ${what}`);
      }
    }
  }
});

/** Quotes one argument for `sh -c`. */
function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

test('on a terminal (script -qc) tandem-cli picks the formatted output as redis-cli does', async () => {
  const port = String(redis.port);
  const onTerminal = (argv: string[]) => runProgram('script', ['-qc', argv.map(shellQuote).join(' '), '/dev/null']);
  let compared = 0;
  for (const { argv, read } of SCRIPT) {
    if (!read) continue;
    const expected = await onTerminal(['redis-cli', '-p', port, ...argv]);
    const got = await onTerminal([process.execPath, TANDEM_CLI, '-p', port, ...argv]);
    assert.equal(got.stdout, expected.stdout, JSON.stringify(argv));
    compared++;
  }
  assert.ok(compared > 10);
  assert.equal((await onTerminal([process.execPath, TANDEM_CLI, '-p', port, 'zrange', 'z', '0', '0'])).stdout, '1) "a"\r\n');
});

test('help <command> / help @<group>: tandem-cli prints what redis-cli prints', async () => {
  const questions = ['help set', 'help ZADD', 'help client', 'help client kill', 'help @string', 'help @list', 'help lpos', 'help nosuchcommand'];
  const stdin = questions.join('\n') + '\n';
  const fromRedis = await redisCli(redis.port, [], stdin);
  assert.match(fromRedis.stdout, /SET\x1b\[0m \x1b\[90mkey value \[NX\|XX\] \[GET\] \[EX seconds\|PX milliseconds/);
  assert.deepEqual(await runProgram(process.execPath, [TANDEM_CLI, '-p', String(redis.port)], stdin), fromRedis);
});

test('redis-cli -x sends stdin as the last argument, binary safe', async () => {
  assert.equal((await redisCli(tandem.port, ['-x', 'set', 'blob'], 'line one\nbytes \x00\xff\n')).stdout, 'OK\n');
  assert.equal((await redisCli(tandem.port, ['--raw', 'get', 'blob'])).stdout, 'line one\nbytes \x00\xff\n\n');
  assert.equal((await redisCli(tandem.port, ['--no-raw', 'strlen', 'blob'])).stdout, '(integer) 18\n');
});

test('redis-cli --pipe with 100000 SETs: no errors, every key stored', async () => {
  assert.equal((await redisCli(tandem.port, ['flushall'])).stdout, 'OK\n');
  const chunks: Buffer[] = [];
  for (let i = 0; i < 100_000; i++) chunks.push(encode(['SET', `key:${i}`, `value:${i}`]));
  const r = await redisCli(tandem.port, ['--pipe'], Buffer.concat(chunks).toString('latin1'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /All data transferred\. Waiting for the last reply\.\.\.\nLast reply received from server\.\nerrors: 0, replies: 100000\n$/);
  assert.equal((await redisCli(tandem.port, ['dbsize'])).stdout, '100000\n');
  assert.equal((await redisCli(tandem.port, ['get', 'key:99999'])).stdout, 'value:99999\n');
});
