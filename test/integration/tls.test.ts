import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as tls from 'node:tls';
import * as fs from 'node:fs';
import { ServerProcess, startServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';
import { startTlsServer, TestCerts } from '../helpers/certs';
import { parseReply } from '../helpers/resp-client';

let certs: TestCerts;
let srv: ServerProcess;
let tlsPort: number;

before(async () => {
  ({ certs, srv, tlsPort } = await startTlsServer());
});
after(async () => {
  await srv.stop();
});

/** Connects over TLS, sends one command, returns the reply (or throws on a TLS failure). */
function tlsCall(withClientCert: boolean, command: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({
      port: tlsPort,
      host: '127.0.0.1',
      ca: fs.readFileSync(certs.ca),
      checkServerIdentity: () => undefined,
      ...(withClientCert ? { cert: fs.readFileSync(certs.clientCert), key: fs.readFileSync(certs.clientKey) } : {}),
    });
    let buf = Buffer.alloc(0);
    s.on('secureConnect', () => s.write(command));
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const r = parseReply(buf, 0);
      if (r) {
        s.destroy();
        resolve(r[0]);
      }
    });
    s.on('error', reject);
    s.on('close', () => reject(new Error('closed before a reply')));
  });
}

test('a client with a certificate signed by the CA is served over TLS', async () => {
  assert.equal(await tlsCall(true, 'PING\r\n'), 'PONG');
  assert.equal(await tlsCall(true, '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\ntls\r\n'), 'OK');
  const plain = await srv.client();
  assert.equal(await plain.call('GET', 'k'), 'tls', 'the TLS and plain ports share one dataset');
  plain.close();
});

test('tls-auth-clients yes refuses a client without a certificate', async () => {
  await assert.rejects(tlsCall(false, 'PING\r\n'));
});

test('tls-replication: a replica syncs from its master over TLS with its client certificate', async () => {
  const replica = await startServer({
    args: [
      '--tls-replication', 'yes', '--tls-cert-file', certs.clientCert, '--tls-key-file', certs.clientKey, '--tls-ca-cert-file', certs.ca,
      '--replicaof', '127.0.0.1', String(tlsPort),
    ],
  });
  try {
    const m = await srv.client();
    assert.equal(await m.call('SET', 'over-tls', 'replicated'), 'OK');
    const r = await replica.client();
    await waitFor('the write to reach the TLS replica', async () => (await r.call('GET', 'over-tls')) === 'replicated');
    assert.match(String(await r.call('INFO', 'replication')), /master_link_status:up/);
    m.close();
    r.close();
  } finally {
    await replica.stop();
  }
});
