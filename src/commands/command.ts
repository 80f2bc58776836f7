// The shape of a command definition. Each command is declared once (name, arity, flags, key
// positions, ACL categories, handler) and that one declaration drives dispatch, arity errors,
// COMMAND INFO/DOCS/LIST/GETKEYS, ACL category membership, read-only replicas (the `write` flag)
// and propagation (writes that changed the dataset go to replicas and the AOF).
//
// Handlers parse their arguments fully before changing anything, so a syntax error never leaves
// a half-applied write behind.

import type { Client } from '../server/client';

/** Redis 7.0 command flags (COMMAND INFO prints them lowercase, as here). */
export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'module'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'asking'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'sentinel'
  | 'only_sentinel'
  | 'no_mandatory_keys'
  | 'protected'
  | 'no_async_loading'
  | 'no_multi'
  | 'movablekeys'
  | 'allow_busy';

export type CommandHandler = (c: Client, argv: string[]) => void;

export interface CommandSpec {
  /** Lowercase name; for a subcommand just the subcommand ("get" under "config"). */
  name: string;
  /** Redis arity: exact count if positive, minimum count if negative (the name counts). */
  arity: number;
  flags: CommandFlag[];
  /** Key positions (1-based, lastKey -1 = last argument, 0 = no keys) and step. */
  firstKey: number;
  lastKey: number;
  step: number;
  /** ACL categories beyond those implied by the flags (e.g. 'string', 'keyspace'), without '@'. */
  categories?: string[];
  /** COMMAND DOCS fields. */
  group: string;
  summary: string;
  since?: string;
  complexity?: string;
  /** COMMAND INFO key-spec flags, when not what the flags imply (RW update / RO access). */
  keySpecFlags?: readonly string[];
  /** Command tips for clients and proxies (COMMAND INFO), e.g. 'nondeterministic_output'. */
  tips?: readonly string[];
  /** Computes key positions for commands whose keys move (EVAL numkeys, ZUNIONSTORE, ...). */
  getKeys?: (argv: string[]) => number[];
  /** Run the command. Absent only for containers whose subcommands do the work. */
  handler?: CommandHandler;
  subcommands?: CommandSpec[];
  /** The flags dispatch tests on every command, as booleans (see flagsOf). */
  is?: HotFlags;
}

/**
 * The flag tests made for every command (authentication, gates, slowlog, MONITOR, propagation),
 * computed once per spec: `flags.includes` several times per command showed in CPU profiles.
 */
export interface HotFlags {
  write: boolean;
  readonly: boolean;
  noAuth: boolean;
  loading: boolean;
  stale: boolean;
  noMulti: boolean;
  protected: boolean;
  skipSlowlog: boolean;
  /** Not fed to MONITOR clients: skip_monitor or admin. */
  hiddenFromMonitor: boolean;
  /** Propagated when it changed the dataset: write or may_replicate. */
  propagates: boolean;
}

/** A spec's HotFlags, computed on first use (flags never change after declaration). */
export function flagsOf(spec: CommandSpec): HotFlags {
  if (spec.is !== undefined) return spec.is;
  const f = spec.flags;
  spec.is = {
    write: f.includes('write'),
    readonly: f.includes('readonly'),
    noAuth: f.includes('no_auth'),
    loading: f.includes('loading'),
    stale: f.includes('stale'),
    noMulti: f.includes('no_multi'),
    protected: f.includes('protected'),
    skipSlowlog: f.includes('skip_slowlog'),
    hiddenFromMonitor: f.includes('skip_monitor') || f.includes('admin'),
    propagates: f.includes('write') || f.includes('may_replicate'),
  };
  return spec.is;
}

/** Declares a command with defaults for the rarely-set fields. */
export function command(spec: Omit<CommandSpec, 'firstKey' | 'lastKey' | 'step'> & Partial<Pick<CommandSpec, 'firstKey' | 'lastKey' | 'step'>>): CommandSpec {
  return { firstKey: 0, lastKey: 0, step: 0, ...spec };
}

/** ACL categories of a command: those its flags imply plus its declared ones (Redis 7.0 rules). */
export function aclCategories(spec: CommandSpec): string[] {
  const cats = new Set<string>();
  const f = spec.flags;
  if (f.includes('write')) cats.add('write');
  if (f.includes('readonly') && !(spec.categories ?? []).includes('scripting')) cats.add('read');
  if (f.includes('admin')) {
    cats.add('admin');
    cats.add('dangerous');
  }
  if (f.includes('pubsub')) cats.add('pubsub');
  if (f.includes('fast')) cats.add('fast');
  if (f.includes('blocking')) cats.add('blocking');
  if (!f.includes('fast')) cats.add('slow');
  for (const c of spec.categories ?? []) cats.add(c);
  return [...cats];
}
