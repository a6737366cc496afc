/**
 * Per-client request rate over a sliding window (two fixed buckets, weighted), bounded in
 * memory by an LRU. Used as a bot signal, not as the rate limiter.
 */
import { LRUCache } from "lru-cache";

interface Buckets {
  start: number;
  current: number;
  previous: number;
}

export class RateTracker {
  private readonly clients: LRUCache<string, Buckets>;

  constructor(private readonly windowMs = 10_000, maxClients = 100_000) {
    this.clients = new LRUCache({ max: maxClients });
  }

  /** Records one request and returns the estimated requests in the last window. */
  hit(key: string, now = Date.now()): number {
    let b = this.clients.get(key);
    const bucket = Math.floor(now / this.windowMs) * this.windowMs;
    if (!b) {
      b = { start: bucket, current: 0, previous: 0 };
      this.clients.set(key, b);
    } else if (b.start !== bucket) {
      b.previous = bucket - b.start === this.windowMs ? b.current : 0;
      b.current = 0;
      b.start = bucket;
    }
    b.current++;
    const weight = 1 - (now - bucket) / this.windowMs;
    return b.current + b.previous * weight;
  }
}
