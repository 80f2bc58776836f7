// Version strings. Tandem reports the Redis version it is wire- and behaviour-compatible with as
// `redis_version` (clients and tools such as Sentinel gate features on it), and its own version
// as `tandem_version`.

// eslint-disable-next-line @typescript-eslint/no-var-requires
const pkg = require('../../../package.json') as { version: string };

export const REDIS_COMPAT_VERSION = '7.0.15';
export const TANDEM_VERSION: string = pkg.version;
