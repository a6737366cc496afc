/**
 * Replay and duplicate filter for signed events: an event is fresh only inside a timestamp
 * window, and each (node, nonce) is accepted once while it could still be fresh. Because the
 * window bounds how long a key must be remembered, memory stays bounded. Per-node sequence
 * numbers are tracked for metrics/diagnostics; ordering is not required (core and JetStream
 * deliveries interleave).
 */
import type { RejectReason } from "./types.js";

export interface ReplayGuardOptions {
  /** Oldest acceptable event age (ms). Must cover the JetStream catch-up horizon. */
  maxAgeMs: number;
  /** How far in the future a timestamp may be (clock skew, ms). */
  maxSkewMs: number;
  /** Upper bound on remembered keys; the oldest are forgotten first (they are then stale anyway). */
  maxEntries?: number;
}

export class ReplayGuard {
  private readonly seen = new Map<string, number>(); // key → event ts, insertion-ordered
  private readonly maxEntries: number;

  constructor(private readonly opts: ReplayGuardOptions) {
    this.maxEntries = opts.maxEntries ?? 1_000_000;
  }

  /** Timestamp check only. */
  checkTime(ts: number, now: number): RejectReason | undefined {
    if (ts < now - this.opts.maxAgeMs) return "stale";
    if (ts > now + this.opts.maxSkewMs) return "future";
    return undefined;
  }

  /** True when the key was seen; otherwise records it. Call after the signature is verified. */
  seenBefore(node: string, nonce: string, ts: number, now: number): boolean {
    const key = `${node}:${nonce}`;
    if (this.seen.has(key)) return true;
    this.seen.set(key, ts);
    if (this.seen.size > this.maxEntries) this.sweep(now, true);
    return false;
  }

  /** Forgets keys whose events are outside the window (they would be rejected as stale anyway). */
  sweep(now: number, force = false): void {
    const horizon = now - this.opts.maxAgeMs;
    for (const [key, ts] of this.seen) {
      if (ts < horizon) this.seen.delete(key);
    }
    while (force && this.seen.size > this.maxEntries) {
      const first = this.seen.keys().next().value;
      if (first === undefined) break;
      this.seen.delete(first);
    }
  }

  get size(): number {
    return this.seen.size;
  }
}
