/**
 * Results of pure rule-engine steps shared across requests: what is known about a value (its
 * transformations and regex-set results, ValueFacts), a regex, a phrase list, the SQLi/XSS
 * detectors, a key regex. Real traffic repeats most of what a WAF inspects (header values,
 * cookie and argument names, paths), so one worker keeps the results for short inputs in
 * bounded memos. Only inputs up to MEMO_MAX_INPUT characters are kept; longer ones are always
 * computed.
 *
 * The memo has two generations of plain Maps: entries go to the young one; when it has used its
 * budget it becomes the old one and the previous old one is dropped; a hit in the old
 * generation is copied to the young one. Recently used entries survive, memory stays under two
 * budgets per step, and a lookup is one or two Map reads (an LRU
 * list costs more than the regex lookups it saves here: measured with lru-cache, its get was a
 * third of the engine's time).
 */

/** Longest input (characters) whose result is shared across requests. */
export const MEMO_MAX_INPUT = 256;

/**
 * Budgets of one generation, in key characters plus an entry cost per entry (a rough allowance
 * in bytes for the Map slot, the string header and the value: ENTRY_COST for a small value,
 * FACTS_ENTRY_COST for a ValueFacts record with its arrays, which hold up to one slot per chain,
 * regex group and pure rule). A worker holds one memo per key regex (`COLLECTION:/re/`, 136 in
 * CRS 3.3.4) and one facts memo of about 2,000 values per generation: worst case about
 * 2 × (140 × 16 K + 8 M) ≈ 21 M units, far less once most inputs repeat.
 */
export const MEMO_BUDGET = { keyRegex: 1 << 14, values: 1 << 23 } as const;
export const ENTRY_COST = 64;
export const FACTS_ENTRY_COST = 4096;

export class Memo<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private used = 0;

  constructor(
    private readonly budget: number,
    private readonly entryCost = ENTRY_COST,
  ) {}

  get(key: string): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) this.set(key, o);
    return o;
  }

  set(key: string, value: V): void {
    if (this.used >= this.budget) {
      this.old = this.young;
      this.young = new Map();
      this.used = 0;
    }
    this.young.set(key, value);
    this.used += key.length + this.entryCost;
  }

  /** Entries currently held (both generations; a key may be counted twice). */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
