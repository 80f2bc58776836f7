// Starts real tandem-server (or redis-server) processes on free ports for integration tests and
// stops them afterwards. Output goes to a log file in a temp dir, so a failing test can show it.

import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from './ports';
import { RespClient } from './resp-client';
import { waitFor } from './wait';
import { SERVER_NODE_FLAGS } from '../../src/server/node-flags';
import { tempDir } from './temp-dir';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const TANDEM_SERVER = path.join(REPO_ROOT, 'dist', 'src', 'bin', 'tandem-server.js');

export interface ServerProcess {
  port: number;
  dir: string;
  proc: ChildProcess;
  logFile: string;
  log(): string;
  client(): Promise<RespClient>;
  /** SIGTERM (or the given signal) and wait for exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  /** Config file path (first argument), if any. */
  configFile?: string;
  /** Extra `--name value` arguments. */
  args?: string[];
  /** Start real redis-server instead of Tandem. */
  redis?: boolean;
  /** Use this port instead of a free one. */
  port?: number;
  /** Data dir (default: a fresh temp dir). */
  dir?: string;
}

/**
 * Node flags for every tandem-server started here: the server's own (node-flags.ts), or those in
 * TANDEM_NODE_FLAGS ('--a --b', or '' for none) to try other V8 options in benchmarks.
 */
const NODE_FLAGS = process.env.TANDEM_NODE_FLAGS === undefined ? SERVER_NODE_FLAGS : process.env.TANDEM_NODE_FLAGS.split(' ').filter(Boolean);

export async function startServer(opts: StartOptions = {}): Promise<ServerProcess> {
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? tempDir(opts.redis ? 'redis-test-' : 'tandem-test-');
  const logFile = path.join(dir, 'server.log');
  const args = [
    ...(opts.configFile ? [opts.configFile] : []),
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--logfile', logFile,
    '--daemonize', 'no',
    ...(opts.args ?? []),
  ];
  const proc = opts.redis ? spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] }) : spawn(process.execPath, [...NODE_FLAGS, TANDEM_SERVER, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  return superviseProcess(proc, port, dir, logFile);
}

/**
 * Every server process this process started and has not seen exit. A test that fails between
 * starting a server and stopping it leaves the server running; the test runner then ends the
 * file (--test-force-exit), and this kills what is left so no server outlives its test file.
 */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

/**
 * Wraps a spawned server process (tandem-server, redis-server, a sentinel): waits until it
 * accepts connections on `port`, and gives its log, clients and a stop that waits for exit.
 */
export async function superviseProcess(proc: ChildProcess, port: number, dir: string, logFile: string): Promise<ServerProcess> {
  let stderr = '';
  proc.stderr?.on('data', (d) => (stderr += d.toString()));
  let exited = false;
  running.add(proc);
  proc.on('exit', () => {
    exited = true;
    running.delete(proc);
  });
  const log = () => {
    try {
      return fs.readFileSync(logFile, 'utf8') + stderr;
    } catch {
      return stderr;
    }
  };
  await waitFor(`server on port ${port} to accept connections`, async () => {
    if (exited) throw new Error(`server exited: ${log()}`);
    const c = await RespClient.connect(port);
    c.close();
    return true;
  }, 30000);
  return {
    port,
    dir,
    proc,
    logFile,
    log,
    client: () => RespClient.connect(port),
    stop: (signal: NodeJS.Signals = 'SIGTERM') =>
      new Promise((resolve) => {
        if (exited || proc.exitCode !== null) return resolve(proc.exitCode);
        proc.once('exit', (code) => resolve(code));
        proc.kill(signal);
      }),
  };
}

/**
 * Waits until a server started on existing data (dump.rdb, an AOF) has loaded it: both Redis
 * and Tandem accept connections while loading and reply -LOADING to commands until then.
 */
export async function untilLoaded(p: ServerProcess): Promise<ServerProcess> {
  const c = await p.client();
  try {
    await waitFor(`server on port ${p.port} to load its data`, async () => /^loading:0$/m.test(String(await c.call('INFO', 'persistence'))));
    return p;
  } finally {
    c.close();
  }
}

/** ROLE of a server, as an array. */
export async function role(p: ServerProcess): Promise<unknown[]> {
  const c = await p.client();
  try {
    return (await c.call('ROLE')) as unknown[];
  } finally {
    c.close();
  }
}
