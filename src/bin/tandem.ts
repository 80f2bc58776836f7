#!/usr/bin/env node
// tandem: the project's umbrella command. `tandem up` starts a local master + replicas topology
// (what `npm start` runs); see src/topology/up.ts.

import * as path from 'node:path';
import { parseUpArgs, up, UpUsageError, UP_USAGE } from '../topology/up';

const USAGE = `Usage: tandem <command> [options]

Commands:
  up      start a master and replicas locally (tandem up --help)
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd !== 'up') {
    process.stderr.write(cmd === undefined || cmd === 'help' || cmd === '--help' ? USAGE : `Unknown command '${cmd}'.\n\n${USAGE}`);
    return cmd === undefined || cmd === 'help' || cmd === '--help' ? 0 : 1;
  }
  if (rest.includes('--help')) {
    process.stdout.write(UP_USAGE);
    return 0;
  }
  let opts;
  try {
    opts = parseUpArgs(rest);
  } catch (e) {
    if (!(e instanceof UpUsageError)) throw e;
    process.stderr.write(`${e.message}\n\n${UP_USAGE}`);
    return 1;
  }
  // If the output goes to a pipe that is gone (`tandem up | tee` after Ctrl-C), keep stopping the
  // nodes rather than dying on EPIPE.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  return up(opts, path.join(__dirname, 'tandem-server.js'), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    process.stderr.write(`tandem: ${e.message}\n`);
    process.exitCode = 1;
  },
);
