// TLS with Node's own `tls` module, configured by Redis's directives: tls-port, tls-cert-file,
// tls-key-file(-pass), tls-ca-cert-file / tls-ca-cert-dir, tls-auth-clients (yes: a client
// certificate is required; optional: checked if sent; no), tls-protocols ("TLSv1.2 TLSv1.3"),
// tls-ciphers, tls-ciphersuites, tls-prefer-server-ciphers; and for outgoing links (a replica
// connecting to its master with tls-replication yes) tls-client-cert-file / -key-file, which
// default to the server's own certificate, as in Redis.
//
// Errors: both builders throw an Error naming the file that could not be read.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tls from 'node:tls';
import type { Config } from '../config/config';

function readFile(what: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new Error(`Failed to load ${what} '${file}': ${(e as Error).message}`);
  }
}

/** CA certificates from tls-ca-cert-file and every file in tls-ca-cert-dir. */
function caCertificates(config: Config): Buffer[] | undefined {
  const out: Buffer[] = [];
  const file = config.str('tls-ca-cert-file');
  if (file !== '') out.push(readFile('CA certificate file', file));
  const dir = config.str('tls-ca-cert-dir');
  if (dir !== '') {
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name);
      if (fs.statSync(full).isFile()) out.push(readFile('CA certificate', full));
    }
  }
  return out.length > 0 ? out : undefined;
}

/** Minimum and maximum protocol versions from tls-protocols (default TLSv1.2 and TLSv1.3). */
function protocolRange(config: Config): Pick<tls.SecureContextOptions, 'minVersion' | 'maxVersion'> {
  const words = config.str('tls-protocols').split(/\s+/).filter(Boolean);
  if (words.length === 0) return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' };
  const versions = words.filter((w): w is tls.SecureVersion => ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'].includes(w)).sort();
  return { minVersion: versions[0], maxVersion: versions[versions.length - 1] };
}

function cipherOptions(config: Config): Pick<tls.SecureContextOptions, 'ciphers'> {
  const ciphers = [config.str('tls-ciphersuites'), config.str('tls-ciphers')].filter(Boolean).join(':');
  return ciphers === '' ? {} : { ciphers };
}

/** Options for the TLS listener on tls-port. */
export function tlsServerOptions(config: Config): tls.TlsOptions {
  const auth = config.str('tls-auth-clients');
  return {
    cert: readFile('certificate', config.str('tls-cert-file')),
    key: readFile('private key', config.str('tls-key-file')),
    passphrase: config.str('tls-key-file-pass') || undefined,
    ca: caCertificates(config),
    requestCert: auth !== 'no',
    rejectUnauthorized: auth === 'yes',
    honorCipherOrder: config.bool('tls-prefer-server-ciphers'),
    ...protocolRange(config),
    ...cipherOptions(config),
  };
}

/** Options for an outgoing TLS connection (the replication link). */
export function tlsClientOptions(config: Config, host: string): tls.ConnectionOptions {
  const certFile = config.str('tls-client-cert-file') || config.str('tls-cert-file');
  const keyFile = config.str('tls-client-key-file') || config.str('tls-key-file');
  return {
    host,
    servername: /^[\d.:]+$/.test(host) ? undefined : host,
    cert: certFile ? readFile('client certificate', certFile) : undefined,
    key: keyFile ? readFile('client private key', keyFile) : undefined,
    passphrase: (config.str('tls-client-key-file-pass') || config.str('tls-key-file-pass')) || undefined,
    ca: caCertificates(config),
    // Redis verifies the peer's chain against the CA but not the host name.
    checkServerIdentity: () => undefined,
    ...protocolRange(config),
    ...cipherOptions(config),
  };
}
