// The checks a command passes before it runs, after lookup, arity and authentication. Each
// module that can refuse a command (ACL, maxmemory, read-only replica, min-replicas, loading,
// pub/sub context, ...) adds one check; setup.ts adds them in Redis's order, so that order can be
// read in one place. A check returns the error to reply (without the leading '-') or null.
//
// A queuer (MULTI) may take the command instead of running it; rejection hooks let MULTI mark
// the transaction as failed (EXECABORT) when a queued command is refused.

import type { Client } from './client';
import type { CommandSpec } from '../commands/command';

export type CommandCheck = (c: Client, spec: CommandSpec, argv: string[], fullName: string) => string | null;
export type CommandQueuer = (c: Client, spec: CommandSpec, argv: string[], fullName: string) => boolean;

export class CommandGates {
  /** Checks Redis makes before authentication (protected commands: DEBUG, MODULE). */
  private readonly preAuthChecks: CommandCheck[] = [];
  private readonly checks: CommandCheck[] = [];
  private readonly queuers: CommandQueuer[] = [];
  private readonly rejectionHooks: Array<(c: Client) => void> = [];

  addPreAuthCheck(check: CommandCheck): void {
    this.preAuthChecks.push(check);
  }

  /** The first refusal among the checks that come before authentication, or null. */
  checkBeforeAuth(c: Client, spec: CommandSpec, argv: string[], fullName: string): string | null {
    const checks = this.preAuthChecks;
    for (let i = 0; i < checks.length; i++) {
      const err = checks[i](c, spec, argv, fullName);
      if (err !== null) return err;
    }
    return null;
  }

  addCheck(check: CommandCheck): void {
    this.checks.push(check);
  }

  addQueuer(q: CommandQueuer): void {
    this.queuers.push(q);
  }

  onRejection(hook: (c: Client) => void): void {
    this.rejectionHooks.push(hook);
  }

  /** The first refusal, or null when every check passes. */
  check(c: Client, spec: CommandSpec, argv: string[], fullName: string): string | null {
    const checks = this.checks;
    for (let i = 0; i < checks.length; i++) {
      const err = checks[i](c, spec, argv, fullName);
      if (err !== null) return err;
    }
    return null;
  }

  /** True when a queuer took the command (it must not run now). */
  queue(c: Client, spec: CommandSpec, argv: string[], fullName: string): boolean {
    for (const q of this.queuers) if (q(c, spec, argv, fullName)) return true;
    return false;
  }

  afterRejection(c: Client): void {
    for (const h of this.rejectionHooks) h(c);
  }
}
