// An ordered set of (member, score) pairs: members unique, ordered by score and then by member
// bytes (latin1 strings compare byte-wise with <), as Redis orders sorted sets.
//
// As in Redis, a Map gives member -> node and a skiplist with spans keeps the order: insert,
// delete, rank and "n-th element" are O(log n), range queries O(log n + m). The span of a link is
// the number of level-0 steps it skips, so ranks are summed on the way down.

const MAX_LEVEL = 32;
const LEVEL_P = 0.25;

export class ZNode {
  /** next[i] is the following node at level i; span[i] the level-0 steps that link covers. */
  readonly next: Array<ZNode | null>;
  readonly span: number[];
  prev: ZNode | null = null;
  constructor(
    readonly member: string,
    public score: number,
    level: number,
  ) {
    this.next = new Array<ZNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
  }
  /** The following node in ascending order. */
  get forward(): ZNode | null {
    return this.next[0];
  }
}

/** A score interval; `minex`/`maxex` make the bounds exclusive. */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** A member interval for ZRANGEBYLEX: '-'/'+' are open ends, otherwise an inclusive/exclusive bound. */
export interface LexRange {
  min: string;
  max: string;
  minex: boolean;
  maxex: boolean;
  /** min is "-" (no lower bound) / max is "+" (no upper bound); also -inf > +inf cases. */
  minInf: -1 | 0 | 1;
  maxInf: -1 | 0 | 1;
}

/** sdscmplex(min, max): "-" sorts below and "+" above every string (and equal to itself). */
function compareLexBounds(r: LexRange): number {
  if (r.minInf !== 0 && r.minInf === r.maxInf) return 0;
  if (r.minInf < 0 || r.maxInf > 0) return -1;
  if (r.minInf > 0 || r.maxInf < 0) return 1;
  return r.min < r.max ? -1 : r.min > r.max ? 1 : 0;
}

function before(aScore: number, aMember: string, bScore: number, bMember: string): boolean {
  return aScore < bScore || (aScore === bScore && aMember < bMember);
}

export function aboveMin(score: number, r: ScoreRange): boolean {
  return r.minex ? score > r.min : score >= r.min;
}
export function belowMax(score: number, r: ScoreRange): boolean {
  return r.maxex ? score < r.max : score <= r.max;
}
export function lexAboveMin(m: string, r: LexRange): boolean {
  if (r.minInf !== 0) return r.minInf < 0;
  return r.minex ? m > r.min : m >= r.min;
}
export function lexBelowMax(m: string, r: LexRange): boolean {
  if (r.maxInf !== 0) return r.maxInf > 0;
  return r.maxex ? m < r.max : m <= r.max;
}

export class SortedSet {
  private readonly nodes = new Map<string, ZNode>();
  private readonly head = new ZNode('', -Infinity, MAX_LEVEL);
  private tail: ZNode | null = null;
  private level = 1;

  get size(): number {
    return this.nodes.size;
  }

  score(member: string): number | undefined {
    return this.nodes.get(member)?.score;
  }

  has(member: string): boolean {
    return this.nodes.has(member);
  }

  /** Adds or updates a member; returns true when the member is new. */
  add(member: string, score: number): boolean {
    const old = this.nodes.get(member);
    if (old !== undefined) {
      if (old.score === score) return false;
      // Still in place when the new score keeps it between its neighbours: update in place.
      const prev = old.prev;
      const next = old.next[0];
      if ((prev === null || before(prev.score, prev.member, score, member)) && (next === null || before(score, member, next.score, next.member))) {
        old.score = score;
        return false;
      }
      this.unlink(old.member, old.score);
      this.nodes.set(member, this.insert(member, score));
      return false;
    }
    this.nodes.set(member, this.insert(member, score));
    return true;
  }

  /** Removes a member; returns false when it was not there. */
  remove(member: string): boolean {
    const node = this.nodes.get(member);
    if (node === undefined) return false;
    this.nodes.delete(member);
    this.unlink(member, node.score);
    return true;
  }

  /** 0-based rank in ascending order, or undefined. */
  rank(member: string): number | undefined {
    const node = this.nodes.get(member);
    if (node === undefined) return undefined;
    let x = this.head;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.next[i] !== null && (x.next[i] === node || before(x.next[i]!.score, x.next[i]!.member, node.score, member))) {
        rank += x.span[i];
        x = x.next[i]!;
      }
      if (x === node) return rank - 1;
    }
    return undefined;
  }

  /** The node at a 0-based ascending rank, or null when out of range. */
  at(rank: number): ZNode | null {
    if (rank < 0 || rank >= this.nodes.size) return null;
    const target = rank + 1;
    let x = this.head;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.next[i] !== null && traversed + x.span[i] <= target) {
        traversed += x.span[i];
        x = x.next[i]!;
      }
      if (traversed === target) return x;
    }
    return null;
  }

  first(): ZNode | null {
    return this.head.next[0];
  }

  last(): ZNode | null {
    return this.tail;
  }

  /** Ascending iteration over [member, score]. */
  *entries(): IterableIterator<[string, number]> {
    for (let n = this.head.next[0]; n !== null; n = n.next[0]) yield [n.member, n.score];
  }

  /**
   * Iteration over [member, score] in insertion order that survives changes made between steps
   * (a Map iterator underneath): members present throughout are all visited, as SCAN requires.
   */
  *liveEntries(): IterableIterator<[string, number]> {
    for (const [m, n] of this.nodes) yield [m, n.score];
  }

  /** The first node with a score inside the range, or null. */
  firstInRange(r: ScoreRange): ZNode | null {
    if (r.min > r.max || (r.min === r.max && (r.minex || r.maxex))) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.next[i] !== null && !aboveMin(x.next[i]!.score, r)) x = x.next[i]!;
    }
    const n = x.next[0];
    return n !== null && belowMax(n.score, r) ? n : null;
  }

  /** The last node with a score inside the range, or null. */
  lastInRange(r: ScoreRange): ZNode | null {
    if (r.min > r.max || (r.min === r.max && (r.minex || r.maxex))) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.next[i] !== null && belowMax(x.next[i]!.score, r)) x = x.next[i]!;
    }
    return x !== this.head && aboveMin(x.score, r) ? x : null;
  }

  /**
   * The first node whose member is inside the lex range, or null. Lex ranges assume equal
   * scores; with mixed scores Redis's answer depends on how it walks, so this walks the same way:
   * `linear` scans from the head as Redis does over a listpack, otherwise it descends the
   * skiplist levels as zslFirstInLexRange does.
   */
  firstInLexRange(r: LexRange, linear: boolean): ZNode | null {
    if (!this.lexRangeMayMatch(r)) return null;
    if (linear) {
      for (let n = this.head.next[0]; n !== null; n = n.next[0]) if (lexAboveMin(n.member, r)) return lexBelowMax(n.member, r) ? n : null;
      return null;
    }
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.next[i] !== null && !lexAboveMin(x.next[i]!.member, r)) x = x.next[i]!;
    }
    const n = x.next[0];
    return n !== null && lexBelowMax(n.member, r) ? n : null;
  }

  /** The last node whose member is inside the lex range, or null (see firstInLexRange). */
  lastInLexRange(r: LexRange, linear: boolean): ZNode | null {
    if (!this.lexRangeMayMatch(r)) return null;
    if (linear) {
      for (let n = this.tail; n !== null; n = n.prev) if (lexBelowMax(n.member, r)) return lexAboveMin(n.member, r) ? n : null;
      return null;
    }
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.next[i] !== null && lexBelowMax(x.next[i]!.member, r)) x = x.next[i]!;
    }
    return x !== this.head && lexAboveMin(x.member, r) ? x : null;
  }

  /** zslIsInLexRange: the range is not empty, the tail is >= min and the head <= max. */
  private lexRangeMayMatch(r: LexRange): boolean {
    const cmp = compareLexBounds(r);
    if (cmp > 0 || (cmp === 0 && (r.minex || r.maxex))) return false;
    const first = this.head.next[0];
    return first !== null && lexAboveMin(this.tail!.member, r) && lexBelowMax(first.member, r);
  }

  private randomLevel(): number {
    let level = 1;
    while (level < MAX_LEVEL && Math.random() < LEVEL_P) level++;
    return level;
  }

  private insert(member: string, score: number): ZNode {
    const update = new Array<ZNode>(MAX_LEVEL);
    const rank = new Array<number>(MAX_LEVEL);
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      while (x.next[i] !== null && before(x.next[i]!.score, x.next[i]!.member, score, member)) {
        rank[i] += x.span[i];
        x = x.next[i]!;
      }
      update[i] = x;
    }
    const level = this.randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.head;
        this.head.span[i] = this.nodes.size;
      }
      this.level = level;
    }
    const node = new ZNode(member, score, level);
    for (let i = 0; i < level; i++) {
      node.next[i] = update[i].next[i];
      update[i].next[i] = node;
      node.span[i] = update[i].span[i] - (rank[0] - rank[i]);
      update[i].span[i] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.level; i++) update[i].span[i]++;
    node.prev = update[0] === this.head ? null : update[0];
    if (node.next[0] !== null) node.next[0].prev = node;
    else this.tail = node;
    return node;
  }

  private unlink(member: string, score: number): void {
    const update = new Array<ZNode>(MAX_LEVEL);
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.next[i] !== null && before(x.next[i]!.score, x.next[i]!.member, score, member)) x = x.next[i]!;
      update[i] = x;
    }
    const node = x.next[0]!;
    for (let i = 0; i < this.level; i++) {
      if (update[i].next[i] === node) {
        update[i].span[i] += node.span[i] - 1;
        update[i].next[i] = node.next[i];
      } else {
        update[i].span[i]--;
      }
    }
    if (node.next[0] !== null) node.next[0].prev = node.prev;
    else this.tail = node.prev;
    while (this.level > 1 && this.head.next[this.level - 1] === null) this.level--;
  }
}
