// A selector: one set of permissions (commands, key patterns, channel patterns). A user has a
// root selector plus any number of `(...)` selectors; a command is allowed when any selector
// allows all of it (Redis 7.0).
//
// Command permissions are a set of allowed full names ("get", "config|get"), computed when a
// rule is applied, as Redis sets bits: `+@hash` allows the commands in @hash that exist now.
// The rules are also kept as text, in order, because ACL LIST / GETUSER describe them that way.

import { globMatch } from '../keyspace/glob';
import type { CommandCatalog } from './catalog';

export interface KeyPattern {
  pattern: string;
  read: boolean;
  write: boolean;
}

/** Thrown (as its message) by applyRule; the ACL layer adds "Error in ACL SETUSER modifier". */
export class AclRuleError extends Error {}

export class Selector {
  /** Full names of allowed commands. */
  readonly allowed = new Set<string>();
  /** +@all / allcommands was the last word on commands (future commands allowed too). */
  allCommands = false;
  /** Command rules as given, compacted at -@all / +@all (what ACL LIST prints). */
  commandRules: string[] = ['-@all'];
  keys: KeyPattern[] = [];
  channels: string[] = [];

  get allKeys(): boolean {
    return this.keys.some((k) => k.pattern === '*' && k.read && k.write);
  }

  get allChannels(): boolean {
    return this.channels.includes('*');
  }

  /** Applies one rule that is about commands, keys or channels; false if it is not such a rule. */
  applyRule(rule: string, catalog: CommandCatalog): boolean {
    const lower = rule.toLowerCase();
    if (lower === 'allkeys') return this.applyRule('~*', catalog);
    if (lower === 'resetkeys') {
      this.keys = [];
      return true;
    }
    if (lower === 'allchannels') return this.applyRule('&*', catalog);
    if (lower === 'resetchannels') {
      this.channels = [];
      return true;
    }
    if (lower === 'allcommands') return this.applyRule('+@all', catalog);
    if (lower === 'nocommands') return this.applyRule('-@all', catalog);
    if (rule.startsWith('~') || rule.startsWith('%')) {
      this.addKeyPattern(rule);
      return true;
    }
    if (rule.startsWith('&')) {
      const pattern = rule.slice(1);
      if (this.allChannels && pattern !== '*') {
        throw new AclRuleError(
          "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
        );
      }
      if (pattern === '*') this.channels = ['*'];
      else if (!this.channels.includes(pattern)) this.channels.push(pattern);
      return true;
    }
    if (rule.startsWith('+') || rule.startsWith('-')) {
      this.applyCommandRule(rule, catalog);
      return true;
    }
    return false;
  }

  private addKeyPattern(rule: string): void {
    let read = true;
    let write = true;
    let pattern: string;
    if (rule.startsWith('%')) {
      const tilde = rule.indexOf('~');
      const perms = tilde < 0 ? '' : rule.slice(1, tilde).toUpperCase();
      if (tilde < 0 || perms === '' || /[^RW]/.test(perms)) throw new AclRuleError('Syntax error');
      read = perms.includes('R');
      write = perms.includes('W');
      pattern = rule.slice(tilde + 1);
    } else {
      pattern = rule.slice(1);
    }
    if (pattern === '*' && read && write) {
      this.keys = [{ pattern, read, write }];
      return;
    }
    if (this.allKeys) {
      throw new AclRuleError(
        "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
      );
    }
    const existing = this.keys.find((k) => k.pattern === pattern);
    if (existing) {
      existing.read ||= read;
      existing.write ||= write;
    } else {
      this.keys.push({ pattern, read, write });
    }
  }

  private applyCommandRule(rule: string, catalog: CommandCatalog): void {
    const allow = rule[0] === '+';
    const what = rule.slice(1).toLowerCase();
    let names: string[];
    if (what.startsWith('@')) {
      const cat = what.slice(1);
      const members = cat === 'all' ? catalog.allNames() : catalog.category(cat);
      if (members === undefined) throw new AclRuleError('Unknown command or category name in ACL');
      names = members;
      if (cat === 'all') {
        this.allowed.clear();
        this.commandRules = [];
        this.allCommands = allow;
      }
    } else {
      const expanded = catalog.expand(what);
      if (expanded === undefined) throw new AclRuleError('Unknown command or category name in ACL');
      names = expanded;
    }
    if (!allow) this.allCommands = false;
    for (const n of names) {
      if (allow) this.allowed.add(n);
      else this.allowed.delete(n);
    }
    if (what === '@all') this.commandRules = [allow ? '+@all' : '-@all'];
    else this.commandRules.push((allow ? '+' : '-') + what);
  }

  canRun(fullName: string): boolean {
    return this.allCommands || this.allowed.has(fullName);
  }

  /** Whether the key may be used with the given access. */
  canAccessKey(key: string, read: boolean, write: boolean): boolean {
    for (const k of this.keys) {
      if ((read && !k.read) || (write && !k.write)) continue;
      if (k.pattern === '*' || globMatch(k.pattern, key, false)) return true;
    }
    return false;
  }

  /** Channels match by glob; a PSUBSCRIBE pattern must be granted literally, as in Redis. */
  canAccessChannel(channel: string, isPattern: boolean): boolean {
    for (const p of this.channels) {
      if (p === '*') return true;
      if (isPattern ? p === channel : globMatch(p, channel, false)) return true;
    }
    return false;
  }

  /** ACL LIST / GETUSER text of the key patterns ("~a* %R~b*"). */
  describeKeys(): string {
    return this.keys.map((k) => (k.read && k.write ? '~' : k.read ? '%R~' : '%W~') + k.pattern).join(' ');
  }

  describeChannels(): string {
    return this.channels.map((c) => '&' + c).join(' ');
  }

  describeCommands(): string {
    return this.commandRules.join(' ');
  }

  /** The selector as ACL LIST writes it: keys, channels (after resetchannels), commands. */
  describe(): string {
    const parts: string[] = [];
    const keys = this.describeKeys();
    if (keys) parts.push(keys);
    if (!this.allChannels) parts.push('resetchannels');
    const ch = this.describeChannels();
    if (ch) parts.push(ch);
    parts.push(this.describeCommands());
    return parts.join(' ');
  }
}
