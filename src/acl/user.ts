// An ACL user: on/off, passwords (kept only as SHA-256 hex digests), nopass, and its selectors
// (the root one plus `(...)` ones). Applies SETUSER rules one at a time and describes itself the
// way ACL LIST and ACL GETUSER print users in Redis 7.0.

import * as crypto from 'node:crypto';
import { AclRuleError, Selector } from './selector';
import type { CommandCatalog } from './catalog';

export function sha256Hex(password: string): string {
  return crypto.createHash('sha256').update(Buffer.from(password, 'latin1')).digest('hex');
}

export class User {
  enabled = false;
  nopass = false;
  /** SHA-256 hex digests, in the order they were added. */
  passwords: string[] = [];
  root = new Selector();
  selectors: Selector[] = [];
  payloadFlag: '' | 'skip-sanitize-payload' | 'sanitize-payload' = '';

  constructor(
    readonly name: string,
    private readonly allChannelsByDefault: boolean,
  ) {
    if (allChannelsByDefault) this.root.channels = ['*'];
  }

  /** Applies one rule; throws AclRuleError with Redis's reason. */
  /** Whether the root selector allows every command, key and channel (cached: checked per command). */
  get unrestricted(): boolean {
    this.unrestrictedCache ??= this.root.allCommands && this.root.allKeys && this.root.allChannels;
    return this.unrestrictedCache;
  }

  private unrestrictedCache: boolean | null = null;

  applyRule(rule: string, catalog: CommandCatalog): void {
    this.unrestrictedCache = null;
    const lower = rule.toLowerCase();
    if (rule.startsWith('(') && rule.endsWith(')')) {
      const sel = new Selector();
      for (const r of rule.slice(1, -1).split(' ').filter(Boolean)) {
        if (!sel.applyRule(r, catalog)) throw new AclRuleError('Syntax error');
      }
      this.selectors.push(sel);
      return;
    }
    switch (lower) {
      case 'on':
        this.enabled = true;
        return;
      case 'off':
        this.enabled = false;
        return;
      case 'nopass':
        this.nopass = true;
        this.passwords = [];
        return;
      case 'resetpass':
        this.nopass = false;
        this.passwords = [];
        return;
      case 'skip-sanitize-payload':
      case 'sanitize-payload':
        this.payloadFlag = lower;
        return;
      case 'clearselectors':
        this.selectors = [];
        return;
      case 'reset':
        for (const r of ['resetpass', 'resetkeys', 'resetchannels', 'off', 'clearselectors', '-@all']) this.applyRule(r, catalog);
        if (this.allChannelsByDefault) this.root.channels = ['*'];
        this.payloadFlag = 'sanitize-payload';
        return;
    }
    if (rule.startsWith('>') || rule.startsWith('#')) {
      const hash = rule.startsWith('>') ? sha256Hex(rule.slice(1)) : rule.slice(1);
      if (rule.startsWith('#') && !/^[0-9a-f]{64}$/.test(hash)) {
        throw new AclRuleError('The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters');
      }
      if (!this.passwords.includes(hash)) this.passwords.push(hash);
      this.nopass = false;
      return;
    }
    if (rule.startsWith('<') || rule.startsWith('!')) {
      const hash = rule.startsWith('<') ? sha256Hex(rule.slice(1)) : rule.slice(1);
      if (rule.startsWith('!') && !/^[0-9a-f]{64}$/.test(hash)) {
        throw new AclRuleError('The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters');
      }
      const idx = this.passwords.indexOf(hash);
      if (idx < 0) throw new AclRuleError('The password you are trying to remove from the user does not exist');
      this.passwords.splice(idx, 1);
      return;
    }
    if (!this.root.applyRule(rule, catalog)) throw new AclRuleError('Syntax error');
  }

  /** True when the password matches (constant-time over each stored digest). */
  checkPassword(password: string): boolean {
    if (this.nopass) return true;
    const given = Buffer.from(sha256Hex(password), 'latin1');
    let ok = false;
    for (const h of this.passwords) {
      if (crypto.timingSafeEqual(given, Buffer.from(h, 'latin1'))) ok = true;
    }
    return ok;
  }

  flags(): string[] {
    const f = [this.enabled ? 'on' : 'off'];
    if (this.nopass) f.push('nopass');
    if (this.payloadFlag) f.push(this.payloadFlag);
    return f;
  }

  /** The rules after "user <name>" as ACL LIST and ACL SAVE write them. */
  describe(): string {
    const parts = this.flags();
    for (const h of this.passwords) parts.push('#' + h);
    parts.push(this.root.describe());
    for (const s of this.selectors) parts.push(`(${s.describe()})`);
    return parts.join(' ');
  }

  /** Whether any selector allows the command with these key/channel accesses. */
  allows(check: (s: Selector) => boolean): boolean {
    if (check(this.root)) return true;
    for (const s of this.selectors) if (check(s)) return true;
    return false;
  }
}

/**
 * Joins arguments of a `user` line split at spaces inside `(...)` selectors back into one
 * rule each, as Redis does. Returns null when a selector is not closed.
 */
export function mergeSelectorArgs(args: string[]): string[] | null {
  const out: string[] = [];
  let open: string[] | null = null;
  for (const a of args) {
    if (open === null) {
      if (a.startsWith('(') && !a.endsWith(')')) open = [a];
      else out.push(a);
    } else {
      open.push(a);
      if (a.endsWith(')')) {
        out.push(open.join(' '));
        open = null;
      }
    }
  }
  return open === null ? out : null;
}
