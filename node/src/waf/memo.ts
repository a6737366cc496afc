/**
 * Results of pure rule-engine steps (a transformation chain, a regex set, a regex, a phrase
 * list, the SQLi/XSS detectors, a key regex) shared across requests. Real traffic repeats most
 * of what a WAF inspects (header values, cookie and argument names, paths), so one worker keeps
 * the results for short inputs, per step, in a bounded memo. Only inputs up to MEMO_MAX_INPUT
 * characters are kept; longer ones are always computed.
 *
 * The memo has two generations of plain Maps: entries go to the young one; when its keys reach
 * MEMO_CHARS characters it becomes the old one and the previous old one is dropped; a hit in
 * the old generation is copied to the young one. Recently used entries survive, memory stays
 * under 2 × MEMO_CHARS key characters per step, and a lookup is one or two Map reads (an LRU
 * list costs more than the regex lookups it saves here: measured with lru-cache, its get was a
 * third of the engine's time).
 */

/** Longest input (characters) whose result is shared across requests. */
export const MEMO_MAX_INPUT = 256;

/** Key characters (plus a per-entry allowance) one generation holds. */
const MEMO_CHARS = 1 << 17;
const ENTRY_OVERHEAD = 16;

export class Memo<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private chars = 0;

  get(key: string): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) this.set(key, o);
    return o;
  }

  set(key: string, value: V): void {
    if (this.chars >= MEMO_CHARS) {
      this.old = this.young;
      this.young = new Map();
      this.chars = 0;
    }
    this.young.set(key, value);
    this.chars += key.length + ENTRY_OVERHEAD;
  }

  /** Entries currently held (both generations; a key may be counted twice). */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
