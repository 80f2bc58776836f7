import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { startServer, ServerProcess, REPO_ROOT } from '../helpers/server';
import { RespClient, RespError } from '../helpers/resp-client';
import { ALL_COMMANDS } from '../../src/commands/index';
import type { CommandSpec } from '../../src/commands/command';

const SEED = path.resolve(REPO_ROOT, '..', 'shared', 'seed-configs');
const NOAUTH = new RespError('NOAUTH Authentication required.');
const WRONGPASS = new RespError('WRONGPASS invalid username-password pair or user is disabled.');

let srv: ServerProcess;
before(async () => {
  srv = await startServer({ configFile: path.join(SEED, 'tutorial-acl', 'master.conf') });
});
after(async () => {
  await srv.stop();
});

async function login(user: string, pass: string): Promise<RespClient> {
  const c = await srv.client();
  assert.equal(await c.call('AUTH', user, pass), 'OK');
  return c;
}

test("the tutorial's ACL users authenticate; others are refused", async () => {
  const c = await srv.client();
  assert.deepEqual(await c.call('GET', 'x'), NOAUTH);
  assert.deepEqual(await c.call('AUTH', 'wrong'), WRONGPASS);
  assert.equal(await c.call('AUTH', 'default_password'), 'OK');
  assert.equal(await c.call('ACL', 'WHOAMI'), 'default');
  assert.equal(await c.call('AUTH', 'master_user', 'master_password'), 'OK');
  assert.equal(await c.call('ACL', 'WHOAMI'), 'master_user');
  const list = (await c.call('ACL', 'LIST')) as string[];
  assert.equal(list.length, 2);
  assert.match(list[1], /^user master_user on #[0-9a-f]{64} ~\* &\* \+@all$/);
  assert.ok(!list.join(' ').includes('master_password'), 'passwords are listed only as hashes');
  c.close();
});

test('NOPERM for commands, keys and channels, recorded in ACL LOG', async () => {
  const admin = await login('default', 'default_password');
  assert.equal(await admin.call('ACL', 'SETUSER', 'alice', 'on', '>pw1', '~k*', '%R~r*', '&ch*', '+get', '+set', '+ping'), 'OK');
  const alice = await login('alice', 'pw1');
  assert.equal(await alice.call('SET', 'k1', 'v'), 'OK');
  assert.deepEqual(await alice.call('SET', 'r1', 'v'), new RespError('NOPERM this user has no permissions to access one of the keys used as arguments'));
  assert.equal(await alice.call('GET', 'r1'), null);
  assert.deepEqual(await alice.call('GET', 'z'), new RespError('NOPERM this user has no permissions to access one of the keys used as arguments'));
  assert.deepEqual(await alice.call('ACL', 'LIST'), new RespError("NOPERM this user has no permissions to run the 'acl|list' command"));
  assert.deepEqual(await alice.call('ECHO', 'x'), new RespError("NOPERM this user has no permissions to run the 'echo' command"));
  const log = (await admin.call('ACL', 'LOG', '1')) as unknown[][];
  assert.equal(log.length, 1);
  assert.deepEqual(log[0].slice(0, 10), ['count', 1, 'reason', 'command', 'context', 'toplevel', 'object', 'echo', 'username', 'alice']);
  assert.equal(await admin.call('ACL', 'DRYRUN', 'alice', 'get', 'k1'), 'OK');
  assert.equal(await admin.call('ACL', 'DRYRUN', 'alice', 'echo', 'x'), "This user has no permissions to run the 'echo' command");
  alice.close();
  admin.close();
});

test('deleting or disabling a user disconnects its connections', async () => {
  const admin = await login('default', 'default_password');
  assert.equal(await admin.call('ACL', 'SETUSER', 'bob', 'on', '>b', '~*', '+@all'), 'OK');
  assert.equal(await admin.call('ACL', 'SETUSER', 'carol', 'on', '>c', '~*', '+@all'), 'OK');
  const bob = await login('bob', 'b');
  const carol = await login('carol', 'c');
  assert.equal(await admin.call('ACL', 'DELUSER', 'bob', 'nobody'), 1);
  await bob.waitClosed();
  assert.equal(await admin.call('ACL', 'SETUSER', 'carol', 'off'), 'OK');
  await carol.waitClosed();
  const again = await srv.client();
  assert.deepEqual(await again.call('AUTH', 'carol', 'c'), WRONGPASS);
  assert.deepEqual(await admin.call('ACL', 'DELUSER', 'default'), new RespError("ERR The 'default' user cannot be removed"));
  again.close();
  admin.close();
});

/** A call with the minimum number of arguments the declaration accepts. */
function minimalCall(spec: CommandSpec, sub?: CommandSpec): string[] {
  const s = sub ?? spec;
  const argc = Math.max(Math.abs(s.arity), sub ? 2 : 1);
  const argv = sub ? [spec.name, sub.name] : [spec.name];
  while (argv.length < argc) argv.push('k' + argv.length);
  return argv;
}

function everyCall(): string[][] {
  const calls: string[][] = [];
  for (const spec of ALL_COMMANDS) {
    if (spec.subcommands) for (const sub of spec.subcommands) calls.push(minimalCall(spec, sub));
    else calls.push(minimalCall(spec));
  }
  return calls;
}

const NO_AUTH_COMMANDS = new Set(ALL_COMMANDS.filter((s) => s.flags.includes('no_auth')).map((s) => s.name));

test('sweep: an unauthenticated connection can run nothing but AUTH, HELLO, QUIT, RESET', async () => {
  assert.deepEqual([...NO_AUTH_COMMANDS].sort(), ['auth', 'hello', 'quit', 'reset']);
  const c = await srv.client();
  for (const argv of everyCall()) {
    if (NO_AUTH_COMMANDS.has(argv[0])) continue;
    const reply = await c.call(...argv);
    // As in Redis, DEBUG is refused by enable-debug-command (default no) even before AUTH: refused either way.
    if (argv[0] === 'debug') assert.ok(reply instanceof RespError && reply.message.startsWith('ERR DEBUG command not allowed.'), JSON.stringify(reply));
    else assert.deepEqual(reply, NOAUTH, argv.join(' '));
  }
  c.close();
});

test('sweep: a user with no command permissions is refused every command', async () => {
  const admin = await login('default', 'default_password');
  assert.equal(await admin.call('ACL', 'SETUSER', 'nobody', 'on', '>n', '~*', '&*', 'nocommands'), 'OK');
  const c = await login('nobody', 'n');
  let checked = 0;
  for (const argv of everyCall()) {
    if (NO_AUTH_COMMANDS.has(argv[0])) continue;
    const reply = await c.call(...argv);
    // As in Redis, DEBUG is refused by enable-debug-command (default no) before ACLs are checked.
    const refusal = argv[0] === 'debug' ? 'ERR DEBUG command not allowed.' : 'NOPERM this user has no permissions to run the ';
    assert.ok(reply instanceof RespError && reply.message.startsWith(refusal), `${argv.join(' ')} -> ${JSON.stringify(reply)}`);
    checked++;
  }
  assert.ok(checked >= ALL_COMMANDS.length - NO_AUTH_COMMANDS.size);
  c.close();
  admin.close();
});

test('aclfile: ACL SAVE and ACL LOAD round-trip users', async () => {
  const aclfile = path.join(srv.dir, 'users.acl');
  fs.writeFileSync(aclfile, 'user default on nopass ~* &* +@all\nuser eve on >e ~e* +get\n');
  const s = await startServer({ args: ['--aclfile', aclfile] });
  try {
    const c = await s.client();
    assert.deepEqual(await c.call('ACL', 'USERS'), ['default', 'eve']);
    assert.equal(await c.call('ACL', 'SETUSER', 'frank', 'on', '>f'), 'OK');
    assert.equal(await c.call('ACL', 'SAVE'), 'OK');
    assert.match(fs.readFileSync(aclfile, 'utf8'), /^user frank on #[0-9a-f]{64} resetchannels -@all$/m);
    fs.writeFileSync(aclfile, 'user default on nopass ~* &* +@all\n');
    assert.equal(await c.call('ACL', 'LOAD'), 'OK');
    assert.deepEqual(await c.call('ACL', 'USERS'), ['default']);
    fs.writeFileSync(aclfile, 'user default on nopass ~* &* +@all\nuser bad +nosuch\n');
    const err = await c.call('ACL', 'LOAD');
    assert.ok(err instanceof RespError && err.message.includes(`${aclfile}:2: Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL`), JSON.stringify(err));
    assert.deepEqual(await c.call('ACL', 'USERS'), ['default'], 'a failed LOAD changes nothing');
    c.close();
  } finally {
    await s.stop();
  }
});
