// One server (or a Tandem + real Redis pair) shared by every test of a file: started in a
// before() hook with a client connected to it, both closed in an after() hook. The setup block
// that most test files needed is one call here:
//
//   const { server: srv, client: c } = useServer({ args: ['--enable-debug-command', 'yes'] });
//
// The server and client do not exist yet when the file's top level runs, so the values returned
// are stand-ins that forward every property and method to the real ones once before() made them.
// useServerStarter() is for files whose tests start servers of their own.

import { before, after } from 'node:test';
import { startServer, ServerProcess, StartOptions } from './server';
import { RespClient } from './resp-client';

/** A stand-in for an object made later: use it only after `set` was called. */
function lateBound<T extends object>(what: string): { value: T; set(v: T): void } {
  let target: T | undefined;
  const real = (): T => {
    if (target === undefined) throw new Error(`${what} is used before the before() hook that starts it`);
    return target;
  };
  const value = new Proxy({} as T, {
    get(_, key) {
      const t = real();
      const v = Reflect.get(t, key, t);
      return typeof v === 'function' ? v.bind(t) : v;
    },
    set(_, key, v) {
      return Reflect.set(real(), key, v);
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
  return { value, set: (v) => (target = v) };
}

export interface SharedServer {
  server: ServerProcess;
  client: RespClient;
}

/**
 * Starts servers with `options` (in parallel) before the file's tests, each with one client, then
 * runs `setup` in the same hook (Node 20 starts a file's top-level before() hooks at once, without
 * waiting for the previous one, so a second hook could not rely on the servers being up).
 */
function useServers(options: StartOptions[], setup?: (clients: RespClient[]) => Promise<void>): SharedServer[] {
  const bound = options.map((o) => ({
    server: lateBound<ServerProcess>(o.redis ? 'the shared redis-server' : 'the shared server'),
    client: lateBound<RespClient>(o.redis ? "the shared redis-server's client" : "the shared server's client"),
  }));
  const servers: ServerProcess[] = [];
  const clients: RespClient[] = [];
  before(async () => {
    await Promise.all(
      options.map(async (o, i) => {
        servers[i] = await startServer(o);
        bound[i].server.set(servers[i]);
        clients[i] = await servers[i].client();
        bound[i].client.set(clients[i]);
      }),
    );
    await setup?.(clients);
  });
  after(async () => {
    for (const c of clients) c?.close();
    await Promise.all(servers.map((s) => s?.stop()));
  });
  return bound.map((b) => ({ server: b.server.value, client: b.client.value }));
}

/**
 * One Tandem server (or redis-server with `redis: true`) and a client, for the whole file;
 * `setup` runs once both are up (to seed data the tests share).
 */
export function useServer(options: StartOptions = {}, setup?: (client: RespClient) => Promise<void>): SharedServer {
  return useServers([options], setup && (([client]) => setup(client)))[0];
}

/** A Tandem server and a real redis-server started with the same arguments, each with a client. */
export function useTandemAndRedis(args: string[] = []): { tandem: SharedServer; redis: SharedServer } {
  const [tandem, redis] = useServers([{ args }, { redis: true, args }]);
  return { tandem, redis };
}

/**
 * startServer for a file whose tests start servers of their own: each one started is stopped
 * after the file's tests, also when a failed test did not get to stop it (a server left running
 * keeps the test file's process alive, and the suite would hang instead of reporting).
 */
export function useServerStarter(): (options?: StartOptions) => Promise<ServerProcess> {
  const started: ServerProcess[] = [];
  after(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });
  return async (options = {}) => {
    const s = await startServer(options);
    started.push(s);
    return s;
  };
}
