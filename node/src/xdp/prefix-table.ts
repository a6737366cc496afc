/** Longest-prefix-match table with expiry, the user-space twin of the kernel's LPM tries. */
import { maskBytes, type Prefix } from "./cidr.js";
import type { ListEntry, ListReason } from "./types.js";

interface Slot {
  readonly cidr: string;
  readonly reason: ListReason;
  /** performance.now() deadline; undefined = never. */
  readonly deadline: number | undefined;
  readonly expiresAt: number | undefined;
}

const keyOf = (addr: Uint8Array) => Buffer.from(addr).toString("hex");

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
    m.set(keyOf(p.addr), { cidr: p.cidr, reason, deadline, expiresAt });
  }

  delete(p: Prefix): boolean {
    const m = this.byLen.get(p.prefixLen);
    const had = m?.delete(keyOf(p.addr)) ?? false;
    if (m && m.size === 0) {
      this.byLen.delete(p.prefixLen);
      this.lens = [...this.byLen.keys()].sort((a, b) => b - a);
    }
    return had;
  }

  /** True when a live (unexpired) entry covers the address. */
  matches(addr: Uint8Array): boolean {
    const t = this.now();
    for (const len of this.lens) {
      const slot = this.byLen.get(len)?.get(keyOf(maskBytes(addr, len)));
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
