// Loads redis.conf files and redis-server style command lines into a Config.
//
// A file is read line by line: comments (#) and blank lines are skipped, each line is split with
// Redis's quoting rules, and the directive name is case-insensitive. `include` pulls in another
// file at that point. Command-line options (`--port 6380 --replicaof 127.0.0.1 6379`) act as
// extra lines after the file, as in redis-server.
//
// On error: throws ConfigFileError, whose `report` is Redis's FATAL CONFIG FILE ERROR text
// (line number, the line, the reason); the server prints it and exits 1 without touching data.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Config, ConfigError } from './config';
import { splitArgs } from '../protocol/split-args';
import { REDIS_COMPAT_VERSION } from '../server/version';

export class ConfigFileError extends Error {
  constructor(
    readonly lineNo: number,
    readonly line: string,
    readonly reason: string,
  ) {
    super(reason);
  }

  get report(): string {
    return `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_COMPAT_VERSION}) ***\nReading the configuration file, at line ${this.lineNo}\n>>> '${this.line}'\n${this.reason}\n`;
  }
}

/** Applies one directive (name + arguments). Throws ConfigError with Redis's reason. */
export function applyDirective(config: Config, name: string, args: string[], baseDir: string): void {
  const lname = name.toLowerCase();
  switch (lname) {
    case 'include': {
      if (args.length !== 1) throw new ConfigError('Bad directive or wrong number of arguments');
      const target = path.resolve(baseDir, args[0]);
      let text: string;
      try {
        text = fs.readFileSync(target, 'latin1');
      } catch (e) {
        throw new ConfigError(`Fatal error, can't open config file '${args[0]}': ${(e as Error).message}`);
      }
      loadConfigText(config, text, path.dirname(target));
      return;
    }
    case 'user':
      if (args.length < 1) throw new ConfigError('Bad directive or wrong number of arguments');
      config.users.push(args);
      return;
    case 'rename-command':
      if (args.length !== 2) throw new ConfigError('Bad directive or wrong number of arguments');
      config.renames.push([args[0], args[1]]);
      return;
    case 'sentinel':
      config.sentinel.push(args);
      return;
    case 'loadmodule':
      config.modules.push(args);
      return;
  }
  const def = config.def(lname);
  if (!def) throw new ConfigError('Bad directive or wrong number of arguments');
  if (def.kind !== 'special' && args.length !== 1) throw new ConfigError('Bad directive or wrong number of arguments');
  config.set(lname, args, 'file');
}

/** Loads redis.conf text. Throws ConfigFileError on the first bad line. */
export function loadConfigText(config: Config, text: string, baseDir: string): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const argv = splitArgs(line);
    if (argv === null) throw new ConfigFileError(i + 1, line, 'Unbalanced quotes in configuration line');
    if (argv.length === 0) continue;
    try {
      applyDirective(config, argv[0], argv.slice(1), baseDir);
    } catch (e) {
      if (e instanceof ConfigFileError) throw e;
      if (e instanceof ConfigError) throw new ConfigFileError(i + 1, line, e.message);
      throw e;
    }
  }
}

/** Quotes an argument as redis-server does when it turns command-line options into config lines. */
function quoteArg(s: string): string {
  return /^[\x21-\x7e]+$/.test(s) && !/["'\\]/.test(s) ? s : JSON.stringify(s);
}

export interface CommandLine {
  configFile: string | null;
  /** Config lines built from the --name value options. */
  optionLines: string[][];
  version: boolean;
  help: boolean;
  /** Options redis-server has that Tandem does not (e.g. --test-memory): refused clearly. */
  unsupported: string | null;
  sentinel: boolean;
}

/** Parses redis-server's command line: [configfile] [--name value ...] [-v] [-h]. */
export function parseCommandLine(argv: string[]): CommandLine {
  const out: CommandLine = { configFile: null, optionLines: [], version: false, help: false, unsupported: null, sentinel: false };
  let i = 0;
  if (argv.length === 1 && (argv[0] === '-v' || argv[0] === '--version')) out.version = true;
  if (argv.length === 1 && (argv[0] === '-h' || argv[0] === '--help')) out.help = true;
  if (out.version || out.help) return out;
  if (argv.length > 0 && argv[0] === '--test-memory') {
    out.unsupported = '--test-memory';
    return out;
  }
  if (argv.length > 0 && !argv[0].startsWith('--')) {
    out.configFile = argv[0];
    i = 1;
  }
  let current: string[] | null = null;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--sentinel') {
      out.sentinel = true;
      continue;
    }
    if (a.startsWith('--') && a.length > 2) {
      current = [a.slice(2)];
      out.optionLines.push(current);
    } else if (current) {
      current.push(a);
    } else {
      out.unsupported = a;
      return out;
    }
  }
  return out;
}

/**
 * Loads the config file (if any) and then the command-line options, as redis-server does.
 * Throws ConfigFileError (with Redis's report) or an Error for an unreadable file.
 */
export function loadServerConfig(config: Config, cmd: CommandLine): void {
  let text = '';
  let baseDir = process.cwd();
  if (cmd.configFile !== null) {
    if (cmd.configFile === '-') {
      text = fs.readFileSync(0, 'latin1');
    } else {
      const file = path.resolve(cmd.configFile);
      try {
        text = fs.readFileSync(file, 'latin1');
      } catch (e) {
        throw new Error(`Fatal error, can't open config file '${file}': ${(e as NodeJS.ErrnoException).message}`);
      }
      config.file = file;
    }
  }
  const fileLines = text === '' ? 0 : text.split('\n').length;
  loadConfigText(config, text, baseDir);
  cmd.optionLines.forEach((words, idx) => {
    const line = words.map((w, j) => (j === 0 ? w : quoteArg(w))).join(' ');
    try {
      applyDirective(config, words[0], words.slice(1), baseDir);
    } catch (e) {
      if (e instanceof ConfigFileError) throw e;
      if (e instanceof ConfigError) throw new ConfigFileError(fileLines + idx + 1, line, e.message);
      throw e;
    }
  });
}
