/** Retries with exponential backoff and jitter for transient failures. */
export interface RetryOptions {
  retries: number;
  backoffMs: number;
  /** false: give up at once (a program error will not change on retry). */
  retryable(err: unknown): boolean;
  onRetry?(err: unknown, attempt: number): void;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function withRetry<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= o.retries || !o.retryable(err)) throw err;
      o.onRetry?.(err, attempt + 1);
      const base = o.backoffMs * 2 ** attempt;
      await sleep(base / 2 + Math.floor(Math.random() * (base / 2)));
    }
  }
}
