/** Longest-prefix-match table with expiry, the user-space twin of the kernel's LPM tries. */
import { addressHex, type Prefix } from "./cidr.js";
import type { ListEntry, ListReason } from "./types.js";

interface Slot {
  readonly cidr: string;
  readonly reason: ListReason;
  /** performance.now() deadline; undefined = never. */
  readonly deadline: number | undefined;
  readonly expiresAt: number | undefined;
}

/**
 * Key of an address (32 lowercase hex digits, `addressHex`) in the map of one prefix length: the
 * digits the prefix covers, the last one masked when the length is not a multiple of 4. Matching
 * then slices a string instead of masking and re-encoding the address per length.
 */
export function prefixKey(hex: string, prefixLen: number): string {
  const whole = prefixLen >> 2;
  const rest = prefixLen & 3;
  if (rest === 0) return hex.slice(0, whole);
  const nibble = parseInt(hex[whole]!, 16) & ((0xf << (4 - rest)) & 0xf);
  return hex.slice(0, whole) + nibble.toString(16);
}

export class PrefixTable {
  private readonly byLen = new Map<number, Map<string, Slot>>();
  /** Prefix lengths present, longest first. */
  private lens: number[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  get size(): number {
    let n = 0;
    for (const m of this.byLen.values()) n += m.size;
    return n;
  }

  set(p: Prefix, ttlSecs: number, reason: ListReason): void {
    let m = this.byLen.get(p.prefixLen);
    if (!m) {
      m = new Map();
      this.byLen.set(p.prefixLen, m);
      this.lens = [...this.byLen.keys()].sort((a, b) => b - a);
    }
    const deadline = ttlSecs === 0 ? undefined : this.now() + ttlSecs * 1000;
    const expiresAt = ttlSecs === 0 ? undefined : Date.now() + ttlSecs * 1000;
    m.set(prefixKey(addressHex(p.addr), p.prefixLen), { cidr: p.cidr, reason, deadline, expiresAt });
  }

  delete(p: Prefix): boolean {
    const m = this.byLen.get(p.prefixLen);
    const had = m?.delete(prefixKey(addressHex(p.addr), p.prefixLen)) ?? false;
    if (m && m.size === 0) {
      this.byLen.delete(p.prefixLen);
      this.lens = [...this.byLen.keys()].sort((a, b) => b - a);
    }
    return had;
  }

  /** True when a live (unexpired) entry covers the address (given as `addressHex`). */
  matches(hex: string): boolean {
    if (this.lens.length === 0) return false;
    const t = this.now();
    for (const len of this.lens) {
      const slot = this.byLen.get(len)?.get(prefixKey(hex, len));
      if (slot && (slot.deadline === undefined || slot.deadline > t)) return true;
    }
    return false;
  }

  /** Removes expired entries; returns how many. */
  sweep(): number {
    const t = this.now();
    let removed = 0;
    for (const [len, m] of [...this.byLen]) {
      for (const [k, slot] of [...m]) {
        if (slot.deadline !== undefined && slot.deadline <= t) {
          m.delete(k);
          removed++;
        }
      }
      if (m.size === 0) this.byLen.delete(len);
    }
    if (removed) this.lens = [...this.byLen.keys()].sort((a, b) => b - a);
    return removed;
  }

  list(): ListEntry[] {
    return [...this.byLen.values()].flatMap((m) =>
      [...m.values()].map((s) => ({ cidr: s.cidr, reason: s.reason, expiresAt: s.expiresAt })),
    );
  }
}
