// COMMAND and its subcommands (COUNT, INFO, DOCS, LIST, GETKEYS, GETKEYSANDFLAGS, HELP): the
// command table described to clients in Redis 7.0's reply shapes. Everything is derived from the
// CommandSpec declarations, so a new command shows up here without extra work. redis-cli and
// client libraries call COMMAND / COMMAND DOCS when they connect, so these shapes must be exact.

import { command, aclCategories, CommandSpec, CommandFlag } from './command';
import type { Client } from '../server/client';
import { globMatch } from '../keyspace/glob';

/** Flags in the order Redis prints them; may_replicate, sentinel, only_sentinel and protected are hidden, as in Redis. */
const PRINTED_FLAGS: CommandFlag[] = [
  'write', 'readonly', 'denyoom', 'module', 'admin', 'pubsub', 'noscript', 'blocking', 'loading', 'stale',
  'skip_monitor', 'skip_slowlog', 'asking', 'fast', 'no_auth', 'no_mandatory_keys', 'no_async_loading', 'no_multi',
  'movablekeys', 'allow_busy',
];

/** ACL categories in Redis's table order (COMMAND INFO prints them in this order). */
const ACL_CATEGORY_ORDER = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream',
  'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
];

function printedFlags(spec: CommandSpec): string[] {
  const flags = new Set<CommandFlag>(spec.flags);
  if (spec.getKeys !== undefined) flags.add('movablekeys');
  return PRINTED_FLAGS.filter((f) => flags.has(f));
}

function sortedCategories(spec: CommandSpec): string[] {
  const cats = aclCategories(spec);
  const rank = (c: string): number => {
    const i = ACL_CATEGORY_ORDER.indexOf(c);
    return i < 0 ? ACL_CATEGORY_ORDER.length : i;
  };
  return cats.sort((a, b) => rank(a) - rank(b));
}

/** The key-spec flags a command's keys get: what it does to them, derived from its flags. */
function keyFlags(spec: CommandSpec): readonly string[] {
  if (spec.keySpecFlags !== undefined) return spec.keySpecFlags;
  if (spec.flags.includes('write')) return ['RW', 'update'];
  return ['RO', 'access'];
}

/**
 * A HELP reply as Redis's addReplyHelp sends it: a usage line for `name`, the given lines, then
 * the HELP entry, each as a status reply.
 */
export function helpReply(c: Client, name: string, lines: readonly string[]): void {
  c.reply.arrayHeader(lines.length + 3);
  c.reply.simple(`${name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const l of lines) c.reply.simple(l);
  c.reply.simple('HELP');
  c.reply.simple('    Prints this help.');
}

/** Every command and subcommand, in table order, as [full name, spec]. */
function* allSpecs(c: Client): Generator<[string, CommandSpec]> {
  for (const [name, spec] of c.server.commands.entries()) {
    yield [name, spec];
    for (const sub of spec.subcommands ?? []) yield [`${name}|${sub.name}`, sub];
  }
}

/** Finds "get" or "config|get" (case-insensitive), as COMMAND INFO/DOCS accept them. */
function findSpec(c: Client, rawName: string): [string, CommandSpec] | null {
  const [name, subName] = rawName.toLowerCase().split('|', 2);
  const spec = c.server.commands.lookup(name);
  if (spec === undefined) return null;
  if (subName === undefined) return [name, spec];
  const sub = spec.subcommands?.find((s) => s.name === subName);
  return sub === undefined ? null : [`${name}|${subName}`, sub];
}

/** One 10-element COMMAND INFO entry. */
function replyCommandInfo(c: Client, fullName: string, spec: CommandSpec): void {
  const r = c.reply;
  r.arrayHeader(10);
  r.bulk(fullName);
  r.int(spec.arity);
  const flags = printedFlags(spec);
  r.setHeader(flags.length);
  for (const f of flags) r.simple(f);
  r.int(spec.firstKey);
  r.int(spec.lastKey);
  r.int(spec.step);
  const cats = sortedCategories(spec);
  r.setHeader(cats.length);
  for (const cat of cats) r.simple('@' + cat);
  r.setHeader(spec.tips?.length ?? 0);
  for (const t of spec.tips ?? []) r.bulk(t);
  replyKeySpecs(c, spec);
  const subs = spec.subcommands ?? [];
  r.arrayHeader(subs.length);
  for (const sub of subs) replyCommandInfo(c, `${fullName}|${sub.name}`, sub);
}

/** Key specs derived from first/last/step: one "index" begin-search with a "range" find-keys. */
function replyKeySpecs(c: Client, spec: CommandSpec): void {
  const r = c.reply;
  if (spec.firstKey <= 0) {
    r.arrayHeader(0);
    return;
  }
  r.arrayHeader(1);
  r.mapHeader(3);
  r.bulk('flags');
  const flags = keyFlags(spec);
  r.setHeader(flags.length);
  for (const f of flags) r.simple(f);
  r.bulk('begin_search');
  r.mapHeader(2);
  r.bulk('type');
  r.bulk('index');
  r.bulk('spec');
  r.mapHeader(1);
  r.bulk('index');
  r.int(spec.firstKey);
  r.bulk('find_keys');
  r.mapHeader(2);
  r.bulk('type');
  r.bulk('range');
  r.bulk('spec');
  r.mapHeader(3);
  r.bulk('lastkey');
  r.int(spec.lastKey < 0 ? spec.lastKey : spec.lastKey - spec.firstKey);
  r.bulk('keystep');
  r.int(spec.step);
  r.bulk('limit');
  r.int(0);
}

/** One COMMAND DOCS entry: summary, since, group, complexity, and subcommands when present. */
function replyCommandDocs(c: Client, fullName: string, spec: CommandSpec): void {
  const r = c.reply;
  const fields: Array<[string, string]> = [['summary', spec.summary]];
  if (spec.since !== undefined) fields.push(['since', spec.since]);
  fields.push(['group', spec.group]);
  if (spec.complexity !== undefined) fields.push(['complexity', spec.complexity]);
  const subs = spec.subcommands ?? [];
  r.mapHeader(fields.length + (subs.length > 0 ? 1 : 0));
  for (const [k, v] of fields) {
    r.bulk(k);
    r.bulk(v);
  }
  if (subs.length === 0) return;
  r.bulk('subcommands');
  r.mapHeader(subs.length);
  for (const sub of subs) {
    r.bulk(`${fullName}|${sub.name}`);
    replyCommandDocs(c, `${fullName}|${sub.name}`, sub);
  }
}

function commandAll(c: Client): void {
  const specs = [...c.server.commands.entries()];
  c.reply.arrayHeader(specs.length);
  for (const [name, spec] of specs) replyCommandInfo(c, name, spec);
}

function commandInfo(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    commandAll(c);
    return;
  }
  c.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const found = findSpec(c, argv[i]);
    if (found === null) c.reply.nullArray();
    else replyCommandInfo(c, found[0], found[1]);
  }
}

function commandDocs(c: Client, argv: string[]): void {
  let found: Array<[string, CommandSpec]>;
  if (argv.length === 2) {
    found = [...c.server.commands.entries()];
  } else {
    found = [];
    for (let i = 2; i < argv.length; i++) {
      const f = findSpec(c, argv[i]);
      if (f !== null) found.push(f);
    }
  }
  c.reply.mapHeader(found.length);
  for (const [name, spec] of found) {
    c.reply.bulk(name);
    replyCommandDocs(c, name, spec);
  }
}

function commandList(c: Client, argv: string[]): void {
  let filter: (name: string, spec: CommandSpec) => boolean = () => true;
  if (argv.length === 5 && argv[2].toLowerCase() === 'filterby') {
    const kind = argv[3].toLowerCase();
    const arg = argv[4];
    if (kind === 'module') filter = () => false;
    else if (kind === 'aclcat') filter = (_n, spec) => aclCategories(spec).includes(arg.toLowerCase());
    else if (kind === 'pattern') filter = (name) => globMatch(arg, name, true);
    else {
      c.reply.error('ERR syntax error');
      return;
    }
  } else if (argv.length !== 2) {
    c.reply.error('ERR syntax error');
    return;
  }
  const names: string[] = [];
  for (const [name, spec] of allSpecs(c)) if (filter(name, spec)) names.push(name);
  c.reply.arrayOfBulks(names);
}

/**
 * Key positions from a declaration (the ACL module has the same rule; importing it here would
 * close an import cycle through the command table).
 */
function keyPositions(spec: CommandSpec, argv: string[]): number[] {
  if (spec.getKeys !== undefined) return spec.getKeys(argv);
  const last = spec.firstKey <= 0 ? 0 : spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey;
  const keys: number[] = [];
  for (let i = spec.firstKey; i > 0 && i <= last && i < argv.length; i += Math.max(spec.step, 1)) keys.push(i);
  return keys;
}

/**
 * The spec and key positions of a full command line (argv[0] is its name), or the error
 * COMMAND GETKEYS replies when it cannot tell them.
 */
function keysOfCommandLine(c: Client, argv: string[]): { spec: CommandSpec; keys: number[] } | string {
  let spec = c.server.commands.lookup(argv[0].toLowerCase());
  if (spec !== undefined && spec.subcommands !== undefined && argv.length > 1) {
    spec = spec.subcommands.find((s) => s.name === argv[1].toLowerCase());
  }
  if (spec === undefined) return 'ERR Invalid command specified';
  const arityOk = spec.arity > 0 ? argv.length === spec.arity : argv.length >= -spec.arity;
  if (!arityOk) return 'ERR Invalid number of arguments specified for command';
  const keys = keyPositions(spec, argv);
  return keys.length === 0 ? 'ERR The command has no key arguments' : { spec, keys };
}

function commandGetKeys(c: Client, argv: string[], withFlags: boolean): void {
  const line = argv.slice(2);
  const found = keysOfCommandLine(c, line);
  if (typeof found === 'string') {
    c.reply.error(found);
    return;
  }
  c.reply.arrayHeader(found.keys.length);
  for (const i of found.keys) {
    if (!withFlags) {
      c.reply.bulk(line[i]);
      continue;
    }
    c.reply.arrayHeader(2);
    c.reply.bulk(line[i]);
    const flags = keyFlags(found.spec);
    c.reply.setHeader(flags.length);
    for (const f of flags) c.reply.simple(f);
  }
}

const HELP = [
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
];

const CMD_FLAGS: CommandFlag[] = ['loading', 'stale', 'sentinel'];
const CMD_CATS = ['connection'];

function sub(name: string, arity: number, summary: string, since: string, complexity: string, handler: (c: Client, argv: string[]) => void, tips?: string[]): CommandSpec {
  return command({ name, arity, flags: CMD_FLAGS, categories: CMD_CATS, group: 'server', summary, since, complexity, tips, handler });
}

const PER_ARGUMENT = 'O(N) where N is the number of arguments to the command';
const PER_COMMAND = 'O(N) where N is the total number of Redis commands';

export const COMMAND_DOCS_COMMANDS: CommandSpec[] = [
  command({
    name: 'command', arity: -1, flags: CMD_FLAGS, categories: CMD_CATS, group: 'server', summary: 'Get array of Redis command details',
    since: '2.8.13', complexity: PER_COMMAND, tips: ['nondeterministic_output_order'],
    handler: commandAll,
    subcommands: [
      sub('count', 2, 'Get total number of Redis commands', '2.8.13', 'O(1)', (c) => c.reply.int(c.server.commands.size)),
      sub('docs', -2, 'Get array of specific Redis command documentation', '7.0.0', 'O(N) where N is the number of commands to look up', commandDocs, ['nondeterministic_output_order']),
      sub('getkeys', -4, 'Extract keys given a full Redis command', '2.8.13', PER_ARGUMENT, (c, a) => commandGetKeys(c, a, false)),
      sub('getkeysandflags', -4, 'Extract keys and access flags given a full Redis command', '7.0.0', PER_ARGUMENT, (c, a) => commandGetKeys(c, a, true)),
      sub('help', 2, 'Show helpful text about the different subcommands', '5.0.0', 'O(1)', (c) => helpReply(c, 'COMMAND', HELP)),
      sub('info', -2, 'Get array of specific Redis command details, or all when no argument is given.', '2.8.13', 'O(N) where N is the number of commands to look up', commandInfo, ['nondeterministic_output_order']),
      sub('list', -2, 'Get an array of Redis command names', '7.0.0', PER_COMMAND, commandList, ['nondeterministic_output_order']),
    ],
  }),
];
