// INFO: section selection (default/all/everything/named), Redis's text layout (CRLF, "# Title",
// blank line between sections), the counters behind stats/errorstats/commandstats/keyspace, and
// RESP3's verbatim string.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server';
import { waitFor } from '../helpers/wait';
import { bytesToHuman } from '../../src/server/info';

const { server: srv, client: c } = useServer();

async function info(...sections: string[]): Promise<string> {
  const text = await c.call('INFO', ...sections);
  assert.equal(typeof text, 'string');
  return text as string;
}

function titles(text: string): string[] {
  return text.split('\r\n').filter((l) => l.startsWith('# '));
}

function field(text: string, name: string): string | undefined {
  const line = text.split('\r\n').find((l) => l.startsWith(name + ':'));
  return line?.slice(name.length + 1);
}

test('INFO without arguments prints the default sections in Redis order with CRLF lines', async () => {
  const text = await info();
  assert.deepEqual(titles(text), ['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Modules', '# Errorstats', '# Cluster', '# Keyspace']);
  assert.ok(text.startsWith('# Server\r\nredis_version:7.0.15\r\n'));
  assert.ok(!/[^\r]\n/.test(text), 'every line ends in CRLF');
  assert.ok(text.includes('\r\n\r\n# Clients\r\n'), 'sections are separated by one blank line');
  assert.ok(text.endsWith('\r\n'));
  assert.deepEqual(titles(await info('default')), titles(text));
});

test('INFO all adds commandstats and latencystats; named sections are case-insensitive', async () => {
  assert.deepEqual(titles(await info('all')), ['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Modules', '# Commandstats', '# Errorstats', '# Latencystats', '# Cluster', '# Keyspace']);
  assert.deepEqual(titles(await info('everything')), titles(await info('all')));
  assert.deepEqual(titles(await info('CLIENTS', 'server')), ['# Server', '# Clients']);
  assert.equal(await info('nosuchsection'), '');
});

test('server, clients and replication fields a standalone master reports', async () => {
  const text = await info('server', 'clients', 'replication', 'cluster');
  assert.equal(field(text, 'redis_mode'), 'standalone');
  assert.equal(field(text, 'tcp_port'), String(srv.port));
  assert.equal(field(text, 'process_id'), String(srv.proc.pid));
  assert.match(field(text, 'run_id')!, /^[0-9a-f]{40}$/);
  assert.equal(field(text, 'hz'), '10');
  assert.ok(Number(field(text, 'connected_clients')) >= 1);
  assert.equal(field(text, 'maxclients'), '10000');
  assert.equal(field(text, 'role'), 'master');
  assert.match(field(text, 'master_replid')!, /^[0-9a-f]{40}$/);
  assert.equal(field(text, 'master_replid2'), '0'.repeat(40));
  assert.equal(field(text, 'second_repl_offset'), '-1');
  assert.equal(field(text, 'cluster_enabled'), '0');
});

test('memory figures are real and human-readable as Redis prints them', async () => {
  const text = await info('memory');
  const used = Number(field(text, 'used_memory'));
  assert.ok(used > 1024 * 1024, 'a Node process uses more than 1MB');
  assert.equal(field(text, 'used_memory_human'), bytesToHuman(used));
  assert.ok(Number(field(text, 'used_memory_rss')) > 0);
  assert.equal(field(text, 'maxmemory_policy'), 'noeviction');
  assert.equal(bytesToHuman(0), '0B');
  assert.equal(bytesToHuman(1023), '1023B');
  assert.equal(bytesToHuman(941352), '919.29K');
  assert.equal(bytesToHuman(6852608), '6.54M');
  assert.equal(bytesToHuman(25276514304), '23.54G');
});

test('stats, errorstats, commandstats and keyspace count what happened', async () => {
  const c2 = await srv.client();
  await c2.call('SET', 'k', 'v');
  await c2.call('GET', 'k');
  await c2.call('GET', 'missing');
  await c2.call('NOSUCHCOMMAND');
  await c2.call('GET');
  const subscriber = await srv.client();
  await subscriber.call('SUBSCRIBE', 'news');
  const text = await info('stats', 'errorstats', 'commandstats', 'keyspace', 'persistence');
  assert.ok(Number(field(text, 'keyspace_hits')) >= 1);
  assert.ok(Number(field(text, 'keyspace_misses')) >= 1);
  assert.ok(Number(field(text, 'total_error_replies')) >= 2);
  assert.ok(Number(field(text, 'total_connections_received')) >= 2);
  assert.match(field(text, 'errorstat_ERR')!, /^count=\d+$/);
  assert.match(field(text, 'cmdstat_set')!, /^calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$/);
  assert.match(field(text, 'cmdstat_get')!, /^calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0$/);
  assert.equal(field(text, 'db0'), 'keys=1,expires=0,avg_ttl=0');
  assert.ok(Number(field(text, 'rdb_changes_since_last_save')) >= 1);
  assert.equal(field(text, 'loading'), '0');
  assert.equal(field(text, 'pubsub_channels'), '1');
  assert.equal(field(text, 'sync_full'), '0');
  subscriber.close();
  c2.close();
});

test('INFO is a verbatim string for RESP3 clients', async () => {
  const c3 = await srv.client();
  await c3.call('HELLO', '3');
  const body = '# Cluster\r\ncluster_enabled:0\r\n';
  const expected = `=${body.length + 4}\r\ntxt:${body}\r\n`;
  c3.writeRaw('*2\r\n$4\r\nINFO\r\n$7\r\ncluster\r\n');
  let got = '';
  await waitFor('the INFO reply', () => (got += c3.takeRawBuffered().toString('latin1')).length >= expected.length);
  assert.equal(got, expected);
  c3.close();
});
