// ACL and its subcommands: SETUSER GETUSER DELUSER LIST USERS WHOAMI CAT GENPASS LOG DRYRUN
// LOAD SAVE HELP, with Redis 7.0's replies and errors.

import * as crypto from 'node:crypto';
import { command, CommandSpec } from './command';
import { intArg } from './args';
import type { Client } from '../server/client';
import { ACL_CATEGORIES } from '../acl/catalog';
import { lookupCommand } from '../server/dispatch';
import type { Selector } from '../acl/selector';

const NO_ACLFILE =
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

const HELP = [
  'ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  "    Get the user's details.",
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  "    Reload users from the ACL file.",
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
  'HELP',
  '    Print this help.',
];

function setuser(c: Client, argv: string[]): void {
  const err = c.server.acl.setUser(argv[2], argv.slice(3));
  if (err !== null) c.reply.error('ERR ' + err);
  else c.reply.ok();
}

function describeSelectorMap(c: Client, s: Selector): void {
  c.reply.mapHeader(3);
  c.reply.bulk('commands');
  c.reply.bulk(s.describeCommands());
  c.reply.bulk('keys');
  c.reply.bulk(s.describeKeys());
  c.reply.bulk('channels');
  c.reply.bulk(s.describeChannels());
}

function getuser(c: Client, argv: string[]): void {
  const u = c.server.acl.users.get(argv[2]);
  if (u === undefined) {
    c.reply.nullBulk();
    return;
  }
  c.reply.mapHeader(6);
  c.reply.bulk('flags');
  c.reply.arrayOfBulks(u.flags());
  c.reply.bulk('passwords');
  c.reply.arrayOfBulks(u.passwords);
  c.reply.bulk('commands');
  c.reply.bulk(u.root.describeCommands());
  c.reply.bulk('keys');
  c.reply.bulk(u.root.describeKeys());
  c.reply.bulk('channels');
  c.reply.bulk(u.root.describeChannels());
  c.reply.bulk('selectors');
  c.reply.arrayHeader(u.selectors.length);
  for (const s of u.selectors) describeSelectorMap(c, s);
}

function deluser(c: Client, argv: string[]): void {
  const names = argv.slice(2);
  if (names.includes('default')) {
    c.reply.error("ERR The 'default' user cannot be removed");
    return;
  }
  c.reply.int(c.server.acl.deleteUsers(names));
}

function cat(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    c.reply.arrayOfBulks(ACL_CATEGORIES);
    return;
  }
  const members = c.server.acl.catalog.category(argv[2].toLowerCase());
  if (members === undefined) {
    c.reply.error(`ERR Unknown category '${argv[2]}'`);
    return;
  }
  c.reply.arrayOfBulks(members);
}

function genpass(c: Client, argv: string[]): void {
  let bits = 256;
  if (argv.length > 2) {
    const n = intArg(c, argv[2]);
    if (n === null) return;
    if (n <= 0 || n > 4096) {
      c.reply.error('ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096');
      return;
    }
    bits = n;
  }
  const chars = Math.ceil(bits / 4);
  c.reply.bulk(crypto.randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars));
}

function log(c: Client, argv: string[]): void {
  const acl = c.server.acl;
  let count = Infinity;
  if (argv.length > 3) {
    c.reply.error('ERR syntax error');
    return;
  }
  if (argv.length === 3) {
    if (argv[2].toLowerCase() === 'reset') {
      acl.log.reset();
      c.reply.ok();
      return;
    }
    const n = intArg(c, argv[2]);
    if (n === null) return;
    if (n < 0) {
      c.reply.error('ERR value is out of range, must be positive');
      return;
    }
    count = n;
  }
  const entries = acl.log.entries.slice(0, count);
  const now = c.server.clock.now();
  c.reply.arrayHeader(entries.length);
  for (const e of entries) {
    c.reply.mapHeader(7);
    c.reply.bulk('count');
    c.reply.int(e.count);
    c.reply.bulk('reason');
    c.reply.bulk(e.reason);
    c.reply.bulk('context');
    c.reply.bulk(e.context);
    c.reply.bulk('object');
    c.reply.bulk(e.object);
    c.reply.bulk('username');
    c.reply.bulk(e.username);
    c.reply.bulk('age-seconds');
    c.reply.double(String((now - e.createdAt) / 1000));
    c.reply.bulk('client-info');
    c.reply.bulk(e.clientInfo);
  }
}

function dryrun(c: Client, argv: string[]): void {
  const acl = c.server.acl;
  const user = acl.users.get(argv[2]);
  if (user === undefined) {
    c.reply.error(`ERR User '${argv[2]}' not found`);
    return;
  }
  const spec = c.server.commands.lookup(argv[3].toLowerCase());
  if (spec === undefined) {
    c.reply.error(`ERR Command '${argv[3]}' not found`);
    return;
  }
  const found = lookupCommand(c.server, c, argv.slice(3));
  if (found === null) return;
  const denial = acl.permission(user, found.spec, argv.slice(3), found.fullName);
  if (denial === null) c.reply.ok();
  else if (denial.reason === 'command') c.reply.bulk(`This user has no permissions to run the '${found.fullName}' command`);
  else if (denial.reason === 'key') c.reply.bulk(`This user has no permissions to access the '${denial.object}' key`);
  else c.reply.bulk(`This user has no permissions to access the '${denial.object}' channel`);
}

function load(c: Client): void {
  if (c.server.config.str('aclfile') === '') {
    c.reply.error(NO_ACLFILE);
    return;
  }
  const err = c.server.acl.loadFile();
  if (err !== null) c.reply.error('ERR ' + err);
  else c.reply.ok();
}

function save(c: Client): void {
  if (c.server.config.str('aclfile') === '') {
    c.reply.error(NO_ACLFILE);
    return;
  }
  const err = c.server.acl.saveFile();
  if (err === null) {
    c.reply.ok();
    return;
  }
  c.server.log.warning(`Failed to save the ACL file: ${err}`);
  c.reply.error('ERR There was an error trying to save the ACLs. Please check the server logs for more information');
}

const sub = (name: string, arity: number, flags: CommandSpec['flags'], summary: string, handler: CommandSpec['handler']): CommandSpec =>
  command({ name, arity, flags, group: 'server', summary, since: '6.0.0', handler });

const ADMIN: CommandSpec['flags'] = ['admin', 'noscript', 'loading', 'stale'];

export const ACL_COMMANDS: CommandSpec[] = [
  command({
    name: 'acl',
    arity: -2,
    flags: ['sentinel'],
    group: 'server',
    summary: 'A container for Access List Control commands',
    since: '6.0.0',
    subcommands: [
      sub('cat', -2, ['noscript', 'loading', 'stale', 'sentinel'], 'List the ACL categories or the commands inside a category', cat),
      sub('deluser', -3, [...ADMIN, 'sentinel'], 'Remove the specified ACL users and the associated rules', deluser),
      sub('dryrun', -4, [...ADMIN, 'sentinel'], 'Returns whether the user can execute the given command without executing the command.', dryrun),
      sub('genpass', -2, ['noscript', 'loading', 'stale', 'sentinel'], 'Generate a pseudorandom secure password to use for ACL users', genpass),
      sub('getuser', 3, [...ADMIN, 'sentinel'], 'Get the rules for a specific ACL user', getuser),
      sub('help', 2, ['loading', 'stale', 'sentinel'], 'Show helpful text about the different subcommands', (c) => {
        c.reply.arrayHeader(HELP.length);
        for (const l of HELP) c.reply.simple(l);
      }),
      sub('list', 2, [...ADMIN, 'sentinel'], 'List the current ACL rules in ACL config file format', (c) => c.reply.arrayOfBulks(c.server.acl.listLines())),
      sub('load', 2, [...ADMIN, 'sentinel'], 'Reload the ACLs from the configured ACL file', load),
      sub('log', -2, [...ADMIN, 'sentinel'], 'List latest events denied because of ACLs in place', log),
      sub('save', 2, [...ADMIN, 'sentinel'], 'Save the current ACL rules in the configured ACL file', save),
      sub('setuser', -3, [...ADMIN, 'sentinel'], 'Modify or create the rules for a specific ACL user', setuser),
      sub('users', 2, [...ADMIN, 'sentinel'], 'List the username of all the configured ACL rules', (c) => c.reply.arrayOfBulks([...c.server.acl.users.keys()].sort())),
      sub('whoami', 2, ['noscript', 'loading', 'stale', 'sentinel'], 'Return the name of the user associated to the current connection', (c) => c.reply.bulk(c.user)),
    ],
  }),
];
