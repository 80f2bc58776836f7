// Starts sentinels (Tandem's or real redis-sentinel) on free ports with a config file of their
// own in a temp dir, watching one master.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { freePort } from './ports';
import { waitFor } from './wait';
import * as assert from 'node:assert/strict';
import { ServerProcess, REPO_ROOT, role, superviseProcess } from './server';
import { tempDir } from './temp-dir';

const TANDEM_SENTINEL = path.join(REPO_ROOT, 'dist', 'src', 'bin', 'tandem-sentinel.js');

export interface SentinelOptions {
  masterName?: string;
  masterPort: number;
  quorum: number;
  downAfterMs?: number;
  failoverTimeoutMs?: number;
  /** Run real redis-sentinel instead of Tandem's. */
  redis?: boolean;
  extraLines?: string[];
}

export async function startSentinel(opts: SentinelOptions): Promise<ServerProcess> {
  const port = await freePort();
  const dir = tempDir(opts.redis ? 'redis-sentinel-' : 'tandem-sentinel-');
  const name = opts.masterName ?? 'mymaster';
  const configFile = path.join(dir, 'sentinel.conf');
  const logFile = path.join(dir, 'sentinel.log');
  fs.writeFileSync(
    configFile,
    [
      `port ${port}`,
      `dir ${dir}`,
      `logfile ${logFile}`,
      `sentinel monitor ${name} 127.0.0.1 ${opts.masterPort} ${opts.quorum}`,
      `sentinel down-after-milliseconds ${name} ${opts.downAfterMs ?? 1000}`,
      `sentinel failover-timeout ${name} ${opts.failoverTimeoutMs ?? 10000}`,
      ...(opts.extraLines ?? []),
      '',
    ].join('\n'),
  );
  const proc = opts.redis
    ? spawn('redis-sentinel', [configFile], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(process.execPath, [TANDEM_SENTINEL, configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  return superviseProcess(proc, port, dir, logFile);
}

/** SENTINEL MASTER's fields as a Map. */
export async function sentinelMasterFields(s: ServerProcess, name = 'mymaster'): Promise<Map<string, string>> {
  const c = await s.client();
  try {
    const m = (await c.call('SENTINEL', 'MASTER', name)) as string[];
    const f = new Map<string, string>();
    for (let i = 0; i < m.length; i += 2) f.set(m[i], m[i + 1]);
    return f;
  } finally {
    c.close();
  }
}

/** Waits until every sentinel knows `replicas` replicas and the other sentinels. */
export async function waitForSentinelViews(sentinels: ServerProcess[], replicas: number): Promise<void> {
  await waitFor('every sentinel to know the replicas and the other sentinels', async () => {
    for (const s of sentinels) {
      const f = await sentinelMasterFields(s);
      if (f.get('num-slaves') !== String(replicas) || f.get('num-other-sentinels') !== String(sentinels.length - 1)) return false;
    }
    return true;
  }, 30000);
}

/** The master address a sentinel reports for `name`, as "host:port". */
export async function masterAddr(s: ServerProcess, name = 'mymaster'): Promise<string> {
  const c = await s.client();
  try {
    const r = (await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[] | null;
    return r === null ? '' : `${r[0]}:${r[1]}`;
  } finally {
    c.close();
  }
}

/** After the master was killed: waits until `sentinel` names one of `replicas` as the master. */
export async function promotedReplica(sentinel: ServerProcess, replicas: ServerProcess[]): Promise<ServerProcess> {
  const addr = await waitFor('a replica to be promoted', async () => {
    const a = await masterAddr(sentinel);
    return replicas.some((r) => `127.0.0.1:${r.port}` === a) ? a : false;
  }, 40000);
  return replicas.find((r) => `127.0.0.1:${r.port}` === addr)!;
}

/** Every sentinel names `promoted` as the master, it says it is one, and `other` replicates from it. */
export async function assertFailedOverTo(sentinels: ServerProcess[], promoted: ServerProcess, other: ServerProcess): Promise<void> {
  for (const s of sentinels) await waitFor('every sentinel to agree on the new master', async () => (await masterAddr(s)) === `127.0.0.1:${promoted.port}`);
  assert.equal((await role(promoted))[0], 'master');
  await waitFor('the other replica to follow the new master', async () => {
    const r = await role(other);
    return r[0] === 'slave' && r[2] === promoted.port;
  });
}
