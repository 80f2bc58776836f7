// The command table: every command definition by name, after `rename-command` directives are
// applied (a renamed command answers only to its new name; renamed to "" it is gone and unknown,
// as in Redis).

import { CommandSpec, flagsOf } from './command';
import { ALL_COMMANDS } from './index';

export class CommandTable {
  private readonly byName = new Map<string, CommandSpec>();
  /** byName plus each name in upper case: the spellings clients send, found without lowercasing. */
  private readonly bySentName = new Map<string, CommandSpec>();

  /** Throws on a rename of an unknown command (Redis refuses to start: "No such command"). */
  constructor(renames: ReadonlyArray<[string, string]> = [], specs: CommandSpec[] = ALL_COMMANDS) {
    for (const s of specs) {
      this.byName.set(s.name, s);
      flagsOf(s);
      for (const sub of s.subcommands ?? []) flagsOf(sub);
    }
    for (const [from, to] of renames) {
      const spec = this.byName.get(from.toLowerCase());
      if (spec === undefined) throw new Error(`No such command in rename-command`);
      this.byName.delete(from.toLowerCase());
      if (to !== '') this.byName.set(to.toLowerCase(), spec);
    }
    for (const [name, spec] of this.byName) {
      this.bySentName.set(name, spec);
      // Only an upper case that lowercases back to the name finds what lookup(toLowerCase()) finds.
      const upper = name.toUpperCase();
      if (upper.toLowerCase() === name) this.bySentName.set(upper, spec);
    }
  }

  lookup(lowerName: string): CommandSpec | undefined {
    return this.byName.get(lowerName);
  }

  /** The command a client's argv[0] names, in any case: lookup(name.toLowerCase()). */
  lookupSent(name: string): CommandSpec | undefined {
    return this.bySentName.get(name) ?? this.byName.get(name.toLowerCase());
  }

  /** [name the command answers to, definition] for every available command. */
  entries(): IterableIterator<[string, CommandSpec]> {
    return this.byName.entries();
  }

  get size(): number {
    return this.byName.size;
  }
}
