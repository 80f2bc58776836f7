// Process-level startup shared by tandem-server: daemonize, pidfile, the startup log lines
// (Redis's wording), signals, then listen. Exits the process with Redis's messages on failure.

import * as fs from 'node:fs';
import * as os from 'node:os';
import { spawn } from 'node:child_process';
import { Config } from '../config/config';
import { Logger } from './log';
import { Server } from './server';
import { createServer } from './setup';
import { persistenceOf } from '../persistence/persistence';
import { aofOf } from '../persistence/aof';
import { REDIS_COMPAT_VERSION, TANDEM_VERSION } from './version';

/** Re-runs this process detached with `--daemonize no` and exits (Node cannot fork). */
export function daemonize(argv: string[]): never {
  const child = spawn(process.execPath, [...process.execArgv, ...argv, '--daemonize', 'no'], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  process.exit(0);
}

function logo(port: number): string {
  return [
    '                _._                                                  ',
    "           _.-``__ ''-._                                             ",
    `      _.-\`\`    \`.  \`_.  ''-._           Tandem ${TANDEM_VERSION} (Redis ${REDIS_COMPAT_VERSION} compatible)`,
    "  .-`` .-```.  ```\\/    _.,_ ''-._                                  ",
    " (    '      ,       .-`  | `,    )     Running in standalone mode",
    ` |\`-._\`-...-\` __...-.\`\`-._|'\` _.-'|     Port: ${port}`,
    ` |    \`-._   \`._    /     _.-'    |     PID: ${process.pid}`,
    "  `-._    `-._  `-./  _.-'    _.-'                                   ",
    '',
  ].join('\n');
}

/** Starts the server process. Resolves once listening; exits(1) on fatal errors. */
export async function startServer(config: Config, log: Logger, configFileGiven: boolean, mode: 'standalone' | 'sentinel' = 'standalone'): Promise<Server> {
  log.notice('oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo');
  log.notice(`Redis version=${REDIS_COMPAT_VERSION}, bits=64, commit=00000000, modified=0, pid=${process.pid}, just started`);
  log.notice(`Tandem version=${TANDEM_VERSION}, node=${process.version}`);
  if (configFileGiven) log.notice('Configuration loaded');
  else log.warning('Warning: no config file specified, using the default config. In order to specify a config file use tandem-server /path/to/redis.conf');

  let server: Server;
  try {
    server = createServer(config, log, undefined, mode);
  } catch (e) {
    log.warning(`Fatal error: ${(e as Error).message}`);
    process.exit(1);
  }
  const port = config.int('port');
  if (config.bool('always-show-logo')) log.raw(logo(port) + '\n');
  log.notice(`Running mode=${mode}, port=${port}.`);
  log.notice(`PID: ${process.pid}`);
  // The dataset is in memory before the first client can connect (exits on a corrupt file).
  // With appendonly yes the AOF is the dataset (Redis's loading order); otherwise the RDB file.
  if (mode === 'standalone' && !aofOf(server).loadAtStartup()) persistenceOf(server).loadAtStartup();

  // As Redis: the pidfile exists and signals shut down gracefully before any client is served.
  const pidfile = config.str('pidfile');
  if (pidfile !== '') {
    try {
      fs.writeFileSync(pidfile, `${process.pid}\n`);
    } catch (e) {
      log.warning(`Failed to write PID file: ${(e as Error).message}`);
    }
  }
  installSignalHandlers(server);
  try {
    await server.listen();
  } catch (e) {
    log.warning((e as Error).message);
    if (pidfile !== '') fs.rmSync(pidfile, { force: true });
    process.exit(1);
  }
  log.notice('Server initialized');
  server.startCron();
  server.sentinel?.start();
  log.notice(`Ready to accept connections ${port !== 0 ? 'tcp' : 'unix'}`);
  if (os.platform() !== 'linux') log.verbose('Not running on Linux: some INFO fields are estimated.');
  return server;
}

function installSignalHandlers(server: Server): void {
  const onSignal = (name: 'SIGTERM' | 'SIGINT') => {
    server.log.warning(`Received ${name} scheduling shutdown...`);
    const cfg = server.config.str(name === 'SIGTERM' ? 'shutdown-on-sigterm' : 'shutdown-on-sigint');
    const words = cfg.split(' ');
    server.shutdown({
      save: words.includes('save') ? true : words.includes('nosave') ? false : null,
      now: words.includes('now'),
      force: words.includes('force'),
    });
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGHUP', () => server.log.reopen());
}
