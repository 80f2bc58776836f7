// The replication backlog: a fixed-size ring buffer holding the most recent bytes of the
// replication stream, so a replica that lost its link (or a sibling after a promotion) can
// continue with PSYNC from its offset instead of a full resync.
//
// Offsets follow Redis: the stream's bytes are numbered from 1, the backlog holds bytes
// [firstByteOffset, firstByteOffset + histlen) and `endOffset` is the master replication offset
// (the number of the last byte written). A replica asking for `PSYNC <replid> <o>` wants the
// bytes from offset o onwards, where o = its processed offset + 1.

export class ReplicationBacklog {
  private buf: Buffer;
  /** Where the next byte goes in `buf`. */
  private idx = 0;
  /** Bytes of history held (<= size). */
  histlen = 0;
  /** The offset of the last byte written (master_repl_offset). */
  endOffset: number;

  constructor(size: number, endOffset: number) {
    this.buf = Buffer.alloc(Math.max(size, 1));
    this.endOffset = endOffset;
  }

  /** A feed sink that copies a whole turn's bytes at once. */
  readonly perTurn = true;
  /** write() copies the bytes into the ring before it returns. */
  readonly copiesAtOnce = true;

  get size(): number {
    return this.buf.length;
  }

  /** repl_backlog_first_byte_offset: the offset of the oldest byte held. */
  get firstByteOffset(): number {
    return this.endOffset - this.histlen + 1;
  }

  write(bytes: Buffer): void {
    const size = this.buf.length;
    const src = bytes.length > size ? bytes.subarray(bytes.length - size) : bytes;
    const first = Math.min(src.length, size - this.idx);
    src.copy(this.buf, this.idx, 0, first);
    if (first < src.length) src.copy(this.buf, 0, first);
    this.advance(bytes.length, src.length);
  }

  /** `written` bytes were fed, of which the last `kept` were copied in at idx (wrapping). */
  private advance(written: number, kept: number): void {
    this.endOffset += written;
    this.idx = (this.idx + kept) % this.buf.length;
    this.histlen = Math.min(this.histlen + kept, this.buf.length);
  }

  /** True when the bytes from `offset` (inclusive) up to the end are all held. */
  covers(offset: number): boolean {
    return this.histlen > 0 ? offset >= this.firstByteOffset && offset <= this.endOffset + 1 : offset === this.endOffset + 1;
  }

  /** The bytes from `offset` (inclusive) to the end; the caller checked covers(). */
  readFrom(offset: number): Buffer {
    const len = this.endOffset + 1 - offset;
    if (len <= 0) return Buffer.alloc(0);
    const size = this.buf.length;
    const start = (this.idx - len + size * 2) % size;
    if (start + len <= size) return Buffer.from(this.buf.subarray(start, start + len));
    return Buffer.concat([this.buf.subarray(start), this.buf.subarray(0, (start + len) % size)]);
  }

  /** Changes the capacity, keeping as much of the most recent history as fits. */
  resize(size: number): void {
    if (size === this.buf.length) return;
    const keep = this.readFrom(this.endOffset + 1 - Math.min(this.histlen, size));
    const end = this.endOffset;
    this.buf = Buffer.alloc(Math.max(size, 1));
    this.idx = 0;
    this.histlen = 0;
    this.endOffset = end - keep.length;
    this.write(keep);
  }
}
