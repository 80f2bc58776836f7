// The real redis-cli talks to Tandem over TLS with a client certificate.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ServerProcess, startServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';
import { startTlsServer, TestCerts } from '../helpers/certs';

let certs: TestCerts;
let srv: ServerProcess;
let tlsPort: number;

before(async () => {
  ({ certs, srv, tlsPort } = await startTlsServer());
});
after(async () => {
  await srv.stop();
});

function cli(...args: string[]): string {
  return execFileSync('redis-cli', ['--tls', '--cacert', certs.ca, '--cert', certs.clientCert, '--key', certs.clientKey, '-p', String(tlsPort), ...args], {
    encoding: 'utf8',
  }).trim();
}

test('redis-cli --tls with a client certificate', () => {
  assert.equal(cli('PING'), 'PONG');
  assert.equal(cli('SET', 'k', 'over tls'), 'OK');
  assert.equal(cli('GET', 'k'), 'over tls');
});

test('a real redis-server replica syncs from a Tandem master over TLS (tls-replication yes)', async () => {
  const replica = await startServer({
    redis: true,
    args: ['--tls-replication', 'yes', '--tls-cert-file', certs.clientCert, '--tls-key-file', certs.clientKey, '--tls-ca-cert-file', certs.ca, '--replicaof', '127.0.0.1', String(tlsPort)],
  });
  try {
    assert.equal(cli('SET', 'tls-repl', 'to-redis'), 'OK');
    const r = await replica.client();
    await waitFor('the write to reach the real Redis replica', async () => (await r.call('GET', 'tls-repl')) === 'to-redis');
    r.close();
  } finally {
    await replica.stop();
  }
});
