// An ordered set of (member, score) pairs: members unique, ordered by score and then by member
// bytes (latin1 strings compare byte-wise with <), as Redis orders sorted sets.
//
// Lookup by member is a Map; order is kept in an array with binary-search insertion.
// TODO(types issue): replace the array with a skiplist with spans for O(log n) insert and rank.

export class SortedSet {
  private readonly scores = new Map<string, number>();
  private readonly order: Array<{ member: string; score: number }> = [];

  get size(): number {
    return this.scores.size;
  }

  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  /** Adds or updates a member; returns true when the member is new. */
  add(member: string, score: number): boolean {
    const old = this.scores.get(member);
    if (old !== undefined) {
      if (old === score) return false;
      this.order.splice(this.indexOf(member, old), 1);
    }
    this.scores.set(member, score);
    this.order.splice(this.lowerBound(member, score), 0, { member, score });
    return old === undefined;
  }

  /** Removes a member; returns false when it was not there. */
  remove(member: string): boolean {
    const old = this.scores.get(member);
    if (old === undefined) return false;
    this.scores.delete(member);
    this.order.splice(this.indexOf(member, old), 1);
    return true;
  }

  /** 0-based rank in ascending order, or undefined. */
  rank(member: string): number | undefined {
    const s = this.scores.get(member);
    return s === undefined ? undefined : this.indexOf(member, s);
  }

  /** The pair at a 0-based ascending rank. */
  at(rank: number): { member: string; score: number } | undefined {
    return this.order[rank];
  }

  /** Ascending iteration over [member, score]. */
  *entries(): IterableIterator<[string, number]> {
    for (const e of this.order) yield [e.member, e.score];
  }

  private lowerBound(member: string, score: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.order[mid];
      if (e.score < score || (e.score === score && e.member < member)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private indexOf(member: string, score: number): number {
    return this.lowerBound(member, score);
  }
}
