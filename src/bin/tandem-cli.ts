#!/usr/bin/env node
// tandem-cli: a small redis-cli for machines without redis-tools. Same options, same output:
//   tandem-cli [-h host] [-p port] [-a password] [-n db] [-u uri] [--raw|--no-raw] [-3] [cmd [arg ...]]
// With a command it runs it once and prints the reply; without one it opens a prompt.

import { CliUsageError, parseCliArgs, USAGE } from '../cli/options';
import { repl } from '../cli/repl';
import { CliSession } from '../cli/session';
import { TANDEM_VERSION } from '../server/version';

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (d: Buffer) => chunks.push(d));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    process.stdin.on('error', reject);
  });
}

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseCliArgs(process.argv.slice(2), process.env);
  } catch (e) {
    if (!(e instanceof CliUsageError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 1;
  }
  if (opts.help) {
    process.stderr.write(USAGE);
    return 0;
  }
  if (opts.version) {
    process.stdout.write(`tandem-cli ${TANDEM_VERSION}\n`);
    return 0;
  }
  if (opts.passwordOnCommandLine && !opts.noAuthWarning) {
    process.stderr.write("Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n");
  }
  const raw = opts.raw ?? process.stdout.isTTY !== true;
  const session = new CliSession(opts, raw ? 'raw' : 'standard', {
    out: (s) => process.stdout.write(Buffer.from(s, 'latin1')),
    err: (s) => process.stderr.write(s),
  });
  if (opts.command.length === 0) {
    await repl(session, process.env);
    session.conn?.close();
    return 0;
  }
  // Arguments from the command line are UTF-8 text; commands carry bytes.
  const argv = opts.command.map((a) => Buffer.from(a, 'utf8').toString('latin1'));
  if (opts.stdinLastArg) argv.push(await readStdin());
  if (!(await session.connect())) return 1;
  const ok = await session.run(argv);
  session.conn?.close();
  return ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 1;
  },
);
