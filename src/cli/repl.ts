// tandem-cli's interactive mode: a `127.0.0.1:6379>` prompt with line editing and history
// (node:readline; history kept in ~/.tandemcli_history, or $TANDEMCLI_HISTFILE). When stdin is
// not a terminal the same loop reads commands line by line without prompting, as redis-cli does.
//
// A line is split with Redis's quoting rules; `N command` runs the command N times; `quit` and
// `exit` leave. Lines carrying passwords are kept out of the history file.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { splitArgs } from '../protocol/split-args';
import { CliSession } from './session';

const HISTORY_SIZE = 1000;

export function historyFile(env: NodeJS.ProcessEnv): string {
  return env.TANDEMCLI_HISTFILE ?? path.join(os.homedir(), '.tandemcli_history');
}

/** Commands whose arguments may include a password (redis-cli keeps these out of history too). */
export function isSensitive(argv: string[]): boolean {
  const words = argv.map((a) => a.toLowerCase());
  return (
    words[0] === 'auth' ||
    (words[0] === 'acl' && words[1] === 'setuser') ||
    (words[0] === 'hello' && words.includes('auth')) ||
    (words[0] === 'migrate' && (words.includes('auth') || words.includes('auth2'))) ||
    (words[0] === 'config' && words[1] === 'set' && (words.includes('masterauth') || words.includes('requirepass')))
  );
}

function loadHistory(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').reverse().slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

/** Typed text is UTF-8; commands carry bytes (latin1 strings). */
function toBytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

export async function repl(session: CliSession, env: NodeJS.ProcessEnv): Promise<void> {
  const interactive = process.stdin.isTTY === true;
  const histFile = historyFile(env);
  const rl = readline.createInterface({
    input: process.stdin,
    output: interactive ? process.stdout : undefined,
    terminal: interactive,
    history: interactive ? loadHistory(histFile) : [],
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: false,
    completer: (line: string, done: (err: null, result: [string[], string]) => void) => {
      session.completions(line).then(
        (found) => done(null, [found, line]),
        () => done(null, [[], line]),
      );
    },
  });
  // Ctrl-C leaves, like redis-cli: at the prompt, or while waiting for a reply (BLPOP 0,
  // SUBSCRIBE) that may never come.
  rl.on('SIGINT', () => process.exit(0));
  if (interactive) await session.connect();
  const showPrompt = () => {
    if (!interactive) return;
    rl.setPrompt(session.prompt());
    rl.prompt();
  };
  showPrompt();
  for await (const line of rl) {
    const argv = splitArgs(toBytes(line));
    if (argv === null) {
      process.stdout.write('Invalid argument(s)\n');
    } else if (argv.length > 0) {
      if (interactive && !isSensitive(argv)) {
        try {
          fs.appendFileSync(histFile, line + '\n');
        } catch {
          // An unwritable history file must not stop the session.
        }
      }
      const cmd = argv[0].toLowerCase();
      if (cmd === 'quit' || cmd === 'exit') break;
      if (cmd === 'clear' && interactive) {
        process.stdout.write('\x1b[H\x1b[2J');
      } else {
        let times = 1;
        if (argv.length > 1 && /^[0-9]+$/.test(argv[0])) {
          times = Number(argv[0]);
          argv.shift();
        }
        for (let i = 0; i < times; i++) if (!(await session.run(argv))) break;
      }
    }
    showPrompt();
  }
  rl.close();
}
