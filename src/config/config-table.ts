// Every configuration directive Redis 7.0 knows, with its default as `CONFIG GET` shows it on a
// stock redis-server 7.0.15, its range, its old names, and its flags. Tandem accepts every one of
// them so that real redis.conf files load; the ones Tandem implements are read from Config by
// the module that owns the behaviour.
//
// The ranges, enum value orders, immutable/protected flags and kinds were read off a real
// redis-server 7.0.15 (CONFIG SET of out-of-range values and of every parameter to its own
// value), so the error texts built from them ("argument must be between 0 and 65535 inclusive",
// "argument(s) must be one of the following: everysec, always, no") are Redis's.
//
// Kinds: bool (yes/no), int (decimal, string2ll), memory (memtoull units: k kb m mb g gb),
// octal (unixsocketperm), enum, string, and 'special' for the few with their own syntax (save,
// bind, client-output-buffer-limit, replicaof, ...), parsed in config.ts.

export type ConfigKind = 'bool' | 'int' | 'memory' | 'octal' | 'string' | 'enum' | 'special';

export interface ConfigDef {
  name: string;
  kind: ConfigKind;
  /** The default, written as CONFIG GET shows it. */
  default: string;
  /** Inclusive bounds of an int or memory value (C's types, hence bigint). */
  min?: bigint;
  max?: bigint;
  /** A memory value that may also be a percentage ("10%"), stored negated as Redis does. */
  percent?: boolean;
  aliases?: string[];
  /** Allowed values of an enum, in the order Redis lists them in its error message. */
  values?: string[];
  /** Takes several arguments (Redis's MULTI_ARG_CONFIG): a single quoted argument is split. */
  multiArg?: boolean;
  /** Only settable at startup (config file or command line). */
  immutable?: boolean;
  /** CONFIG SET refused unless enable-protected-configs allows it. */
  protected?: boolean;
  /** Test-only: CONFIG GET answers it by exact name, never by pattern. */
  hidden?: boolean;
  /** Redacted from SLOWLOG/MONITOR when set by CONFIG SET (passwords). */
  sensitive?: boolean;
}

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const UINT_MAX = 4294967295n;
const PORT_MAX = 65535n;
export const LLONG_MAX = 9223372036854775807n;
export const ULLONG_MAX = 18446744073709551615n;

export const CONFIG_DEFS: ConfigDef[] = [
  { name: 'acl-pubsub-default', kind: 'enum', default: 'resetchannels', values: ['allchannels', 'resetchannels'] },
  { name: 'aclfile', kind: 'string', default: '', immutable: true },
  { name: 'acllog-max-len', kind: 'int', default: '128', min: 0n, max: LLONG_MAX },
  { name: 'active-defrag-cycle-max', kind: 'int', default: '25', min: 1n, max: 99n },
  { name: 'active-defrag-cycle-min', kind: 'int', default: '1', min: 1n, max: 99n },
  { name: 'active-defrag-ignore-bytes', kind: 'memory', default: '104857600', min: 1n, max: LLONG_MAX },
  { name: 'active-defrag-max-scan-fields', kind: 'int', default: '1000', min: 1n, max: LLONG_MAX },
  { name: 'active-defrag-threshold-lower', kind: 'int', default: '10', min: 0n, max: 1000n },
  { name: 'active-defrag-threshold-upper', kind: 'int', default: '100', min: 0n, max: 1000n },
  { name: 'active-expire-effort', kind: 'int', default: '1', min: 1n, max: 10n },
  { name: 'activedefrag', kind: 'bool', default: 'no' },
  { name: 'activerehashing', kind: 'bool', default: 'yes' },
  { name: 'always-show-logo', kind: 'bool', default: 'no', immutable: true },
  { name: 'aof-disable-auto-gc', kind: 'bool', default: 'no' },
  { name: 'aof-load-truncated', kind: 'bool', default: 'yes' },
  { name: 'aof-rewrite-incremental-fsync', kind: 'bool', default: 'yes' },
  { name: 'aof-timestamp-enabled', kind: 'bool', default: 'no' },
  { name: 'aof-use-rdb-preamble', kind: 'bool', default: 'yes' },
  { name: 'aof_rewrite_cpulist', kind: 'string', default: '', immutable: true },
  { name: 'appenddirname', kind: 'string', default: 'appendonlydir', immutable: true },
  { name: 'appendfilename', kind: 'string', default: 'appendonly.aof', immutable: true },
  { name: 'appendfsync', kind: 'enum', default: 'everysec', values: ['everysec', 'always', 'no'] },
  { name: 'appendonly', kind: 'bool', default: 'no' },
  { name: 'auto-aof-rewrite-min-size', kind: 'memory', default: '67108864', min: 0n, max: LLONG_MAX },
  { name: 'auto-aof-rewrite-percentage', kind: 'int', default: '100', min: 0n, max: INT_MAX },
  { name: 'bgsave_cpulist', kind: 'string', default: '', immutable: true },
  { name: 'bind', kind: 'special', default: '* -::*', multiArg: true },
  { name: 'bind-source-addr', kind: 'string', default: '' },
  { name: 'bio_cpulist', kind: 'string', default: '', immutable: true },
  { name: 'busy-reply-threshold', kind: 'int', default: '5000', min: 0n, max: LLONG_MAX, aliases: ['lua-time-limit'] },
  { name: 'client-output-buffer-limit', kind: 'special', default: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', multiArg: true },
  { name: 'client-query-buffer-limit', kind: 'memory', default: '1073741824', min: 1048576n, max: LLONG_MAX },
  { name: 'cluster-allow-pubsubshard-when-down', kind: 'bool', default: 'yes' },
  { name: 'cluster-allow-reads-when-down', kind: 'bool', default: 'no' },
  { name: 'cluster-allow-replica-migration', kind: 'bool', default: 'yes' },
  { name: 'cluster-announce-bus-port', kind: 'int', default: '0', min: 0n, max: PORT_MAX },
  { name: 'cluster-announce-hostname', kind: 'string', default: '' },
  { name: 'cluster-announce-ip', kind: 'string', default: '' },
  { name: 'cluster-announce-port', kind: 'int', default: '0', min: 0n, max: PORT_MAX },
  { name: 'cluster-announce-tls-port', kind: 'int', default: '0', min: 0n, max: PORT_MAX },
  { name: 'cluster-config-file', kind: 'string', default: 'nodes.conf', immutable: true },
  { name: 'cluster-enabled', kind: 'bool', default: 'no', immutable: true },
  { name: 'cluster-link-sendbuf-limit', kind: 'memory', default: '0', min: 0n, max: ULLONG_MAX },
  { name: 'cluster-migration-barrier', kind: 'int', default: '1', min: 0n, max: INT_MAX },
  { name: 'cluster-node-timeout', kind: 'int', default: '15000', min: 0n, max: LLONG_MAX },
  { name: 'cluster-port', kind: 'int', default: '0', min: 0n, max: PORT_MAX, immutable: true },
  { name: 'cluster-preferred-endpoint-type', kind: 'enum', default: 'ip', values: ['ip', 'hostname', 'unknown-endpoint'] },
  { name: 'cluster-replica-no-failover', kind: 'bool', default: 'no', aliases: ['cluster-slave-no-failover'] },
  { name: 'cluster-replica-validity-factor', kind: 'int', default: '10', min: 0n, max: INT_MAX, aliases: ['cluster-slave-validity-factor'] },
  { name: 'cluster-require-full-coverage', kind: 'bool', default: 'yes' },
  { name: 'crash-log-enabled', kind: 'bool', default: 'yes' },
  { name: 'crash-memcheck-enabled', kind: 'bool', default: 'yes' },
  { name: 'daemonize', kind: 'bool', default: 'no', immutable: true },
  { name: 'databases', kind: 'int', default: '16', min: 1n, max: INT_MAX, immutable: true },
  { name: 'dbfilename', kind: 'string', default: 'dump.rdb', protected: true },
  { name: 'dir', kind: 'string', default: './', protected: true },
  { name: 'disable-thp', kind: 'bool', default: 'yes', immutable: true },
  { name: 'dynamic-hz', kind: 'bool', default: 'yes' },
  { name: 'enable-debug-command', kind: 'enum', default: 'no', values: ['no', 'yes', 'local'], immutable: true },
  { name: 'enable-module-command', kind: 'enum', default: 'no', values: ['no', 'yes', 'local'], immutable: true },
  { name: 'enable-protected-configs', kind: 'enum', default: 'no', values: ['no', 'yes', 'local'], immutable: true },
  { name: 'hash-max-listpack-entries', kind: 'int', default: '512', min: 0n, max: LLONG_MAX, aliases: ['hash-max-ziplist-entries'] },
  { name: 'hash-max-listpack-value', kind: 'memory', default: '64', min: 0n, max: LLONG_MAX, aliases: ['hash-max-ziplist-value'] },
  { name: 'hll-sparse-max-bytes', kind: 'memory', default: '3000', min: 0n, max: LLONG_MAX },
  { name: 'hz', kind: 'int', default: '10', min: 0n, max: INT_MAX },
  { name: 'ignore-warnings', kind: 'string', default: '' },
  { name: 'io-threads', kind: 'int', default: '1', min: 1n, max: 128n, immutable: true },
  { name: 'io-threads-do-reads', kind: 'bool', default: 'no', immutable: true },
  { name: 'jemalloc-bg-thread', kind: 'bool', default: 'yes' },
  { name: 'key-load-delay', kind: 'int', default: '0', min: INT_MIN, max: INT_MAX, hidden: true },
  { name: 'latency-monitor-threshold', kind: 'int', default: '0', min: 0n, max: LLONG_MAX },
  { name: 'latency-tracking', kind: 'bool', default: 'yes' },
  { name: 'latency-tracking-info-percentiles', kind: 'special', default: '50 99 99.9', multiArg: true },
  { name: 'lazyfree-lazy-eviction', kind: 'bool', default: 'no' },
  { name: 'lazyfree-lazy-expire', kind: 'bool', default: 'no' },
  { name: 'lazyfree-lazy-server-del', kind: 'bool', default: 'no' },
  { name: 'lazyfree-lazy-user-del', kind: 'bool', default: 'no' },
  { name: 'lazyfree-lazy-user-flush', kind: 'bool', default: 'no' },
  { name: 'lfu-decay-time', kind: 'int', default: '1', min: 0n, max: INT_MAX },
  { name: 'lfu-log-factor', kind: 'int', default: '10', min: 0n, max: INT_MAX },
  { name: 'list-compress-depth', kind: 'int', default: '0', min: 0n, max: INT_MAX },
  { name: 'list-max-listpack-size', kind: 'int', default: '-2', min: INT_MIN, max: INT_MAX, aliases: ['list-max-ziplist-size'] },
  { name: 'loading-process-events-interval-bytes', kind: 'int', default: '2097152', min: 1024n, max: INT_MAX, hidden: true },
  { name: 'logfile', kind: 'string', default: '', immutable: true },
  { name: 'loglevel', kind: 'enum', default: 'notice', values: ['debug', 'verbose', 'notice', 'warning'] },
  { name: 'masterauth', kind: 'string', default: '', sensitive: true },
  { name: 'masteruser', kind: 'string', default: '' },
  { name: 'maxclients', kind: 'int', default: '10000', min: 1n, max: UINT_MAX },
  { name: 'maxmemory', kind: 'memory', default: '0', min: 0n, max: ULLONG_MAX },
  { name: 'maxmemory-clients', kind: 'memory', default: '0', min: -100n, max: LLONG_MAX, percent: true },
  { name: 'maxmemory-eviction-tenacity', kind: 'int', default: '10', min: 0n, max: 100n },
  { name: 'maxmemory-policy', kind: 'enum', default: 'noeviction', values: ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'] },
  { name: 'maxmemory-samples', kind: 'int', default: '5', min: 1n, max: INT_MAX },
  { name: 'min-replicas-max-lag', kind: 'int', default: '10', min: 0n, max: INT_MAX, aliases: ['min-slaves-max-lag'] },
  { name: 'min-replicas-to-write', kind: 'int', default: '0', min: 0n, max: INT_MAX, aliases: ['min-slaves-to-write'] },
  { name: 'no-appendfsync-on-rewrite', kind: 'bool', default: 'no' },
  { name: 'notify-keyspace-events', kind: 'special', default: '' },
  { name: 'oom-score-adj', kind: 'enum', default: 'no', values: ['no', 'yes', 'relative', 'absolute'] },
  { name: 'oom-score-adj-values', kind: 'special', default: '0 200 800', multiArg: true },
  { name: 'pidfile', kind: 'string', default: '', immutable: true },
  { name: 'port', kind: 'int', default: '6379', min: 0n, max: PORT_MAX },
  { name: 'proc-title-template', kind: 'string', default: '{title} {listen-addr} {server-mode}' },
  { name: 'propagation-error-behavior', kind: 'enum', default: 'ignore', values: ['ignore', 'panic', 'panic-on-replicas'] },
  { name: 'protected-mode', kind: 'bool', default: 'yes' },
  { name: 'proto-max-bulk-len', kind: 'memory', default: '536870912', min: 1048576n, max: LLONG_MAX },
  { name: 'rdb-del-sync-files', kind: 'bool', default: 'no' },
  { name: 'rdb-key-save-delay', kind: 'int', default: '0', min: INT_MIN, max: INT_MAX, hidden: true },
  { name: 'rdb-save-incremental-fsync', kind: 'bool', default: 'yes' },
  { name: 'rdbchecksum', kind: 'bool', default: 'yes', immutable: true },
  { name: 'rdbcompression', kind: 'bool', default: 'yes' },
  { name: 'repl-backlog-size', kind: 'memory', default: '1048576', min: 1n, max: LLONG_MAX },
  { name: 'repl-backlog-ttl', kind: 'int', default: '3600', min: 0n, max: LLONG_MAX },
  { name: 'repl-disable-tcp-nodelay', kind: 'bool', default: 'no' },
  { name: 'repl-diskless-load', kind: 'enum', default: 'disabled', values: ['disabled', 'on-empty-db', 'swapdb'] },
  { name: 'repl-diskless-sync', kind: 'bool', default: 'yes' },
  { name: 'repl-diskless-sync-delay', kind: 'int', default: '5', min: 0n, max: INT_MAX },
  { name: 'repl-diskless-sync-max-replicas', kind: 'int', default: '0', min: 0n, max: INT_MAX },
  { name: 'repl-ping-replica-period', kind: 'int', default: '10', min: 1n, max: INT_MAX, aliases: ['repl-ping-slave-period'] },
  { name: 'repl-timeout', kind: 'int', default: '60', min: 1n, max: INT_MAX },
  { name: 'replica-announce-ip', kind: 'string', default: '', aliases: ['slave-announce-ip'] },
  { name: 'replica-announce-port', kind: 'int', default: '0', min: 0n, max: PORT_MAX, aliases: ['slave-announce-port'] },
  { name: 'replica-announced', kind: 'bool', default: 'yes' },
  { name: 'replica-ignore-disk-write-errors', kind: 'bool', default: 'no' },
  { name: 'replica-ignore-maxmemory', kind: 'bool', default: 'yes', aliases: ['slave-ignore-maxmemory'] },
  { name: 'replica-lazy-flush', kind: 'bool', default: 'no', aliases: ['slave-lazy-flush'] },
  { name: 'replica-priority', kind: 'int', default: '100', min: 0n, max: INT_MAX, aliases: ['slave-priority'] },
  { name: 'replica-read-only', kind: 'bool', default: 'yes', aliases: ['slave-read-only'] },
  { name: 'replica-serve-stale-data', kind: 'bool', default: 'yes', aliases: ['slave-serve-stale-data'] },
  { name: 'replicaof', kind: 'special', default: '', multiArg: true, aliases: ['slaveof'], immutable: true },
  { name: 'requirepass', kind: 'string', default: '', sensitive: true },
  { name: 'sanitize-dump-payload', kind: 'enum', default: 'no', values: ['no', 'yes', 'clients'] },
  { name: 'save', kind: 'special', default: '3600 1 300 100 60 10000', multiArg: true },
  { name: 'server_cpulist', kind: 'string', default: '', immutable: true },
  { name: 'set-max-intset-entries', kind: 'int', default: '512', min: 0n, max: LLONG_MAX },
  { name: 'set-proc-title', kind: 'bool', default: 'yes', immutable: true },
  { name: 'shutdown-on-sigint', kind: 'enum', default: 'default', values: ['default', 'save', 'nosave', 'now', 'force'], multiArg: true },
  { name: 'shutdown-on-sigterm', kind: 'enum', default: 'default', values: ['default', 'save', 'nosave', 'now', 'force'], multiArg: true },
  { name: 'shutdown-timeout', kind: 'int', default: '10', min: 0n, max: INT_MAX },
  { name: 'slowlog-log-slower-than', kind: 'int', default: '10000', min: -1n, max: LLONG_MAX },
  { name: 'slowlog-max-len', kind: 'int', default: '128', min: 0n, max: LLONG_MAX },
  { name: 'socket-mark-id', kind: 'int', default: '0', min: 0n, max: UINT_MAX, immutable: true },
  { name: 'stop-writes-on-bgsave-error', kind: 'bool', default: 'yes' },
  { name: 'stream-node-max-bytes', kind: 'memory', default: '4096', min: 0n, max: LLONG_MAX },
  { name: 'stream-node-max-entries', kind: 'int', default: '100', min: 0n, max: LLONG_MAX },
  { name: 'supervised', kind: 'enum', default: 'no', values: ['upstart', 'systemd', 'auto', 'no'], immutable: true },
  { name: 'syslog-enabled', kind: 'bool', default: 'no', immutable: true },
  { name: 'syslog-facility', kind: 'enum', default: 'local0', values: ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], immutable: true },
  { name: 'syslog-ident', kind: 'string', default: 'redis', immutable: true },
  { name: 'tcp-backlog', kind: 'int', default: '511', min: 0n, max: INT_MAX, immutable: true },
  { name: 'tcp-keepalive', kind: 'int', default: '300', min: 0n, max: INT_MAX },
  { name: 'timeout', kind: 'int', default: '0', min: 0n, max: INT_MAX },
  { name: 'tls-auth-clients', kind: 'enum', default: 'yes', values: ['no', 'yes', 'optional'] },
  { name: 'tls-ca-cert-dir', kind: 'string', default: '' },
  { name: 'tls-ca-cert-file', kind: 'string', default: '' },
  { name: 'tls-cert-file', kind: 'string', default: '' },
  { name: 'tls-ciphers', kind: 'string', default: '' },
  { name: 'tls-ciphersuites', kind: 'string', default: '' },
  { name: 'tls-client-cert-file', kind: 'string', default: '' },
  { name: 'tls-client-key-file', kind: 'string', default: '' },
  { name: 'tls-client-key-file-pass', kind: 'string', default: '', sensitive: true },
  { name: 'tls-cluster', kind: 'bool', default: 'no' },
  { name: 'tls-dh-params-file', kind: 'string', default: '' },
  { name: 'tls-key-file', kind: 'string', default: '' },
  { name: 'tls-key-file-pass', kind: 'string', default: '', sensitive: true },
  { name: 'tls-port', kind: 'int', default: '0', min: 0n, max: PORT_MAX },
  { name: 'tls-prefer-server-ciphers', kind: 'bool', default: 'no' },
  { name: 'tls-protocols', kind: 'string', default: '' },
  { name: 'tls-replication', kind: 'bool', default: 'no' },
  { name: 'tls-session-cache-size', kind: 'int', default: '20480', min: 0n, max: INT_MAX },
  { name: 'tls-session-cache-timeout', kind: 'int', default: '300', min: 0n, max: INT_MAX },
  { name: 'tls-session-caching', kind: 'bool', default: 'yes' },
  { name: 'tracking-table-max-keys', kind: 'int', default: '1000000', min: 0n, max: LLONG_MAX },
  { name: 'unixsocket', kind: 'string', default: '', immutable: true },
  { name: 'unixsocketperm', kind: 'octal', default: '0', immutable: true },
  { name: 'zset-max-listpack-entries', kind: 'int', default: '128', min: 0n, max: LLONG_MAX, aliases: ['zset-max-ziplist-entries'] },
  { name: 'zset-max-listpack-value', kind: 'memory', default: '64', min: 0n, max: LLONG_MAX, aliases: ['zset-max-ziplist-value'] },
];
