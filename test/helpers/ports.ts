// Free TCP ports on 127.0.0.1 for servers started by tests (never fixed ports).

import * as net from 'node:net';

/** Asks the kernel for a free port, then releases it for the caller to bind. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
