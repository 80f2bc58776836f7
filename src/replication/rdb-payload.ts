// The RDB payload of a full resync, both ways: the master streams a point-in-time snapshot of its
// dataset (the persistence engine's forkless snapshot, with the aux fields Redis puts in an RDB
// meant for a replica), the replica loads what it received through the persistence loader,
// which replaces the dataset only when the whole payload is good.

import type { Server } from '../server/server';
import { startSnapshot, SnapshotHandle } from '../persistence/snapshot';
import { persistenceOf } from '../persistence/persistence';

export type { SnapshotHandle };

/**
 * Streams a point-in-time RDB of the dataset. `aux` holds repl-stream-db, repl-id and
 * repl-offset. `onChunk` returning false pauses the walk until handle.resume().
 */
export function startReplicationSnapshot(
  server: Server,
  aux: Record<string, string>,
  onChunk: (buf: Buffer) => boolean,
  onEnd: (err: Error | null) => void,
): SnapshotHandle {
  return startSnapshot(server, { aux, onChunk, onEnd });
}

/** Replaces the dataset with the RDB received from the master. Throws on a corrupt payload. */
export function loadReplicationPayload(server: Server, bytes: Buffer): void {
  persistenceOf(server).load(bytes, 'master');
}
