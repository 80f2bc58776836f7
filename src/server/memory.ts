// Memory in use: the one measure behind INFO memory (used_memory, mem_not_counted_for_evict),
// the maxmemory check and eviction, and the RDB's used-mem aux field.
//
// The dataset lives in the V8 heap (values are JS strings and collections); off-heap buffers
// (Buffers: replica output, the backlog, reply and read buffers) are "external". Two corrections
// keep the figure honest:
// - The heap only shrinks when the garbage collector runs: a key deleted by eviction stays in
//   the old generation until a major GC. Eviction reports what it freed (an estimate per key),
//   and that estimate is subtracted until old space is seen to shrink. Young-generation
//   scavenges, which happen all the time, do not reset it: they never shrink old space.
// - Off-heap buffers are not counted for eviction, as Redis leaves its replication and AOF
//   buffers out of the maxmemory check (mem_not_counted_for_evict): evicting keys cannot
//   shrink them.
//
// The heap is per process, so the meter is too: servers started in one process (unit tests)
// share it.

import * as v8 from 'node:v8';

export interface MemoryFigures {
  /** used_memory: heap in use plus off-heap buffers, less what eviction freed and GC has not collected. */
  used: number;
  /** mem_not_counted_for_evict: the off-heap buffers. */
  notCountedForEvict: number;
}

class MemoryMeter {
  private lastOldSpace = 0;
  private freedEstimate = 0;

  figures(): MemoryFigures {
    const external = v8.getHeapStatistics().external_memory;
    return { used: this.heapLessFreed() + external, notCountedForEvict: external };
  }

  /** Memory as the maxmemory check counts it: used_memory less mem_not_counted_for_evict. */
  forEviction(): number {
    return this.heapLessFreed();
  }

  /** The V8 heap in use, less what eviction freed that the GC has not collected yet. */
  private heapLessFreed(): number {
    let heap = 0;
    let oldSpace = 0;
    for (const s of v8.getHeapSpaceStatistics()) {
      heap += s.space_used_size;
      if (s.space_name === 'old_space' || s.space_name === 'large_object_space') oldSpace += s.space_used_size;
    }
    if (oldSpace < this.lastOldSpace) this.freedEstimate = 0;
    this.lastOldSpace = oldSpace;
    return Math.max(0, heap - this.freedEstimate);
  }

  /** Records that eviction deleted a key of about `bytes` (see the header). */
  noteFreed(bytes: number): void {
    this.freedEstimate += bytes;
  }
}

export const memoryMeter = new MemoryMeter();

/** used_memory (see MemoryFigures). */
export function usedMemory(): number {
  return memoryMeter.figures().used;
}
