/**
 * In-process blocklist: the `Blocklist` sink used by the HTTP path on nodes without XDP (and as a
 * fast second check on nodes with it). Entries end on their own at their expiry.
 */
import type { Blocklist } from "./types.js";

export class MemoryBlocklist implements Blocklist {
  private readonly until = new Map<string, { untilMs: number; reason: string }>();

  constructor(private readonly now: () => number = Date.now) {}

  block(ip: string, untilMs: number, reason: string): void {
    this.until.set(ip, { untilMs, reason });
  }

  unblock(ip: string): void {
    this.until.delete(ip);
  }

  /** The reason `ip` is blocked, or undefined. */
  lookup(ip: string): string | undefined {
    const e = this.until.get(ip);
    if (!e) return undefined;
    if (e.untilMs <= this.now()) {
      this.until.delete(ip);
      return undefined;
    }
    return e.reason;
  }

  isBlocked(ip: string): boolean {
    return this.lookup(ip) !== undefined;
  }

  get size(): number {
    return this.until.size;
  }
}
