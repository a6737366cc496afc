/**
 * Grow-only counter (G-Counter), delta-state flavour: every replica owns one entry and only ever
 * raises it; join is the entry-wise maximum. A mutator returns the delta (the one changed entry),
 * which is itself a valid state and can be shipped and joined anywhere, any number of times.
 */

/** Wire/state form: replica id → that replica's count. */
export type GCounterState = Readonly<Record<string, number>>;

export class GCounter {
  private readonly entries = new Map<string, number>();

  static from(state: GCounterState): GCounter {
    return new GCounter().merge(state);
  }

  /** Adds `by` (≥ 0) to `replica`'s entry and returns the delta to replicate. */
  increment(replica: string, by = 1): GCounterState {
    if (!(by >= 0) || !Number.isSafeInteger(by)) throw new RangeError(`G-Counter increment must be a non-negative integer, got ${by}`);
    if (by === 0) return {}; // zero entries are never stored: {} and {r: 0} are the same state
    const next = (this.entries.get(replica) ?? 0) + by;
    this.entries.set(replica, next);
    return { [replica]: next };
  }

  /** Joins a state or delta in place (entry-wise max). Returns this. */
  merge(other: GCounterState | GCounter): this {
    const src = other instanceof GCounter ? other.entries : Object.entries(other);
    for (const [replica, count] of src) {
      if (!Number.isSafeInteger(count) || count < 0) continue; // malformed entries never lower or corrupt state
      if (count > (this.entries.get(replica) ?? 0)) this.entries.set(replica, count);
    }
    return this;
  }

  get(replica: string): number {
    return this.entries.get(replica) ?? 0;
  }

  value(): number {
    let sum = 0;
    for (const v of this.entries.values()) sum += v;
    return sum;
  }

  replicas(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** The full state, keys sorted (stable for comparison and hashing). */
  state(): GCounterState {
    const out: Record<string, number> = {};
    for (const k of [...this.entries.keys()].sort()) out[k] = this.entries.get(k)!;
    return out;
  }

  clone(): GCounter {
    return GCounter.from(this.state());
  }
}
