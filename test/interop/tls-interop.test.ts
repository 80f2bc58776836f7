// The real redis-cli talks to Tandem over TLS with a client certificate.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ServerProcess } from '../helpers/server';
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
