// What ACL rules can name: every command and subcommand by its original name (rename-command
// does not change ACL rules, as in Redis) and the members of each ACL category, derived from
// the command declarations.

import { aclCategories, CommandSpec } from '../commands/command';

/** Redis 7.0's categories, in the order ACL CAT lists them. */
export const ACL_CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream',
  'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
];

export class CommandCatalog {
  private readonly names: string[] = [];
  private readonly known = new Set<string>();
  private readonly byCategory = new Map<string, string[]>();
  private readonly containers = new Map<string, string[]>();

  constructor(specs: readonly CommandSpec[]) {
    for (const c of ACL_CATEGORIES) this.byCategory.set(c, []);
    for (const spec of specs) {
      this.add(spec.name, spec);
      if (spec.subcommands) {
        const subs = spec.subcommands.map((s) => `${spec.name}|${s.name}`);
        this.containers.set(spec.name, subs);
        spec.subcommands.forEach((s, i) => this.add(subs[i], s));
      }
    }
  }

  private add(fullName: string, spec: CommandSpec): void {
    this.names.push(fullName);
    this.known.add(fullName);
    for (const cat of aclCategories(spec)) this.byCategory.get(cat)?.push(fullName);
  }

  allNames(): string[] {
    return this.names;
  }

  /** Members of a category, or undefined for an unknown category. */
  category(name: string): string[] | undefined {
    return this.byCategory.get(name);
  }

  /** The full names a `+name` rule covers (a container covers its subcommands), or undefined. */
  expand(name: string): string[] | undefined {
    const subs = this.containers.get(name);
    if (subs) return [name, ...subs];
    return this.known.has(name) ? [name] : undefined;
  }
}
