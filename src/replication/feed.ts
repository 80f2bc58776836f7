// The replication feed: the one ordered stream of effects that every consumer of writes reads.
// A write command that changed the dataset is appended here as its effect (e.g. SET .. EX 10
// becomes SET .. PXAT <abs>, an expired key becomes DEL), encoded once as RESP, with a SELECT
// in front whenever the database differs from the previous entry. The backlog, each attached
// replica and the AOF subscribe as sinks and receive the same bytes in the same order, so the
// master's offset is simply the number of bytes ever fed.

export interface FeedSink {
  /** Receives encoded bytes, in feed order. */
  write(bytes: Buffer): void;
}

/** Encodes argv as a RESP multibulk (latin1 strings, so byte lengths equal string lengths). */
export function encodeCommand(argv: readonly string[]): Buffer {
  let s = '*' + argv.length + '\r\n';
  for (const a of argv) s += '$' + a.length + '\r\n' + a + '\r\n';
  return Buffer.from(s, 'latin1');
}

export class ReplicationFeed {
  private sinks: FeedSink[] = [];
  /** Database of the last propagated command; -1 forces a SELECT before the next one. */
  selectedDb = -1;
  /** Total bytes ever fed (the master replication offset). */
  offset = 0;

  addSink(s: FeedSink): void {
    this.sinks.push(s);
  }

  removeSink(s: FeedSink): void {
    this.sinks = this.sinks.filter((x) => x !== s);
  }

  get hasSinks(): boolean {
    return this.sinks.length > 0;
  }

  /** Appends one command's effect. Cheap when nobody listens (no replicas, no AOF). */
  propagate(dbIndex: number, argv: readonly string[]): void {
    if (this.sinks.length === 0) {
      // Nothing is encoded and the offset stands still, as in Redis with no backlog; the next
      // entry after a sink attaches starts with a SELECT.
      this.selectedDb = -1;
      return;
    }
    if (dbIndex !== this.selectedDb && dbIndex >= 0) {
      this.emit(encodeCommand(['SELECT', String(dbIndex)]));
      this.selectedDb = dbIndex;
    }
    this.emit(encodeCommand(argv));
  }

  /** Appends bytes as received (a replica relaying its master's stream to its own replicas). */
  relay(bytes: Buffer): void {
    this.emit(bytes);
  }

  private emit(bytes: Buffer): void {
    this.offset += bytes.length;
    for (const s of this.sinks) s.write(bytes);
  }
}
