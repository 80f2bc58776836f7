// Verifies an RDB file's CRC-64 on a worker thread while the main thread parses the same bytes, so
// a load pays for the checksum only in CPU, not in time (the main thread's parse is what the
// "DB loaded from disk" time is made of). The worker sees nothing but the file's bytes (a
// SharedArrayBuffer, read once, not copied) and hands back 8 bytes: the keyspace stays the main
// thread's. Measured on 1M 100-byte keys (35.8 MB): the checksum took 50-85 ms of the main
// thread's ~1.5-2 s; starting the worker costs it ~8 ms (and the worker ~60 ms of CPU to boot
// on the other core).
//
// This file is both the API (main thread) and the worker's entry point.

import * as fs from 'node:fs';
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { Crc64 } from './crc64';

/** Control words shared with the worker. */
const STATE = 0;
const CRC_LO = 1;
const CRC_HI = 2;
const PENDING = 0;
const DONE = 1;
const FAILED = 2;

interface ChecksumJobData {
  bytes: SharedArrayBuffer;
  control: SharedArrayBuffer;
  /** The range to checksum, in the SharedArrayBuffer. */
  start: number;
  end: number;
}

/** The checksum of bytes [0, end) being computed on a worker. */
export class ChecksumJob {
  /**
   * Smaller files are checksummed on the main thread: a worker takes ~8 ms of the main thread
   * to start and ~50 ms to boot, while the CRC runs at ~0.5-0.7 GB/s (16 MB: ~25-30 ms). Tests
   * lower it.
   */
  static minBytes = 16 * 1024 * 1024;

  private constructor(
    private readonly worker: Worker,
    private readonly control: Int32Array,
    /** The range the worker checksums: everything but the 8-byte trailer of a well-formed file. */
    private readonly end: number,
  ) {}

  /**
   * Starts checksumming `bytes` (which must be backed by a SharedArrayBuffer, see
   * readFileShared) up to its last 8 bytes; null when it is too small to be worth it or no
   * worker can be started (the caller then computes it itself).
   */
  static start(bytes: Buffer): ChecksumJob | null {
    if (!(bytes.buffer instanceof SharedArrayBuffer) || bytes.length < Math.max(8, ChecksumJob.minBytes)) return null;
    const control = new SharedArrayBuffer(3 * 4);
    const start = bytes.byteOffset;
    const end = start + bytes.length - 8;
    try {
      const data: ChecksumJobData = { bytes: bytes.buffer, control, start, end };
      const worker = new Worker(__filename, { workerData: data });
      worker.unref();
      worker.on('error', () => {
        // Reported through the control words (FAILED or never DONE): see digestOf.
      });
      const words = new Int32Array(control);
      worker.on('exit', () => {
        if (Atomics.load(words, STATE) === PENDING) {
          Atomics.store(words, STATE, FAILED);
          Atomics.notify(words, STATE);
        }
      });
      return new ChecksumJob(worker, words, end - start);
    } catch {
      return null;
    }
  }

  /**
   * The CRC-64 of bytes [0, end) as RDB files store it (8 bytes, little-endian), waiting for the
   * worker; null when the worker covered another range (data after the checksum) or failed.
   */
  digestOf(end: number): Buffer | null {
    if (end !== this.end) {
      this.cancel();
      return null;
    }
    // The worker's exit also ends the wait (FAILED); the timeout only guards against a worker
    // that neither finishes nor exits.
    while (Atomics.load(this.control, STATE) === PENDING) {
      if (Atomics.wait(this.control, STATE, PENDING, 10000) === 'timed-out') break;
    }
    if (Atomics.load(this.control, STATE) !== DONE) return null;
    const out = Buffer.allocUnsafe(8);
    out.writeInt32LE(this.control[CRC_LO], 0);
    out.writeInt32LE(this.control[CRC_HI], 4);
    return out;
  }

  /** The load stopped before the checksum (an error): the worker's result is not needed. */
  cancel(): void {
    void this.worker.terminate();
  }
}

/** Reads a whole file into memory a worker can share (see ChecksumJob). */
export function readFileShared(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const bytes = Buffer.from(new SharedArrayBuffer(size));
    let at = 0;
    while (at < size) {
      const n = fs.readSync(fd, bytes, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    return at === size ? bytes : bytes.subarray(0, at);
  } finally {
    fs.closeSync(fd);
  }
}

if (!isMainThread && (workerData as ChecksumJobData | null)?.control instanceof SharedArrayBuffer) {
  const { bytes, control, start, end } = workerData as ChecksumJobData;
  const words = new Int32Array(control);
  const crc = new Crc64().update(new Uint8Array(bytes), start, end).digestLE();
  words[CRC_LO] = crc.readInt32LE(0);
  words[CRC_HI] = crc.readInt32LE(4);
  Atomics.store(words, STATE, DONE);
  Atomics.notify(words, STATE);
}
