// ACL behaviour compared with a real redis-server 7.0: the same SETUSER sequences must give the
// same replies, ACL LIST / GETUSER texts and errors; and for every command Tandem implements,
// membership in each ACL category must equal Redis's (this checks every command declaration's
// flags and categories).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { useTandemAndRedis } from '../helpers/use-server';
import { ALL_COMMANDS } from '../../src/commands/index';
import { ACL_CATEGORIES } from '../../src/acl/catalog';

const { tandem: { client: t }, redis: { client: r } } = useTandemAndRedis();

async function both(...argv: string[]): Promise<void> {
  const [a, b] = await Promise.all([t.call(...argv), r.call(...argv)]);
  assert.deepEqual(a, b, argv.join(' '));
}

test('SETUSER sequences: same replies, same ACL LIST and GETUSER', async () => {
  const sequences = [
    ['alice', 'on', '>pw1', '~k*', '%R~r*', '%W~w*', '&ch*', '+get', '+set', '-set', '+acl|whoami'],
    ['bob', 'off'],
    ['carol', 'on', 'nopass', 'allkeys', 'allchannels', 'allcommands'],
    ['dave', 'on', '#' + 'a'.repeat(64), 'resetpass', '>x', 'nocommands', '+@all', '-acl'],
    ['erin', 'on', '(~a* +get)', '(%R~b* +set)'],
    ['frank', 'foo'],
    ['frank', '+nosuch'],
    ['frank', '+@nosuch'],
    ['frank', '#abc'],
    ['frank', '<nopw'],
    ['frank', 'allkeys', '~x'],
    ['frank', 'allchannels', '&x'],
    ['alice', 'reset'],
    ['grace', 'on', '>a', '>b', '<a'],
  ];
  for (const seq of sequences) await both('ACL', 'SETUSER', ...seq);
  await both('ACL', 'LIST');
  for (const u of ['alice', 'bob', 'carol', 'dave', 'erin', 'grace', 'nosuch', 'default']) await both('ACL', 'GETUSER', u);
  await both('ACL', 'USERS');
  await both('ACL', 'DELUSER', 'bob', 'nosuch');
  await both('ACL', 'DELUSER', 'default');
  await both('ACL', 'CAT');
  await both('ACL', 'CAT', 'nosuch');
  await both('ACL', 'GENPASS', '0');
  await both('ACL', 'WHOAMI');
});

test('every implemented command is in the same ACL categories as in Redis', async () => {
  const names: string[] = [];
  for (const s of ALL_COMMANDS) {
    names.push(s.name);
    for (const sub of s.subcommands ?? []) names.push(`${s.name}|${sub.name}`);
  }
  const mismatches: string[] = [];
  for (const cat of ACL_CATEGORIES) {
    const [tm, rm] = (await Promise.all([t.call('ACL', 'CAT', cat), r.call('ACL', 'CAT', cat)])) as [string[], string[]];
    const tSet = new Set(tm);
    const rSet = new Set(rm);
    for (const n of names) {
      if (tSet.has(n) !== rSet.has(n)) mismatches.push(`${n} ${tSet.has(n) ? 'in' : 'not in'} @${cat} (Redis: ${rSet.has(n) ? 'in' : 'not in'})`);
    }
  }
  assert.deepEqual(mismatches, []);
});
