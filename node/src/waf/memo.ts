/**
 * Results of pure rule-engine steps (a transformation chain, a regex set, a regex, a phrase
 * list, the SQLi/XSS detectors, a key regex) shared across requests. Real traffic repeats most
 * of what a WAF inspects (header values, cookie and argument names, paths), so one worker keeps
 * the results for short inputs, per step, in a bounded memo. Only inputs up to MEMO_MAX_INPUT
 * characters are kept; longer ones are always computed.
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
 * Budgets of one generation, in key characters plus ENTRY_COST per entry (a rough allowance for
 * the Map slot, the string header and a small value). A worker holds about 900 memos (most are
 * one per regex or phrase rule), so the per-rule budget stays small: worst case about
 * 2 × (800 × 16 K + 100 × 64 K) ≈ 38 M units, far less once most inputs repeat.
 */
export const MEMO_BUDGET = { perRule: 1 << 14, shared: 1 << 16 } as const;
const ENTRY_COST = 64;

export class Memo<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private used = 0;

  constructor(private readonly budget: number) {}

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
    this.used += key.length + ENTRY_COST;
  }

  /** Entries currently held (both generations; a key may be counted twice). */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
