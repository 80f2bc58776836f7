// notification-script and client-reconfig-script: run with the documented arguments, at most a
// few at a time, killed after 60 s, and never allowed to block the event loop.

import { execFile } from 'node:child_process';
import type { Sentinel } from './sentinel';

const MAX_RUNNING = 16;
const SCRIPT_TIMEOUT_MS = 60000;

let running = 0;
const queue: Array<[string, string[]]> = [];

/** Scripts started and not finished, plus those waiting (SENTINEL PENDING-SCRIPTS, INFO). */
export function scriptCounts(): { running: number; queued: number } {
  return { running, queued: queue.length };
}

export function runScript(s: Sentinel, path: string, args: string[]): void {
  queue.push([path, args]);
  drain(s);
}

function drain(s: Sentinel): void {
  while (running < MAX_RUNNING && queue.length > 0) {
    const [path, args] = queue.shift()!;
    running++;
    execFile(path, args, { timeout: SCRIPT_TIMEOUT_MS }, (err) => {
      running--;
      if (err) s.server.log.warning(`-script-error ${path} ${err.message}`);
      drain(s);
    });
  }
}
