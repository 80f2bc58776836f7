// Access control: the users (from `user` config lines, an `aclfile`, or ACL SETUSER), AUTH,
// the per-command permission check that runs before every command, and the ACL LOG.
//
// `requirepass` is the default user's password, as in Redis: setting it is "resetpass >pw"
// on the default user, clearing it is "nopass". Deleting or disabling a user disconnects the
// clients authenticated as that user.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Server } from '../server/server';
import type { Client } from '../server/client';
import { type CommandSpec, flagsOf } from '../commands/command';
import { ALL_COMMANDS } from '../commands/index';
import { CommandCatalog } from './catalog';
import { AclRuleError, Selector } from './selector';
import { mergeSelectorArgs, User } from './user';
import { AclLog } from './acl-log';

/** Which arguments of pub/sub commands are channels (last -1 = through the end). */
const CHANNEL_ARGS: Record<string, { first: number; last: number; pattern: boolean }> = {
  publish: { first: 1, last: 1, pattern: false },
  spublish: { first: 1, last: 1, pattern: false },
  subscribe: { first: 1, last: -1, pattern: false },
  ssubscribe: { first: 1, last: -1, pattern: false },
  psubscribe: { first: 1, last: -1, pattern: true },
};

/**
 * Writes that never read their keys need only write permission (%W~); other writes need read
 * and write, reads need read. Redis derives this from per-key specs; Tandem declares no key
 * specs yet, so the pure writes are listed here.
 */
const PURE_WRITES = new Set(['del', 'unlink', 'mset', 'msetnx', 'setex', 'psetex', 'flushdb', 'flushall', 'hmset', 'pexpireat', 'expireat']);

function keyAccess(spec: CommandSpec, argv: string[]): { read: boolean; write: boolean } {
  if (!spec.flags.includes('write')) return { read: true, write: false };
  const pure = PURE_WRITES.has(spec.name) || (spec.name === 'set' && !argv.some((a, i) => i >= 3 && a.toLowerCase() === 'get'));
  return { read: !pure, write: true };
}

/**
 * The user internal clients run as (the link to our master, the AOF loader): no ACL user has
 * this name, so the permission check lets it run everything, like Redis's user-less clients.
 */
export const SUPERUSER = '(superuser)';

export class Acl {
  readonly users = new Map<string, User>();
  readonly catalog = new CommandCatalog(ALL_COMMANDS);
  readonly log: AclLog;

  constructor(private readonly server: Server) {
    this.log = new AclLog(server);
    this.users.set('default', this.newDefaultUser());
  }

  private get allChannelsByDefault(): boolean {
    return this.server.config.str('acl-pubsub-default') === 'allchannels';
  }

  private newDefaultUser(): User {
    const u = new User('default', true);
    for (const r of ['on', 'nopass', '~*', '&*', '+@all']) u.applyRule(r, this.catalog);
    return u;
  }

  /**
   * Loads users at startup: `user` lines from the config, or the aclfile, then requirepass.
   * Throws an Error with Redis's message on bad rules.
   */
  loadAtStartup(): void {
    const config = this.server.config;
    const aclfile = config.str('aclfile');
    if (aclfile !== '' && config.users.length > 0) {
      throw new Error(
        'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.',
      );
    }
    for (const args of config.users) {
      const err = this.setUser(args[0], args.slice(1));
      if (err !== null) throw new Error(`Error in user declaration '${args[0]}': ${err}`);
    }
    this.syncRequirepass(config.str('requirepass'), config.wasSetInFile('requirepass'));
    if (aclfile !== '') {
      const err = this.loadFile();
      if (err !== null) throw new Error(`Aborting Redis startup because of ACL errors: ${err}`);
    }
    config.watch('requirepass', (v) => {
      this.syncRequirepass(String(v), true);
    });
  }

  /** Makes `requirepass` the default user's only password ("" = nopass). */
  private syncRequirepass(password: string, explicitlySet: boolean): void {
    if (!explicitlySet && password === '') return;
    const u = this.users.get('default')!;
    if (password === '') {
      u.applyRule('nopass', this.catalog);
    } else {
      u.applyRule('resetpass', this.catalog);
      u.applyRule('>' + password, this.catalog);
    }
  }

  /**
   * Creates or modifies a user by applying rules in order, atomically: on error nothing changes.
   * Returns null, or Redis's "Error in ACL SETUSER modifier '<rule>': <reason>".
   */
  setUser(name: string, rawRules: string[]): string | null {
    const rules = mergeSelectorArgs(rawRules);
    if (rules === null) return "Unmatched parenthesis in acl selector starting at '('.";
    const existing = this.users.get(name);
    const user = existing ? cloneUser(existing) : new User(name, this.allChannelsByDefault);
    for (const r of rules) {
      try {
        user.applyRule(r, this.catalog);
      } catch (e) {
        if (e instanceof AclRuleError) return `Error in ACL SETUSER modifier '${r}': ${e.message}`;
        throw e;
      }
    }
    this.users.set(name, user);
    if (!user.enabled) this.disconnectUser(name);
    return null;
  }

  /** Deletes users; returns how many existed. The caller refuses 'default'. */
  deleteUsers(names: string[]): number {
    let n = 0;
    for (const name of names) {
      if (this.users.delete(name)) {
        n++;
        this.disconnectUser(name);
      }
    }
    return n;
  }

  private disconnectUser(name: string): void {
    for (const c of [...this.server.clients.values()]) {
      if (c.authenticated && c.user === name && c.role === 'normal') this.server.closeClient(c);
    }
  }

  /** True when the user exists, is on, and the password matches. */
  authenticate(name: string, password: string): boolean {
    const u = this.users.get(name);
    return u !== undefined && u.enabled && u.checkPassword(password);
  }

  /** New connections start authenticated as default when default is on and needs no password. */
  defaultUserIsNopass(): boolean {
    const u = this.users.get('default')!;
    return u.enabled && u.nopass;
  }

  // -------------------------------------------------------------------------------------------
  // The permission check
  // -------------------------------------------------------------------------------------------

  /**
   * Whether `user` may run argv; returns null, or the denial: which part was refused and the
   * object (command name, key or channel) for the ACL LOG.
   */
  permission(user: User, spec: CommandSpec, argv: string[], fullName: string): { reason: 'command' | 'key' | 'channel'; object: string } | null {
    const keys = commandKeys(spec, argv);
    const { read, write } = keyAccess(spec, argv);
    const channelRule = CHANNEL_ARGS[spec.name];
    let denial: { reason: 'command' | 'key' | 'channel'; object: string } | null = null;
    const check = (s: Selector): boolean => {
      if (!s.canRun(fullName)) {
        denial ??= { reason: 'command', object: fullName };
        return false;
      }
      for (const k of keys) {
        if (!s.canAccessKey(argv[k], read, write)) {
          if (denial === null || denial.reason === 'command') denial = { reason: 'key', object: argv[k] };
          return false;
        }
      }
      if (channelRule) {
        const last = channelRule.last < 0 ? argv.length - 1 : channelRule.last;
        for (let i = channelRule.first; i <= last; i++) {
          if (!s.canAccessChannel(argv[i], channelRule.pattern)) {
            if (denial === null || denial.reason === 'command') denial = { reason: 'channel', object: argv[i] };
            return false;
          }
        }
      }
      return true;
    };
    return user.allows(check) ? null : denial;
  }

  /** The gate: replies Redis's NOPERM error (and logs it) when the client's user may not run argv. */
  check(c: Client, spec: CommandSpec, argv: string[], fullName: string): string | null {
    // Commands any connection may run before authenticating (AUTH, HELLO, QUIT, RESET) are
    // never refused by ACL rules, as in Redis.
    if (flagsOf(spec).noAuth) return null;
    const user = this.users.get(c.user);
    if (user === undefined) return null;
    if (user.unrestricted) return null;
    const denial = this.permission(user, spec, argv, fullName);
    if (denial === null) return null;
    this.log.add(c, denial.reason, denial.object, c.ext.multi ? 'multi' : 'toplevel');
    return 'NOPERM ' + denialMessage(denial.reason, fullName);
  }

  // -------------------------------------------------------------------------------------------
  // The ACL file
  // -------------------------------------------------------------------------------------------

  private aclFilePath(): string {
    return path.resolve(this.server.config.str('aclfile'));
  }

  /**
   * Replaces all users with the aclfile's, atomically. Returns null or Redis's error text
   * ("/path:3: <reason>. ").
   */
  loadFile(): string | null {
    const file = this.aclFilePath();
    let text: string;
    try {
      text = fs.readFileSync(file, 'latin1');
    } catch (e) {
      return `Error loading ACLs, opening file '${file}': ${(e as Error).message}`;
    }
    const saved = new Map(this.users);
    this.users.clear();
    this.users.set('default', this.newDefaultUser());
    const lines = text.split('\n');
    const seen = new Set<string>();
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === '' || line.startsWith('#')) continue;
      const words = line.split(/\s+/);
      let err: string | null = null;
      if (words[0] !== 'user' || words.length < 2) err = 'line should start with user keyword';
      else if (seen.has(words[1])) err = `Duplicate user '${words[1]}' found`;
      else {
        seen.add(words[1]);
        // Every user in the file starts from nothing, the default user included.
        this.users.set(words[1], new User(words[1], this.allChannelsByDefault));
        err = this.setUser(words[1], words.slice(2));
      }
      if (err !== null) {
        this.users.clear();
        for (const [k, v] of saved) this.users.set(k, v);
        return `${file}:${i + 1}: ${err}. `;
      }
    }
    for (const name of saved.keys()) if (!this.users.has(name)) this.disconnectUser(name);
    return null;
  }

  /** Writes every user to the aclfile (temp file + rename). Returns null or an error. */
  saveFile(): string | null {
    const file = this.aclFilePath();
    const tmp = `${file}.tmp-${process.pid}`;
    try {
      fs.writeFileSync(tmp, this.listLines().join('\n') + '\n');
      fs.renameSync(tmp, file);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /** "user <name> <rules>" for every user, sorted by name (ACL LIST, ACL SAVE, CONFIG REWRITE). */
  listLines(): string[] {
    return [...this.users.keys()].sort().map((n) => `user ${n} ${this.users.get(n)!.describe()}`);
  }
}

function denialMessage(reason: 'command' | 'key' | 'channel', fullName: string): string {
  if (reason === 'command') return `this user has no permissions to run the '${fullName}' command`;
  if (reason === 'key') return 'this user has no permissions to access one of the keys used as arguments';
  return 'this user has no permissions to access one of the channels used as arguments';
}

/** Argument positions of the keys a command uses, from its declaration. */
export function commandKeys(spec: CommandSpec, argv: string[]): number[] {
  if (spec.getKeys) return spec.getKeys(argv);
  if (spec.firstKey <= 0) return [];
  const last = spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey;
  const out: number[] = [];
  for (let i = spec.firstKey; i <= last && i < argv.length; i += Math.max(spec.step, 1)) out.push(i);
  return out;
}

function cloneUser(u: User): User {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(u)) as User, u);
  copy.passwords = [...u.passwords];
  copy.root = cloneSelector(u.root);
  copy.selectors = u.selectors.map(cloneSelector);
  return copy;
}

function cloneSelector(s: Selector): Selector {
  const copy = new Selector();
  for (const n of s.allowed) copy.allowed.add(n);
  copy.allCommands = s.allCommands;
  copy.commandRules = [...s.commandRules];
  copy.keys = s.keys.map((k) => ({ ...k }));
  copy.channels = [...s.channels];
  return copy;
}
