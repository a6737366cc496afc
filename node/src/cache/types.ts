import type CachePolicy from "http-cache-semantics";

/** How a request was answered with respect to the cache. Logged, counted, sent as `X-Aegis-Cache`. */
export const CACHE_OUTCOMES = [
  "hit", // fresh object served
  "miss", // nothing stored; fetched from origin
  "expired", // stored object was stale and replaced by a new origin response
  "revalidated", // stale object confirmed by the origin with 304
  "stale", // stale object served while a background refresh runs (stale-while-revalidate)
  "stale_error", // stale object served because the origin failed (stale-if-error)
  "bypass", // request not eligible (method, cache disabled, Range on HEAD, …)
] as const;
export type CacheOutcome = (typeof CACHE_OUTCOMES)[number];

/** Why an origin response was not stored. */
export const NOT_STORED_REASONS = [
  "disabled",
  "method",
  "request_no_store",
  "no_store",
  "private",
  "authorization",
  "set_cookie",
  "status",
  "vary_star",
  "zero_ttl",
  "too_large",
  "uncacheable",
] as const;
export type NotStoredReason = (typeof NOT_STORED_REASONS)[number];

/** One stored response (one Vary variant of a URL). */
export interface CachedObject {
  status: number;
  /** Response headers without hop-by-hop fields. */
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** http-cache-semantics serialized policy (freshness, validators, Vary). */
  policy: CachePolicy.CachePolicyObject;
  /** Request header values named by Vary, normalized, as the variant's selector. */
  vary: Record<string, string>;
  tags: string[];
  storedAt: number;
  /** Time of a soft purge: the object is stale from then on but may still serve on origin error. */
  softPurgedAt?: number;
}

/** A storage tier: objects grouped by primary key (zone|path?query), one entry per Vary variant. */
export interface CacheTier {
  readonly name: string;
  get(key: string): Promise<CachedObject[] | undefined>;
  set(key: string, variants: CachedObject[], ttlMs: number): Promise<void>;
  delete(keys: string[]): Promise<void>;
  /** Primary keys starting with `prefix`. */
  keysWithPrefix(prefix: string): Promise<string[]>;
  addTags(key: string, tags: string[], ttlMs: number): Promise<void>;
  /** Primary keys holding an object tagged `tag`. */
  keysForTag(tag: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface PurgeResult {
  purged: number;
}
