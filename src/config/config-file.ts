// Loads redis.conf files and redis-server style command lines into a Config, the way Redis 7.0's
// main() and loadServerConfigFromString() do, so that error reports match line for line:
//
// - The command-line options (`--port 6380 --replicaof 127.0.0.1 6379`) are turned into config
//   text (`port "6380"` ...: option values quoted as sdscatrepr does) appended to the file's text
//   after a newline; line numbers count through the whole text.
// - Each line is trimmed; blank lines and # comments are skipped; the rest is split with Redis's
//   quoting rules and the directive name is case-insensitive. A single argument of a
//   multi-argument directive is split again (`--save "900 1 300 10"`).
// - `include` reads another file (or every file a wildcard matches) at that point, with its own
//   line numbers, relative to the current directory as fopen() sees it.
//
// On a bad line: throws ConfigFileError, whose `report` is Redis's FATAL CONFIG FILE ERROR text.
// A file that cannot be opened (and modules): throws ConfigAbortError with Redis's log message.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Config, ConfigError, strerror } from './config';
import { splitArgs } from '../protocol/split-args';
import { repr } from '../protocol/repr';
import { globMatch } from '../keyspace/glob';
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

/**
 * A problem Redis reports as a log line before exiting rather than as a FATAL CONFIG FILE ERROR:
 * a config file that cannot be read, modules (Tandem loads none), module parameters.
 */
export class ConfigAbortError extends Error {}

/** Directives Redis 7.0 still accepts (with one argument) and ignores. */
const DEPRECATED_DIRECTIVES = new Set(['list-max-ziplist-entries', 'list-max-ziplist-value', 'lua-replicate-commands']);

/** Options for loading: the command names rename-command may refer to (all when absent). */
export interface LoadOptions {
  commandNames?: Iterable<string>;
}

/** Reads a config file, or every file a wildcard pattern matches (none is fine), as Redis does. */
function readConfigFiles(name: string): string {
  const read = (file: string): string => {
    try {
      return fs.readFileSync(file, 'latin1');
    } catch (e) {
      throw new ConfigAbortError(`Fatal error, can't open config file '${file}': ${strerror(e)}`);
    }
  };
  if (!/[*?[]/.test(name)) return read(name);
  const dir = path.dirname(name);
  let entries: string[];
  try {
    entries = fs.readdirSync(dir).sort();
  } catch {
    return '';
  }
  const base = path.basename(name);
  return entries
    .filter((e) => globMatch(base, e) && !(e.startsWith('.') && !base.startsWith('.')))
    .map((e) => read(path.join(dir, e)))
    .join('');
}

/** Loads config text (a file's content plus options). Throws ConfigFileError on the first bad line. */
export function loadConfigText(config: Config, text: string, opts: LoadOptions = {}): void {
  loadLines(config, text, new RenameTracker(opts.commandNames));
}

/** Loads text line by line; included files share the renames seen so far. */
function loadLines(config: Config, text: string, renames: RenameTracker): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '' || line.startsWith('#')) continue;
    const argv = splitArgs(line);
    try {
      if (argv === null) throw new ConfigError('Unbalanced quotes in configuration line');
      if (argv.length === 0) continue;
      applyDirective(config, argv[0].toLowerCase(), argv.slice(1), renames);
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigFileError(i + 1, line, e.message);
      throw e;
    }
  }
}

/** Applies one directive (lowercase name + arguments). Throws ConfigError with Redis's reason. */
function applyDirective(config: Config, name: string, args: string[], renames: RenameTracker): void {
  const def = config.def(name);
  if (def) {
    if (!def.multiArg && args.length !== 1) throw new ConfigError('wrong number of arguments');
    // "--save '900 1 300 10'" and `save "900 1"`: one argument of a multi-argument directive is split.
    const values = def.multiArg && args.length === 1 && args[0] !== '' ? (splitArgs(args[0]) ?? []) : args;
    config.set(name, values, 'file');
    return;
  }
  if (DEPRECATED_DIRECTIVES.has(name) && args.length === 1) return;
  if (name === 'include' && args.length === 1) {
    loadLines(config, readConfigFiles(args[0]), renames);
  } else if (name === 'rename-command' && args.length === 2) {
    renames.rename(args[0], args[1]);
    config.renames.push([args[0], args[1]]);
  } else if (name === 'user' && args.length >= 1) {
    config.users.push(args);
  } else if (name === 'loadmodule' && args.length >= 1) {
    config.modules.push(args);
  } else if (name.includes('.')) {
    if (args.length < 1) throw new ConfigError('Module config specified without value');
    config.moduleConfigs.push([name, ...args]);
  } else if (name === 'sentinel') {
    if (args.length === 0) return;
    if (!config.sentinelMode) throw new ConfigError('sentinel directive while not in sentinel mode');
    config.sentinel.push(args);
  } else {
    throw new ConfigError('Bad directive or wrong number of arguments');
  }
}

/** Follows rename-command lines so that renaming a missing command or onto an existing one fails. */
class RenameTracker {
  private readonly names: Set<string> | null;

  constructor(commandNames: Iterable<string> | undefined) {
    this.names = commandNames === undefined ? null : new Set([...commandNames].map((n) => n.toLowerCase()));
  }

  rename(from: string, to: string): void {
    if (this.names === null) return;
    const f = from.toLowerCase();
    const t = to.toLowerCase();
    if (!this.names.has(f)) throw new ConfigError('No such command in rename-command');
    if (t !== '' && this.names.has(t)) throw new ConfigError('Target command name already exists');
    this.names.delete(f);
    if (t !== '') this.names.add(t);
  }
}

export interface CommandLine {
  configFile: string | null;
  /** Read config text from stdin ("-" as the first or last argument). */
  configFromStdin: boolean;
  /** The command-line options as config text, one directive per line. */
  options: string;
  version: boolean;
  help: boolean;
  /** Options redis-server has that Tandem does not (e.g. --test-memory): refused clearly. */
  unsupported: string | null;
  sentinel: boolean;
}

/**
 * Parses redis-server's command line: [configfile] [--name value ...] [-] [-v] [-h], turning the
 * options into config text exactly as Redis 7.0's main() does (values quoted with sdscatrepr, a
 * bare `--save` meaning `save ""`, `--sentinel` as a flag).
 */
export function parseCommandLine(argv: string[]): CommandLine {
  const out: CommandLine = { configFile: null, configFromStdin: false, options: '', version: false, help: false, unsupported: null, sentinel: false };
  if (argv.length === 0) return out;
  if (argv[0] === '-v' || argv[0] === '--version') out.version = true;
  if (argv[0] === '-h' || argv[0] === '--help') out.help = true;
  if (argv[0] === '--test-memory') out.unsupported = '--test-memory';
  if (out.version || out.help || out.unsupported) return out;
  let j = 0;
  if (!argv[0].startsWith('-')) {
    out.configFile = argv[0];
    j = 1;
  }
  let options = '';
  let handledLastConfigArg = true;
  for (; j < argv.length; j++) {
    const a = argv[j];
    const last = j === argv.length - 1;
    const nextIsOption = !last && argv[j + 1].startsWith('--');
    if (a === '-' && (j === 0 || last)) {
      out.configFromStdin = true;
    } else if (handledLastConfigArg && a.startsWith('--')) {
      if (options !== '') options += '\n';
      options += a.slice(2) + ' ';
      if (a.toLowerCase() === '--sentinel') out.sentinel = true;
      const words = splitArgs(a);
      if (words !== null && words.length === 1) {
        // Only the option name: its value follows (or, for --save, may be missing: `save ""`).
        handledLastConfigArg = false;
        const lname = a.toLowerCase();
        if (lname === '--save' && (last || nextIsOption)) {
          options += '""';
          handledLastConfigArg = nextIsOption;
        } else if (lname === '--sentinel' && nextIsOption) {
          handledLastConfigArg = true;
        }
      } else {
        // "--port 6380" as one argument: name and value together.
        handledLastConfigArg = true;
      }
    } else {
      options += repr(a) + ' ';
      handledLastConfigArg = true;
    }
  }
  out.options = options;
  return out;
}

/**
 * Loads the config file (if any), stdin (with "-") and then the command-line options, as
 * redis-server does. Throws ConfigFileError (with Redis's report) or ConfigAbortError.
 */
export function loadServerConfig(config: Config, cmd: CommandLine, opts: LoadOptions = {}): void {
  config.sentinelMode = cmd.sentinel;
  let text = '';
  if (cmd.configFile !== null) {
    const file = path.resolve(cmd.configFile);
    config.file = file;
    text += readConfigFiles(file);
  }
  if (cmd.configFromStdin) text += fs.readFileSync(0, 'latin1');
  text += '\n' + cmd.options;
  loadConfigText(config, text, opts);
  // Redis loads modules after the config; Tandem has none to load, so it stops where Redis would.
  if (config.modules.length > 0) {
    const file = config.modules[0][0];
    throw new ConfigAbortError(`Module ${file} failed to load: Tandem does not load Redis modules\nCan't load module from ${file}: server aborting`);
  }
  if (config.moduleConfigs.length > 0) {
    throw new ConfigAbortError('Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting');
  }
}
