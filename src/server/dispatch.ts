// Running one command: look it up, check it may run (arity, auth, role, limits) in the order
// Redis checks, run it, then account for it (stats, slowlog, MONITOR) and propagate its effect.
//
// Rejections reply Redis's exact error and count as rejected_calls; errors a handler replies
// count as failed_calls. A command changed the dataset when it bumped `server.dirty`; only then
// is it propagated, as the argv the handler left in `c.propagateArgv` (its effect) or as sent.

import type { Server } from './server';
import type { Client } from './client';
import { type CommandSpec, flagsOf } from '../commands/command';

/** Redis quotes at most this much of each argument in "unknown command" errors. */
const UNKNOWN_ARG_PREVIEW = 128;

/** Resolves argv to a command spec, replying the error itself when it cannot. */
export function lookupCommand(server: Server, c: Client, argv: string[]): { spec: CommandSpec; fullName: string } | null {
  const spec = server.commands.lookupSent(argv[0]);
  if (spec === undefined) {
    let args = '';
    for (let i = 1; i < argv.length && args.length < UNKNOWN_ARG_PREVIEW; i++) args += `'${argv[i].slice(0, UNKNOWN_ARG_PREVIEW - args.length)}' `;
    c.reply.error(`ERR unknown command '${argv[0].slice(0, UNKNOWN_ARG_PREVIEW)}', with args beginning with: ${args}`);
    return null;
  }
  if (spec.subcommands === undefined || argv.length === 1) {
    if (!arityOk(spec.arity, argv.length)) {
      server.stats.command(spec.name).rejectedCalls++;
      c.reply.error(`ERR wrong number of arguments for '${argv[0].toLowerCase()}' command`);
      return null;
    }
    // Stats and ACL know a command by its original name, also when rename-command renamed it.
    return { spec, fullName: spec.name };
  }
  const subName = argv[1].toLowerCase();
  const sub = spec.subcommands.find((s) => s.name === subName);
  if (sub === undefined) {
    c.reply.error(`ERR unknown subcommand '${argv[1].slice(0, UNKNOWN_ARG_PREVIEW)}'. Try ${argv[0].toUpperCase()} HELP.`);
    return null;
  }
  const fullName = `${spec.name}|${subName}`;
  if (!arityOk(sub.arity, argv.length)) {
    server.stats.command(fullName).rejectedCalls++;
    c.reply.error(`ERR wrong number of arguments for '${fullName}' command`);
    return null;
  }
  return { spec: sub, fullName };
}

function arityOk(arity: number, argc: number): boolean {
  return arity > 0 ? argc === arity : argc >= -arity;
}

/** Checks and runs one command from a client; `bytes` is its size on the wire. */
export function processCommand(server: Server, c: Client, argv: string[], bytes: number): void {
  // CLIENT REPLY OFF/SKIP: replies already queued go out first, this command's are dropped.
  const muted = c.replyMode !== 'on';
  if (muted) server.flushClient(c);
  checkAndRun(server, c, argv, bytes);
  if (!muted && !c.skipNextReply) return;
  if (muted && c.replyMode !== 'on') c.reply.discard();
  if (c.replyMode === 'skip') c.replyMode = 'on';
  if (c.skipNextReply) {
    c.skipNextReply = false;
    c.replyMode = 'skip';
  }
}

function checkAndRun(server: Server, c: Client, argv: string[], bytes: number): void {
  const found = lookupCommand(server, c, argv);
  if (found === null) {
    server.gates.afterRejection(c);
    return;
  }
  const { spec, fullName } = found;
  // Redis's order: existence, arity, protected commands, then authentication and the rest.
  const early = server.gates.checkBeforeAuth(c, spec, argv, fullName);
  if (early !== null) return reject(server, c, fullName, early);
  if (!c.authenticated && !flagsOf(spec).noAuth) return reject(server, c, fullName, 'NOAUTH Authentication required.');
  const denied = server.gates.check(c, spec, argv, fullName);
  if (denied !== null) return reject(server, c, fullName, denied);
  if (server.gates.queue(c, spec, argv, fullName)) return;
  call(server, c, spec, argv, fullName, bytes);
}

function reject(server: Server, c: Client, fullName: string, msg: string): void {
  server.stats.command(fullName).rejectedCalls++;
  c.reply.error(msg);
  server.gates.afterRejection(c);
}

/**
 * Left in c.propagateArgv by a handler whose effect is several commands that it fed itself
 * (SPOP with a count: one SREM per member, which the feed wraps in MULTI/EXEC).
 */
export const PROPAGATED_BY_HANDLER: string[] = [];

/**
 * Runs a command that passed the checks (also used by EXEC for queued commands), then does the
 * accounting and propagation.
 */
export function call(server: Server, c: Client, spec: CommandSpec, argv: string[], fullName: string, bytes = 0): void {
  server.keyspace.newInstant();
  const dirtyBefore = server.dirty;
  const offsetBefore = server.feed.offset;
  const errorsBefore = server.stats.totalErrorReplies;
  c.propagateArgv = null;
  c.currentCommand = spec;
  const start = performance.now();
  spec.handler!(c, argv);
  const usec = Math.round((performance.now() - start) * 1000);
  c.currentCommand = null;
  c.lastCommand = fullName;

  const stat = server.stats.command(fullName);
  stat.calls++;
  stat.usec += usec;
  if (server.stats.totalErrorReplies !== errorsBefore) stat.failedCalls++;
  server.stats.totalCommands++;
  const is = flagsOf(spec);
  if (!is.skipSlowlog) server.slowlog.record(c, argv, usec);
  if (server.monitors.size > 0 && !is.hiddenFromMonitor) server.feedMonitors(c, argv);

  if (server.dirty !== dirtyBefore && c.role !== 'master' && is.propagates && c.propagateArgv !== PROPAGATED_BY_HANDLER) {
    server.feed.propagate(c.db.id, c.propagateArgv ?? argv);
  }
  if (server.feed.offset !== offsetBefore) c.woff = server.feed.offset;
  const after = server.hooks.afterCommand;
  for (let i = 0; i < after.length; i++) after[i](c, bytes);
}
