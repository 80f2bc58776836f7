// Temporary directories for tests: server data dirs, config files, pidfiles, sockets. Each is
// removed when the test file's process exits, unless it exits with a failure, when they are kept
// (with the server logs in them) for whoever reads the failure. Before, every directory stayed:
// 21,000 of them (1.3 GB) had piled up in /tmp on the dev machine.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const created: string[] = [];

process.on('exit', (code) => {
  if (code !== 0) return;
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});

/** A new empty directory under the system's temp dir, named `<prefix>XXXXXX`, with no symlinks in its path. */
export function tempDir(prefix: string): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  created.push(dir);
  return dir;
}
