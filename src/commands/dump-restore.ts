// DUMP and RESTORE, with Redis's payload: the value as an RDB object (type byte and value, no
// key), then the RDB version as two bytes and the CRC-64 of everything before it, both little
// endian. The RDB writer and reader do the object, so a payload from redis-server restores here
// and one of ours restores there (both ways are interop-tested).
//
// RESTORE propagates as its effect, as Redis does: a relative TTL becomes an absolute one with
// ABSTTL appended, and a key restored already expired over one it replaced becomes DEL.

import { command, CommandSpec } from './command';
import { ERR_SYNTAX, intArg } from './args';
import { alreadyExpired } from './strings';
import { accessTracker } from './object';
import { KEY1 } from './keys';
import type { Client } from '../server/client';
import { NOTIFY, notifyKeyspaceEvent } from '../pubsub/notify';
import { RdbWriter } from '../persistence/rdb-writer';
import { RdbError, RdbParser, parseOptionsFor } from '../persistence/rdb-reader';
import { RDB_VERSION } from '../persistence/rdb-format';
import { crc64 } from '../persistence/crc64';

/** Version and CRC-64 after the object. */
const FOOTER_BYTES = 10;

function dump(c: Client, argv: string[]): void {
  const value = c.server.keyspace.lookupRead(c.db, argv[1]);
  if (value === undefined) {
    c.reply.nullBulk();
    return;
  }
  const w = new RdbWriter(c.server.config.bool('rdbcompression'));
  w.object(value);
  const object = w.take();
  const payload = Buffer.allocUnsafe(object.length + FOOTER_BYTES);
  object.copy(payload);
  payload.writeUInt16LE(RDB_VERSION, object.length);
  payload.writeBigUInt64LE(crc64(payload, 0, object.length + 2), object.length + 2);
  c.reply.bulk(payload.latin1Slice(0, payload.length));
}

/** Redis's verifyDumpPayload: an RDB version it knows and the right CRC-64. */
function validPayload(payload: Buffer): boolean {
  if (payload.length < FOOTER_BYTES) return false;
  const end = payload.length - 8;
  if (payload.readUInt16LE(end - 2) > RDB_VERSION) return false;
  return payload.readBigUInt64LE(end) === crc64(payload, 0, end);
}

function restore(c: Client, argv: string[]): void {
  let replace = false;
  let absTtl = false;
  let idleSec = -1;
  let freq = -1;
  for (let i = 4; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    const hasValue = i + 1 < argv.length;
    if (opt === 'replace') replace = true;
    else if (opt === 'absttl') absTtl = true;
    else if (opt === 'idletime' && hasValue && freq === -1) {
      const v = intArg(c, argv[++i]);
      if (v === null) return;
      if (v < 0) return c.reply.error('ERR Invalid IDLETIME value, must be >= 0');
      idleSec = v;
    } else if (opt === 'freq' && hasValue && idleSec === -1) {
      const v = intArg(c, argv[++i]);
      if (v === null) return;
      if (v < 0 || v > 255) return c.reply.error('ERR Invalid FREQ value, must be >= 0 and <= 255');
      freq = v;
    } else return c.reply.error(ERR_SYNTAX);
  }
  const server = c.server;
  const ks = server.keyspace;
  const key = argv[1];
  if (!replace && ks.lookup(c.db, key, false) !== undefined) return c.reply.error('BUSYKEY Target key name already exists.');
  let ttl = intArg(c, argv[2]);
  if (ttl === null) return;
  if (ttl < 0) return c.reply.error('ERR Invalid TTL value, must be >= 0');
  const payload = Buffer.from(argv[3], 'latin1');
  if (!validPayload(payload)) return c.reply.error('ERR DUMP payload version or checksum are wrong');
  let value;
  try {
    value = new RdbParser(payload.subarray(0, payload.length - FOOTER_BYTES), parseOptionsFor(server, 'DUMP payload'), { key: () => undefined }).object();
  } catch (e) {
    if (!(e instanceof RdbError)) throw e;
    value = null;
  }
  if (value === null) return c.reply.error('ERR Bad data format');

  const deleted = replace && ks.delete(c.db, key);
  if (ttl > 0 && !absTtl) ttl += ks.now;
  if (ttl > 0 && alreadyExpired(c, ttl)) {
    if (deleted) {
      c.propagateArgv = [server.config.bool('lazyfree-lazy-server-del') ? 'UNLINK' : 'DEL', key];
      notifyKeyspaceEvent(server, NOTIFY.GENERIC, 'del', key, c.db.id);
      server.dirty++;
    }
    return c.reply.ok();
  }
  ks.set(c.db, key, value);
  if (ttl > 0) {
    ks.setExpire(c.db, key, ttl);
    if (!absTtl) c.propagateArgv = [argv[0], key, String(ttl), ...argv.slice(3), 'ABSTTL'];
  }
  if (idleSec >= 0 || freq >= 0) accessTracker(server).restored(c.db, key, idleSec, freq);
  notifyKeyspaceEvent(server, NOTIFY.GENERIC, 'restore', key, c.db.id);
  server.dirty++;
  c.reply.ok();
}

export const DUMP_RESTORE_COMMANDS: CommandSpec[] = [
  command({ name: 'dump', arity: 2, flags: ['readonly'], ...KEY1, summary: 'Return a serialized version of the value stored at the specified key.', since: '2.6.0', complexity: 'O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).', tips: ['nondeterministic_output'], handler: dump }),
  command({ name: 'restore', arity: -4, flags: ['write', 'denyoom'], ...KEY1, categories: ['keyspace', 'dangerous'], summary: 'Create a key using the provided serialized value, previously obtained using DUMP.', since: '2.6.0', complexity: 'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).', handler: restore }),
];
