// ACL LOG: recent permission denials and failed AUTHs, newest first, at most acllog-max-len.
// A denial like a recent one (same reason, context, object and user, within 60 s) bumps that
// entry's count instead of adding a new one, as Redis does.

import type { Server } from '../server/server';
import type { Client } from '../server/client';
import { clientInfoLine } from '../commands/client';

const GROUPING_MS = 60_000;

export interface AclLogEntry {
  count: number;
  reason: 'command' | 'key' | 'channel' | 'auth';
  context: 'toplevel' | 'multi' | 'lua';
  object: string;
  username: string;
  createdAt: number;
  clientInfo: string;
}

export class AclLog {
  entries: AclLogEntry[] = [];

  constructor(private readonly server: Server) {}

  add(c: Client, reason: AclLogEntry['reason'], object: string, context: AclLogEntry['context'], username = c.user): void {
    const now = this.server.clock.now();
    const similar = this.entries.find(
      (e) => e.reason === reason && e.context === context && e.object === object && e.username === username && now - e.createdAt < GROUPING_MS,
    );
    if (similar) {
      similar.count++;
      similar.createdAt = now;
      similar.clientInfo = clientInfoLine(c, now);
      this.entries = [similar, ...this.entries.filter((e) => e !== similar)];
      return;
    }
    this.entries.unshift({ count: 1, reason, context, object, username, createdAt: now, clientInfo: clientInfoLine(c, now) });
    const max = this.server.config.int('acllog-max-len');
    if (this.entries.length > max) this.entries.length = Math.max(max, 0);
  }

  reset(): void {
    this.entries = [];
  }
}
