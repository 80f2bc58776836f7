// Test certificates made at test time with openssl: a CA, a server certificate and a client
// certificate signed by it, in a fresh temp dir.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { startServer, ServerProcess } from './server';
import { freePort } from './ports';
import { waitFor } from './wait';
import { tempDir } from './temp-dir';

export interface TestCerts {
  dir: string;
  ca: string;
  cert: string;
  key: string;
  clientCert: string;
  clientKey: string;
}

/** Whether a TCP connection to the port on 127.0.0.1 is accepted (closed at once). */
function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

export function makeCerts(): TestCerts {
  const dir = tempDir('tandem-certs-');
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Tandem Test CA');
  for (const name of ['server', 'client']) {
    openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2');
  }
  const p = (f: string) => path.join(dir, f);
  return { dir, ca: p('ca.crt'), cert: p('server.crt'), key: p('server.key'), clientCert: p('client.crt'), clientKey: p('client.key') };
}

/** A Tandem server with a TLS port using fresh test certificates (tls-auth-clients yes). */
export async function startTlsServer(): Promise<{ certs: TestCerts; srv: ServerProcess; tlsPort: number }> {
  const certs = makeCerts();
  const tlsPort = await freePort();
  const srv = await startServer({
    args: ['--tls-port', String(tlsPort), '--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca],
  });
  // startServer waits for the plain port only; the server binds the TLS port after it (a loaded
  // machine showed ECONNREFUSED on the TLS port right after startServer returned).
  await waitFor(`the TLS port ${tlsPort} to accept connections`, () => acceptsConnections(tlsPort));
  return { certs, srv, tlsPort };
}
