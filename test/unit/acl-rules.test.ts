import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { User, mergeSelectorArgs, sha256Hex } from '../../src/acl/user';
import { CommandCatalog } from '../../src/acl/catalog';
import { command } from '../../src/commands/command';

const h = () => undefined;
const catalog = new CommandCatalog([
  command({ name: 'get', arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1, categories: ['string'], group: 'string', summary: '', handler: h }),
  command({ name: 'set', arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1, categories: ['string'], group: 'string', summary: '', handler: h }),
  command({ name: 'hdel', arity: -3, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1, categories: ['hash'], group: 'hash', summary: '', handler: h }),
  command({
    name: 'config', arity: -2, flags: [], group: 'server', summary: '',
    subcommands: [
      command({ name: 'get', arity: -3, flags: ['admin', 'noscript', 'loading', 'stale'], group: 'server', summary: '', handler: h }),
      command({ name: 'set', arity: -4, flags: ['admin', 'noscript', 'loading', 'stale'], group: 'server', summary: '', handler: h }),
    ],
  }),
]);

function user(...rules: string[]): User {
  const u = new User('u', false);
  for (const r of rules) u.applyRule(r, catalog);
  return u;
}

test('rules are described as Redis 7.0 describes them', () => {
  const u = user('on', '>pw1', '~k*', '%R~r*', '&ch*', '+get', '+@hash', '-hdel', '+config|get');
  assert.equal(u.describe(), `on #${sha256Hex('pw1')} ~k* %R~r* resetchannels &ch* -@all +get +@hash -hdel +config|get`);
  assert.equal(user().describe(), 'off resetchannels -@all');
  assert.equal(user('on', 'nopass', 'allkeys', 'allchannels', 'allcommands').describe(), 'on nopass ~* &* +@all');
});

test('command, key and channel permissions', () => {
  const u = user('on', '~k*', '%R~r*', '&ch*', '+get', '+set', '+config|get');
  assert.ok(u.root.canRun('get'));
  assert.ok(u.root.canRun('config|get'));
  assert.ok(!u.root.canRun('config|set'));
  assert.ok(!u.root.canRun('hdel'));
  assert.ok(u.root.canAccessKey('k1', true, true));
  assert.ok(u.root.canAccessKey('r1', true, false));
  assert.ok(!u.root.canAccessKey('r1', true, true));
  assert.ok(!u.root.canAccessKey('x', true, false));
  assert.ok(u.root.canAccessChannel('ch1', false));
  assert.ok(!u.root.canAccessChannel('ch*x', true), 'patterns must be granted literally');
  assert.ok(u.root.canAccessChannel('ch*', true));
});

test("Redis's rule errors", () => {
  const cases: Array<[string[], string]> = [
    [['foo'], 'Syntax error'],
    [['+nosuch'], 'Unknown command or category name in ACL'],
    [['+@nosuch'], 'Unknown command or category name in ACL'],
    [['#abc'], 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters'],
    [['<nopw'], 'The password you are trying to remove from the user does not exist'],
    [['allkeys', '~x'], "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"],
  ];
  for (const [rules, msg] of cases) assert.throws(() => user(...rules), { message: msg }, rules.join(' '));
  assert.doesNotThrow(() => user('allkeys', '~*'), '~* after allkeys is allowed');
});

test('passwords are stored hashed and checked', () => {
  const u = user('on', '>secret', '>other');
  assert.ok(!JSON.stringify(u.passwords).includes('secret'));
  assert.ok(u.checkPassword('secret'));
  assert.ok(u.checkPassword('other'));
  assert.ok(!u.checkPassword('nope'));
  u.applyRule('<secret', catalog);
  assert.ok(!u.checkPassword('secret'));
});

test('selectors: a command is allowed when any selector allows it', () => {
  const u = user('on', '(~a* +get)');
  assert.equal(u.describe(), 'on resetchannels -@all (~a* resetchannels -@all +get)');
  assert.ok(u.allows((s) => s.canRun('get') && s.canAccessKey('a1', true, false)));
  assert.ok(!u.allows((s) => s.canRun('get') && s.canAccessKey('b1', true, false)));
  assert.deepEqual(mergeSelectorArgs(['on', '(~a*', '+get)', 'nopass']), ['on', '(~a* +get)', 'nopass']);
  assert.equal(mergeSelectorArgs(['(~a*']), null);
});
