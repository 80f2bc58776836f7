// The per-key delays Redis's test suite uses to slow saving and loading down (rdb-key-save-delay,
// key-load-delay, in microseconds per key). Delays below a millisecond accumulate until they add
// up to whole milliseconds, the resolution Node can wait with.

export class KeyDelay {
  private debtUs = 0;

  constructor(private readonly perKeyUs: number) {}

  get active(): boolean {
    return this.perKeyUs > 0;
  }

  /** Counts one key; returns the milliseconds to wait now (0 most of the time). */
  tick(): number {
    this.debtUs += this.perKeyUs;
    if (this.debtUs < 1000) return 0;
    const ms = Math.floor(this.debtUs / 1000);
    this.debtUs -= ms * 1000;
    return ms;
  }
}

/** Blocks the thread for ms, as Redis's debugDelay blocks its process. */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
