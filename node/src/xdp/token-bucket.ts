/** Token bucket arithmetic shared by the user-space limiter (the kernel has its own copy in C). */
export interface Bucket {
  tokens: number;
  at: number;
}

/** Takes one token at time `now` (ms); returns true when within budget. rate 0 = unlimited. */
export function take(b: Bucket, now: number, ratePerSec: number, burst: number): boolean {
  if (ratePerSec === 0) return true;
  const cap = Math.max(1, burst);
  b.tokens = Math.min(cap, b.tokens + ((now - b.at) / 1000) * ratePerSec);
  b.at = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}
