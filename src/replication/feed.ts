// The replication feed: the one ordered stream of effects that every consumer of writes reads.
// A write command that changed the dataset is appended here as its effect (e.g. SET .. EX 10
// becomes SET .. PXAT <abs>, an expired key becomes DEL), encoded once as RESP, with a SELECT
// in front whenever the database differs from the previous entry. The backlog, each attached
// replica and the AOF subscribe as sinks and receive the same bytes in the same order, so the
// master's offset is simply the number of bytes ever fed.

import { encodeCommandText } from '../protocol/encode-command';

export interface FeedSink {
  /** Receives encoded bytes, in feed order. */
  write(bytes: Buffer): void;
  /**
   * The same as latin1 text, when the sink copies it into a buffer of its own anyway (the
   * backlog, replicas' output): a propagated command then costs no Buffer of its own.
   */
  writeText?(text: string): void;
}

export class ReplicationFeed {
  private sinks: FeedSink[] = [];
  /** Database of the last propagated command; -1 forces a SELECT before the next one. */
  selectedDb = -1;
  /** Total bytes ever fed (the master replication offset). */
  offset = 0;
  /**
   * Set on a replica: its stream is its master's, relayed byte for byte, so local writes (a
   * writable replica) are not propagated, as in Redis.
   */
  relayOnly = false;
  private holdDepth = 0;
  private held: Array<{ dbIndex: number; argv: readonly string[] }> = [];

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
    if (this.relayOnly) return;
    if (this.holdDepth > 0) {
      this.held.push({ dbIndex, argv });
      return;
    }
    if (this.sinks.length === 0) {
      // Nothing is encoded and the offset stands still, as in Redis with no backlog; the next
      // entry after a sink attaches starts with a SELECT.
      this.selectedDb = -1;
      return;
    }
    if (dbIndex !== this.selectedDb && dbIndex >= 0) {
      this.emitText(encodeCommandText(['SELECT', String(dbIndex)]));
      this.selectedDb = dbIndex;
    }
    this.emitText(encodeCommandText(argv));
  }

  /**
   * Holds back what is propagated until the matching releaseHeld() (EXEC runs its queue in
   * between). Then several held commands go out as one MULTI ... EXEC block and a lone one bare,
   * Redis 7.0's rule: MULTI is selected into the first command's database and EXEC follows the
   * last one's, so no SELECT lands between the last command and EXEC.
   */
  hold(): void {
    this.holdDepth++;
  }

  releaseHeld(): void {
    if (--this.holdDepth > 0) return;
    const ops = this.held;
    this.held = [];
    const wrap = ops.length > 1;
    if (wrap) this.propagate(ops[0].dbIndex, ['MULTI']);
    for (const op of ops) this.propagate(op.dbIndex, op.argv);
    if (wrap) this.propagate(ops[ops.length - 1].dbIndex, ['EXEC']);
  }

  /** Appends bytes as received (a replica relaying its master's stream to its own replicas). */
  relay(bytes: Buffer): void {
    this.emit(bytes);
  }

  private emit(bytes: Buffer): void {
    this.offset += bytes.length;
    for (const s of this.sinks) s.write(bytes);
  }

  private emitText(text: string): void {
    this.offset += text.length;
    let bytes: Buffer | null = null;
    for (const s of this.sinks) {
      if (s.writeText !== undefined) s.writeText(text);
      else s.write((bytes ??= Buffer.from(text, 'latin1')));
    }
  }
}
