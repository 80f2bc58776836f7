// Users and authentication. Until the full ACL system lands this knows the one `default` user,
// whose password is `requirepass` (no password: every connection is authenticated as default).
// Passwords are compared through SHA-256 digests with timingSafeEqual, so the comparison takes
// the same time whatever the input.

import * as crypto from 'node:crypto';
import type { Config } from '../config/config';

function sha256(s: string): Buffer {
  return crypto.createHash('sha256').update(Buffer.from(s, 'latin1')).digest();
}

export class Acl {
  constructor(private readonly config: Config) {}

  /** True when the user exists, is on, and the password matches. */
  authenticate(user: string, password: string): boolean {
    if (user !== 'default') return false;
    const required = this.config.str('requirepass');
    if (required === '') return true;
    return crypto.timingSafeEqual(sha256(password), sha256(required));
  }

  /** True when the default user needs no password (AUTH then replies a configuration hint). */
  defaultUserIsNopass(): boolean {
    return this.config.str('requirepass') === '';
  }
}
