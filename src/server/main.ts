// The server process's main: redis-server's command line, the config file, daemonizing, the
// log, then startServer. The tandem-server and tandem-sentinel executables call serverMain.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Config } from '../config/config';
import { ConfigFileError, ConfigAbortError, loadServerConfig, parseCommandLine } from '../config/config-file';
import { ALL_COMMANDS } from '../commands/index';
import { Logger, LogLevel } from './log';
import { daemonize, startServer } from './startup';
import { REDIS_COMPAT_VERSION, TANDEM_VERSION } from './version';
import { SENTINEL_DEFAULT_PORT } from '../sentinel/sentinel-mode';

const USAGE = `Usage: ./tandem-server [/path/to/redis.conf] [options] [-]
       ./tandem-server - (read config from stdin)
       ./tandem-server -v or --version
       ./tandem-server -h or --help

Examples:
       ./tandem-server (run the server with default conf)
       ./tandem-server /etc/redis/6379.conf
       ./tandem-server --port 7777
       ./tandem-server --port 7777 --replicaof 127.0.0.1 8888
       ./tandem-server /etc/myredis.conf --loglevel verbose -
       ./tandem-server /etc/myredis.conf --loglevel verbose
`;

/**
 * Runs redis-server's command line as a server process, or as a sentinel when `sentinel` (the
 * tandem-sentinel executable) or `--sentinel` says so. Exits with Redis's messages on errors.
 */
export async function serverMain(args: string[], sentinel: boolean): Promise<void> {
  const cmd = parseCommandLine(args);
  if (cmd.version) {
    process.stdout.write(`Redis server v=${REDIS_COMPAT_VERSION} sha=00000000:0 malloc=libc bits=64 build=tandem-${TANDEM_VERSION}\n`);
    return;
  }
  if (cmd.help) {
    process.stderr.write(USAGE);
    return;
  }
  if (cmd.unsupported !== null) {
    process.stderr.write(`tandem-server does not support '${cmd.unsupported}'.\n\n${USAGE}`);
    process.exit(1);
  }
  if (sentinel) cmd.sentinel = true;
  const sentinelMode = cmd.sentinel;
  const config = new Config();
  try {
    if (cmd.configFromStdin) logBeforeStart('Reading config from stdin');
    loadServerConfig(config, cmd, { commandNames: ALL_COMMANDS.map((s) => s.name) });
  } catch (e) {
    if (e instanceof ConfigFileError) process.stderr.write(e.report);
    else if (e instanceof ConfigAbortError) logBeforeStart(e.message);
    else process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
  if (sentinelMode) prepareSentinelConfig(config);
  if (config.bool('daemonize')) daemonize(process.argv.slice(1));
  const log = new Logger();
  if (sentinelMode) log.role = 'X';
  log.level = config.str('loglevel') as LogLevel;
  try {
    log.setFile(config.str('logfile'));
  } catch (e) {
    process.stderr.write(`Can't open the log file: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const dir = config.str('dir');
  try {
    process.chdir(path.resolve(dir));
  } catch (e) {
    log.warning(`Can't chdir to '${dir}': ${(e as Error).message}`);
    process.exit(1);
  }
  await startServer(config, log, cmd.configFile !== null, sentinelMode ? 'sentinel' : 'standalone');
}

/** A sentinel needs a writable config file for its state, and listens on 26379 by default. */
function prepareSentinelConfig(config: Config): void {
  if (config.file === '') {
    process.stderr.write('Sentinel needs config file on disk to save state. Exiting...\n');
    process.exit(1);
  }
  try {
    fs.accessSync(config.file, fs.constants.W_OK);
  } catch (e) {
    process.stderr.write(`Sentinel config file ${config.file} is not writable: ${(e as Error).message}. Exiting...\n`);
    process.exit(1);
  }
  if (!config.wasSetInFile('port')) config.set('port', [String(SENTINEL_DEFAULT_PORT)], 'file');
}

/** Warnings redis-server logs while reading its config (one per line), before the log file is set. */
function logBeforeStart(message: string): void {
  const log = new Logger();
  log.role = 'C';
  for (const line of message.split('\n')) log.warning(line);
}
