// SLOWLOG: the last `slowlog-max-len` commands that took longer than
// `slowlog-log-slower-than` microseconds (negative disables, 0 logs everything), with Redis's
// trimming of long argument lists (32 args) and long arguments (128 chars).

import type { Client } from './client';
import type { Config } from '../config/config';

const MAX_ARGC = 32;
const MAX_ARG_LEN = 128;

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

  constructor(private readonly config: Config) {}

  record(c: Client, argv: string[], usec: number): void {
    const threshold = this.config.int('slowlog-log-slower-than');
    if (threshold < 0 || usec < threshold) return;
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
