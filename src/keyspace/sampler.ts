// Random picks in O(1) from a JS Map or Set, which have no random access (RANDOMKEY, SPOP,
// SRANDMEMBER, HRANDFIELD). Picking by walking to a random position is O(n), so
// draining a million-member set with SPOP would be quadratic; Redis picks from its hash table's
// buckets in O(1).
//
// A sampler is an array of the collection's members, built on the first pick (one O(n) pass) and
// then kept by its owner: members added later are appended (added()), members removed are not
// tracked at all; a pick that lands on a slot whose member is gone drops that slot and draws
// again, so each dead slot costs one extra draw once. A member removed and added back has two
// slots until the array is rebuilt; rebuilding once the array holds more than twice the live
// members (plus a little) bounds that bias, the way Redis's own bucket sampling is only roughly
// fair. Collections that never see a random pick never get a sampler and pay nothing.

/** Below this many members a walk is as cheap as keeping a sampler. */
export const SAMPLER_MIN_SIZE = 64;

export class RandomSampler<K> {
  private slots: K[];

  /** `source` is the collection the slots were taken from (a Database's dict may be replaced). */
  constructor(
    readonly source: object,
    members: Iterable<K>,
  ) {
    this.slots = Array.from(members);
  }

  /** Records a member added to the collection after the sampler was built. */
  added(member: K): void {
    this.slots.push(member);
  }

  /**
   * True when a rebuild is due: so many slots are dead or repeated, or fewer slots than live
   * members (some member was added without added(): every live member has at least one slot).
   */
  stale(liveSize: number): boolean {
    return this.slots.length < liveSize || this.slots.length > 2 * liveSize + SAMPLER_MIN_SIZE;
  }

  /**
   * A random member for which `isLive` holds, dropping the dead slots it draws on the way (and the
   * returned one too when `take`, for pops). undefined when no live member is left.
   */
  pick(isLive: (member: K) => boolean, take = false): K | undefined {
    const slots = this.slots;
    while (slots.length > 0) {
      const i = Math.floor(Math.random() * slots.length);
      const member = slots[i];
      const live = isLive(member);
      if (!live || take) {
        // Swap-remove: order does not matter to a sampler.
        const last = slots.pop()!;
        if (i < slots.length) slots[i] = last;
      }
      if (live) return member;
    }
    return undefined;
  }
}

/** A collection that may carry a sampler (SetValue, HashValue, Database). */
export interface Sampled<K> {
  sampler: RandomSampler<K> | null;
}

/**
 * The owner's sampler for `source` (a Set's members, a Map's keys), built now or rebuilt when
 * stale or taken from another source; null for collections smaller than `minSize`, cheaper to
 * walk (a database, one of few, always has one).
 */
export function samplerOf<K>(owner: Sampled<K>, source: Set<K> | Map<K, unknown>, minSize = SAMPLER_MIN_SIZE): RandomSampler<K> | null {
  if (source.size < minSize) {
    owner.sampler = null;
    return null;
  }
  const current = owner.sampler;
  if (current === null || current.source !== source || current.stale(source.size)) {
    owner.sampler = new RandomSampler(source, source.keys());
  }
  return owner.sampler;
}
