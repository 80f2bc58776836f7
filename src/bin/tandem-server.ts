#!/usr/bin/env node
// tandem-server: the Redis-compatible server. Accepts redis-server's command line:
//   tandem-server [/path/to/redis.conf] [--name value ...] [-v|--version] [-h|--help]

import * as path from 'node:path';
import { Config } from '../config/config';
import { ConfigFileError, loadServerConfig, parseCommandLine } from '../config/config-file';
import { Logger, LogLevel } from '../server/log';
import { daemonize, startServer } from '../server/startup';
import { REDIS_COMPAT_VERSION, TANDEM_VERSION } from '../server/version';

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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
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
  const config = new Config();
  try {
    loadServerConfig(config, cmd);
  } catch (e) {
    if (e instanceof ConfigFileError) process.stderr.write(e.report);
    else process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
  if (config.bool('daemonize')) daemonize(process.argv.slice(1));
  const log = new Logger();
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
  await startServer(config, log, cmd.configFile !== null);
}

void main();
