// tandem-cli against a spawned Tandem server: one-shot commands (raw output when piped, formatted
// with --no-raw), -x, -n and -u, commands read from stdin, and the connection-refused message.

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { REPO_ROOT, startServer, ServerProcess } from '../helpers/server';
import { freePort } from '../helpers/ports';
import { runProgram, ProgramResult } from '../helpers/run-program';

const TANDEM_CLI = path.join(REPO_ROOT, 'dist', 'src', 'bin', 'tandem-cli.js');

function cli(args: string[], stdin = ''): Promise<ProgramResult> {
  return runProgram(process.execPath, [TANDEM_CLI, ...args], stdin);
}

let srv: ServerProcess;
let port: string;
before(async () => {
  srv = await startServer();
  port = String(srv.port);
});
after(async () => {
  await srv.stop();
});

test('one-shot commands print raw values when stdout is not a terminal', async () => {
  assert.deepEqual(await cli(['-p', port, 'set', 'greeting', 'hello world']), { code: 0, stdout: 'OK\n', stderr: '' });
  assert.equal((await cli(['-p', port, 'get', 'greeting'])).stdout, 'hello world\n');
  assert.equal((await cli(['-p', port, 'get', 'missing'])).stdout, '\n');
  assert.equal((await cli(['-p', port, 'rpush', 'list', 'a', 'b c', ''])).stdout, '3\n');
  assert.equal((await cli(['-p', port, 'lrange', 'list', '0', '-1'])).stdout, 'a\nb c\n\n');
  assert.equal((await cli(['-p', port, 'incrby', 'counter', '-5'])).stdout, '-5\n');
});

test('--no-raw formats as on a terminal; errors print "(error)" and still exit 0 like redis-cli 7.0', async () => {
  assert.equal((await cli(['-p', port, '--no-raw', 'lrange', 'list', '0', '-1'])).stdout, '1) "a"\n2) "b c"\n3) ""\n');
  assert.equal((await cli(['-p', port, '--no-raw', 'get', 'missing'])).stdout, '(nil)\n');
  assert.equal((await cli(['-p', port, '--no-raw', 'incr', 'counter'])).stdout, '(integer) -4\n');
  const err = await cli(['-p', port, '--no-raw', 'get']);
  assert.deepEqual(err, { code: 0, stdout: "(error) ERR wrong number of arguments for 'get' command\n", stderr: '' });
  assert.equal((await cli(['-p', port, 'get'])).stdout, "ERR wrong number of arguments for 'get' command\n\n");
});

test('binary values round-trip through -x and are printed escaped on a terminal', async () => {
  assert.equal((await cli(['-p', port, '-x', 'set', 'blob'], 'a\x00\xff\n')).stdout, 'OK\n');
  assert.equal((await cli(['-p', port, '--no-raw', 'get', 'blob'])).stdout, '"a\\x00\\xff\\n"\n');
  assert.equal((await cli(['-p', port, 'get', 'blob'])).stdout, 'a\x00\xff\n\n');
});

test('-n and -u select the database; commands can come line by line on stdin', async () => {
  assert.equal((await cli(['-p', port, '-n', '3', 'set', 'where', 'db3'])).stdout, 'OK\n');
  assert.equal((await cli(['-u', `redis://127.0.0.1:${port}/3`, 'get', 'where'])).stdout, 'db3\n');
  assert.equal((await cli(['-p', port, 'get', 'where'])).stdout, '\n');
  const piped = await cli(['-p', port], 'select 3\nget where\nset q "two words"\nget q\nbogus\n');
  assert.equal(piped.stdout, "OK\ndb3\nOK\ntwo words\nERR unknown command 'bogus', with args beginning with: \n\n");
});

test('a password on the command line is warned about unless --no-auth-warning', async () => {
  const warned = await cli(['-p', port, '-a', 'nope', 'ping']);
  assert.match(warned.stderr, /^Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe\.\nAUTH failed: /);
  assert.equal(warned.stdout, 'PONG\n');
  const quiet = await cli(['-p', port, '-a', 'nope', '--no-auth-warning', 'ping']);
  assert.doesNotMatch(quiet.stderr, /Warning/);
});

test('no server: redis-cli\'s message and exit status 1', async () => {
  const unused = await freePort();
  assert.deepEqual(await cli(['-p', String(unused), 'ping']), {
    code: 1,
    stdout: '',
    stderr: `Could not connect to Redis at 127.0.0.1:${unused}: Connection refused\n`,
  });
  const bad = await cli(['--bogus']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, "Unrecognized option or bad number of args for: '--bogus'\n");
});
