// SLOWLOG: the last `slowlog-max-len` commands that took longer than
// `slowlog-log-slower-than` microseconds (negative disables, 0 logs everything), with Redis's
// trimming of long argument lists (32 args) and long arguments (128 chars), and its redaction of
// secrets (also applied to MONITOR's feed).

import type { Client } from './client';
import type { Config } from '../config/config';

const MAX_ARGC = 32;
const MAX_ARG_LEN = 128;
const REDACTED = '(redacted)';

/**
 * The argv as SLOWLOG and MONITOR show it, with secrets replaced by "(redacted)" where Redis 7.0
 * redacts them: AUTH's arguments, HELLO's and MIGRATE's AUTH/AUTH2 credentials, everything after
 * ACL SETUSER, and CONFIG SET values of sensitive directives (passwords).
 */
export function redactSecrets(argv: string[], config: Config): string[] {
  const name = argv[0].toLowerCase();
  const sub = argv.length > 1 ? argv[1].toLowerCase() : '';
  const hidden: number[] = [];
  if (name === 'auth' || (name === 'acl' && sub === 'setuser')) {
    for (let i = name === 'auth' ? 1 : 2; i < argv.length; i++) hidden.push(i);
  } else if (name === 'hello') {
    for (let i = 2; i < argv.length; i++) {
      const opt = argv[i].toLowerCase();
      if (opt === 'auth' && i + 2 < argv.length) hidden.push(++i, ++i);
      else if (opt === 'setname') i++;
    }
  } else if (name === 'migrate') {
    for (let i = 6; i < argv.length; i++) {
      const opt = argv[i].toLowerCase();
      if (opt === 'auth') hidden.push(++i);
      else if (opt === 'auth2') hidden.push(++i, ++i);
      else if (opt === 'keys') break;
    }
  } else if (name === 'config' && sub === 'set') {
    for (let i = 2; i + 1 < argv.length; i += 2) if (config.def(argv[i])?.sensitive === true) hidden.push(i + 1);
  }
  if (hidden.length === 0) return argv;
  const out = argv.slice();
  for (const i of hidden) if (i < out.length) out[i] = REDACTED;
  return out;
}

export interface SlowLogEntry {
  id: number;
  time: number; // unix seconds
  usec: number;
  argv: string[];
  addr: string;
  name: string;
}

export class SlowLog {
  entries: SlowLogEntry[] = []; // newest first
  private nextId = 0;
  /** slowlog-log-slower-than, followed through CONFIG SET: record() runs after every command. */
  private threshold: number;

  constructor(private readonly config: Config) {
    this.threshold = config.int('slowlog-log-slower-than');
    config.watch('slowlog-log-slower-than', (v) => {
      this.threshold = v as number;
    });
  }

  record(c: Client, argv: string[], usec: number): void {
    const threshold = this.threshold;
    if (threshold < 0 || usec < threshold) return;
    argv = redactSecrets(argv, this.config);
    const n = Math.min(argv.length, MAX_ARGC);
    const args: string[] = [];
    for (let i = 0; i < n; i++) {
      if (i === MAX_ARGC - 1 && argv.length > MAX_ARGC) {
        args.push(`... (${argv.length - MAX_ARGC + 1} more arguments)`);
        break;
      }
      const a = argv[i];
      args.push(a.length > MAX_ARG_LEN ? `${a.slice(0, MAX_ARG_LEN)}... (${a.length - MAX_ARG_LEN} more bytes)` : a);
    }
    this.entries.unshift({ id: this.nextId++, time: Math.floor(Date.now() / 1000), usec, argv: args, addr: c.addr, name: c.name });
    const max = this.config.int('slowlog-max-len');
    if (this.entries.length > max) this.entries.length = Math.max(max, 0);
  }

  reset(): void {
    this.entries = [];
  }
}
