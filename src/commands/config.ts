// CONFIG GET / SET / RESETSTAT / REWRITE / HELP, as Redis 7.0's config.c answers them, plus the
// "protected" rules: enable-protected-configs (may CONFIG SET change dir, dbfilename?) and
// enable-debug-command / enable-module-command (may DEBUG / MODULE run at all?), each `no`,
// `yes` or `local` (only from loopback or unix-socket connections).
//
// CONFIG SET of several parameters is one change (Config.setAtomically): all are validated and
// set, then their watchers run; a refusal anywhere restores every previous value.

import { command, CommandSpec, flagsOf } from './command';
import { helpReply } from './command-docs';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import type { ConfigDef } from '../config/config-table';
import type { LogLevel } from '../server/log';
import type { Replication } from '../replication/replication';
import { ConfigAssignment, strerror } from '../config/config';
import { rewriteConfigFile } from '../config/config-rewrite';
import { globMatch } from '../keyspace/glob';
import { blockingOf } from '../server/blocking';

/** A loopback or unix-socket connection (Redis's islocalClient). */
function isLocalClient(c: Client): boolean {
  const addr = c.socket?.remoteAddress;
  if (c.socket === null) return false;
  if (addr === undefined) return true;
  return addr.startsWith('127.') || addr === '::1' || addr.startsWith('::ffff:127.');
}

/** Whether an enable-* option ('no' | 'yes' | 'local') lets this client do the protected thing. */
function allowProtectedAction(c: Client, option: string): boolean {
  const v = c.server.config.str(option);
  return v === 'yes' || (v === 'local' && isLocalClient(c));
}

/**
 * The gate refusing Redis 7.0's PROTECTED commands (flag `protected`: all of DEBUG, and the MODULE
 * subcommands that load code) unless enable-debug-command / enable-module-command allow them.
 */
export function protectedCommandCheck(c: Client, spec: CommandSpec, fullName: string): string | null {
  if (!flagsOf(spec).protected) return null;
  const base = fullName.split('|')[0];
  const option = base === 'debug' ? 'enable-debug-command' : 'enable-module-command';
  if (allowProtectedAction(c, option)) return null;
  return (
    `ERR ${base.toUpperCase()} command not allowed. If the ${option} option is set to "local", you can run it from a local ` +
    'connection, otherwise you need to set this option in the configuration file, and then restart the server.'
  );
}

/** Configs CONFIG SET refuses while the dataset is loading (Redis's DENY_LOADING_CONFIG). */
const DENY_WHILE_LOADING = new Set(['dir', 'appendonly']);

function configGet(c: Client, argv: string[]): void {
  const config = c.server.config;
  const found = new Map<string, { key: string; def: ConfigDef }>();
  for (const pattern of argv.slice(2)) {
    if (!/[[*?]/.test(pattern)) {
      const def = config.def(pattern);
      if (def && !found.has(pattern.toLowerCase())) found.set(pattern.toLowerCase(), { key: pattern, def });
      continue;
    }
    for (const name of config.allNames()) {
      if (!found.has(name) && globMatch(pattern, name, true)) found.set(name, { key: name, def: config.def(name)! });
    }
  }
  c.reply.mapHeader(found.size);
  for (const { key, def } of found.values()) {
    c.reply.bulk(key);
    c.reply.bulk(config.getText(def.name));
  }
}

function configSet(c: Client, argv: string[]): void {
  if (argv.length % 2 !== 0) {
    c.reply.error('ERR syntax error');
    return;
  }
  const server = c.server;
  const config = server.config;
  const assignments: ConfigAssignment[] = [];
  let unknown: string | null = null;
  let refusal: { arg: string; reason: string } | null = null;
  let loading = false;
  // The first problem decides the reply (SLOWLOG/MONITOR redact passwords: slowlog.ts).
  for (let i = 2; i < argv.length; i += 2) {
    if (unknown !== null || refusal !== null || loading) break;
    const def = config.def(argv[i]);
    const value = argv[i + 1];
    if (!def) {
      unknown = argv[i];
      continue;
    }
    if (def.immutable || (def.protected && !allowProtectedAction(c, 'enable-protected-configs'))) {
      refusal = { arg: argv[i], reason: def.immutable ? "can't set immutable config" : "can't set protected config" };
    } else if (server.loading && DENY_WHILE_LOADING.has(def.name)) {
      loading = true;
    } else if (assignments.some((a) => a.def === def)) {
      refusal = { arg: argv[i], reason: 'duplicate parameter' };
    } else {
      assignments.push({ def, value, name: argv[i].toLowerCase() });
    }
  }
  if (loading) {
    c.reply.error('LOADING Redis is loading the dataset in memory');
  } else if (unknown !== null) {
    c.reply.error(`ERR Unknown option or number of arguments for CONFIG SET - '${unknown}'`);
  } else if (refusal !== null) {
    c.reply.error(`ERR CONFIG SET failed (possibly related to argument '${refusal.arg}') - ${refusal.reason}`);
  } else {
    const previous = assignments.map((a) => ({ def: a.def, value: config.getText(a.def.name) }));
    const failure = config.setAtomically(assignments);
    if (failure === null) {
      const rebinding = assignments.filter((a, i) => a.def.name in LISTENER_KINDS && config.getText(a.def.name) !== previous[i].value);
      if (rebinding.length === 0) c.reply.ok();
      else {
        const kinds = new Set(rebinding.flatMap((a) => LISTENER_KINDS[a.def.name]));
        void rebindListeners(c, kinds, rebinding[0].name ?? rebinding[0].def.name, () => config.setAtomically(previous));
      }
      return;
    }
    if (failure.applyFailed) {
      server.log.warning(`Failed applying new configuration. Possibly related to new ${failure.name} setting. Restoring previous settings.`);
    }
    c.reply.error(`ERR CONFIG SET failed (possibly related to argument '${failure.name}') - ${failure.reason}`);
  }
}

/** The listeners that a change of each directive re-binds. */
const LISTENER_KINDS: Record<string, ReadonlyArray<'tcp' | 'tls'>> = { port: ['tcp'], 'tls-port': ['tls'], bind: ['tcp', 'tls'] };

/**
 * CONFIG SET port / tls-port / bind take effect at once, as in Redis: the listeners are re-bound
 * (existing connections stay); if that fails the previous values and sockets come back and the
 * reply is Redis's error. Binding is asynchronous in Node, so the client waits (runs nothing
 * more) until it is done; inside EXEC, where nothing may wait, it is answered OK at once and a
 * failure is only logged.
 */
async function rebindListeners(c: Client, kinds: Set<'tcp' | 'tls'>, name: string, restore: () => void): Promise<void> {
  const server = c.server;
  const waits = blockingOf(server).canBlock(c);
  if (waits) c.blocked = true;
  else c.reply.ok();
  const failed = (await server.rebind(kinds, restore)) !== null;
  if (!waits) return;
  if (!failed) c.reply.ok();
  else {
    const reason = name === 'bind' ? 'Failed to bind to specified addresses.' : 'Unable to listen on this port. Check server logs.';
    c.reply.error(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`);
  }
  c.blocked = false;
  if (!c.closed) server.processInput(c);
}

function configRewrite(c: Client): void {
  const server = c.server;
  if (server.config.file === '') {
    c.reply.error('ERR The server is running without a config file');
    return;
  }
  try {
    rewriteConfigFile(server.config, server.config.file, server.acl.listLines());
  } catch (e) {
    server.log.warning(`CONFIG REWRITE failed: ${strerror(e)}`);
    c.reply.error(`ERR Rewriting config file: ${strerror(e)}`);
    return;
  }
  server.log.notice('CONFIG REWRITE executed with success.');
  c.reply.ok();
}

/** Redis's resetServerStats(): every INFO counter, wherever the module keeping it lives. */
function resetStats(server: Server): void {
  server.stats.reset();
  server.keyspace.hits = 0;
  server.keyspace.misses = 0;
  server.keyspace.expiredKeys = 0;
  server.replStats.syncFull = 0;
  server.replStats.syncPartialOk = 0;
  server.replStats.syncPartialErr = 0;
}

const HELP = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
];

const ADMIN: CommandSpec['flags'] = ['admin', 'noscript', 'loading', 'stale'];

export const CONFIG_COMMANDS: CommandSpec[] = [
  command({
    name: 'config',
    arity: -2,
    flags: [],
    group: 'server',
    summary: 'A container for server configuration commands',
    since: '2.0.0',
    complexity: 'Depends on subcommand.',
    subcommands: [
      command({
        name: 'resetstat', arity: 2, flags: ADMIN, group: 'server', summary: 'Reset the stats returned by INFO', since: '2.0.0', complexity: 'O(1)',
        handler: (c) => {
          resetStats(c.server);
          c.reply.ok();
        },
      }),
      command({
        name: 'get', arity: -3, flags: ADMIN, group: 'server', summary: 'Get the values of configuration parameters', since: '2.0.0',
        complexity: 'O(N) when N is the number of configuration parameters provided', handler: configGet,
      }),
      command({
        name: 'help', arity: 2, flags: ['loading', 'stale'], group: 'server', summary: 'Show helpful text about the different subcommands', since: '5.0.0',
        complexity: 'O(1)', handler: (c) => helpReply(c, 'CONFIG', HELP),
      }),
      command({
        name: 'rewrite', arity: 2, flags: ADMIN, group: 'server', summary: 'Rewrite the configuration file with the in memory configuration', since: '2.8.0',
        complexity: 'O(1)', handler: configRewrite,
      }),
      command({
        name: 'set', arity: -4, flags: ADMIN, group: 'server', summary: 'Set configuration parameters to the given values', since: '2.0.0',
        complexity: 'O(N) when N is the number of configuration parameters provided', tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
        handler: configSet,
      }),
    ],
  }),
];

/**
 * Wires the runtime effects of configs no other module owns, the live `replicaof` (REPLICAOF
 * changes what CONFIG GET and CONFIG REWRITE show, as in Redis), and the protected-command gate.
 */
export function installConfig(server: Server, replication: Replication): void {
  server.config.provide('replicaof', () => (replication.masterHost === null ? '' : `${replication.masterHost} ${replication.masterPort}`));
  server.config.watch('loglevel', (v) => {
    server.log.level = v as LogLevel;
  });
  server.gates.addPreAuthCheck((c, spec, _argv, fullName) => protectedCommandCheck(c, spec, fullName));
}
