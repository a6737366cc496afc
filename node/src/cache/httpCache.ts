/**
 * RFC 9111 shared cache over one or two tiers (memory, then optional Redis). Freshness, Vary,
 * validators and revalidation follow http-cache-semantics; the zone policy adds a default TTL and
 * stale windows. Misses for the same key are coalesced: one request fetches, the others wait and
 * then read what it stored.
 */
import CachePolicy from "http-cache-semantics";
import type { Logger } from "../logger.js";
import type { NodeMetrics } from "../metrics.js";
import type { ZonePolicy } from "../policy/schema.js";
import type { MemoryTier } from "./memoryTier.js";
import type { CachedObject, CacheTier, NotStoredReason, PurgeResult } from "./types.js";

export interface CacheRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface Lookup {
  key: string;
  variants: CachedObject[];
  obj: CachedObject;
  policy: CachePolicy;
  /** Fresh: serve. Stale: revalidate (synchronously unless `swr`). */
  fresh: boolean;
  /** Stale but inside stale-while-revalidate: serve now, refresh in the background. */
  swr: boolean;
}

export type StoreDecision = { ok: true; policy: CachePolicy; keepMs: number } | { ok: false; reason: NotStoredReason };

const policies = new WeakMap<CachedObject, CachePolicy>();
/** Wall-clock ms until which an object is fresh (computed once per object, for the hit fast path). */
const freshUntil = new WeakMap<CachedObject, number>();

export function cacheKey(zone: string, url: string): string {
  return `${zone}|${url}`;
}

export class HttpCache {
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(
    private readonly memory: MemoryTier | undefined,
    private readonly shared: CacheTier | undefined,
    readonly maxObjectBytes: number,
    private readonly log: Logger,
    private readonly metrics: NodeMetrics,
  ) {}

  get hasSharedTier(): boolean {
    return this.shared !== undefined;
  }

  /** Memory tier only, synchronous: the hit fast path. */
  lookupMemory(key: string, req: CacheRequest): Lookup | undefined {
    const variants = this.memory?.peek(key);
    return variants ? this.select(key, variants, req) : undefined;
  }

  /** Memory tier, then the shared tier (promoting what it finds into memory). */
  async lookup(key: string, req: CacheRequest): Promise<Lookup | undefined> {
    const mem = this.lookupMemory(key, req);
    if (mem || !this.shared) return mem;
    let variants: CachedObject[] | undefined;
    try {
      variants = await this.shared.get(key);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, key }, "shared cache tier read failed");
      return undefined;
    }
    if (!variants || variants.length === 0) return undefined;
    const found = this.select(key, variants, req);
    if (found && this.memory) {
      const keep = Math.max(...variants.map((v) => keepMsFor(policyOf(v))));
      await this.memory.set(key, variants, keep);
      if (found.obj.tags.length) await this.memory.addTags(key, found.obj.tags);
    }
    return found;
  }

  private select(key: string, variants: CachedObject[], req: CacheRequest): Lookup | undefined {
    let obj: CachedObject | undefined;
    for (const v of variants) {
      if (varyMatches(v.vary, req.headers)) {
        obj = v;
        break;
      }
    }
    if (!obj) return undefined;
    const policy = policyOf(obj);
    const asGet = { method: "GET", url: req.url, headers: req.headers as CachePolicy.Headers };
    if (obj.softPurgedAt !== undefined) return { key, variants, obj, policy, fresh: false, swr: false };
    // Fast path: a plain request (no Cache-Control / Pragma of its own) for an object still inside its freshness lifetime.
    if (req.headers["cache-control"] === undefined && req.headers["pragma"] === undefined) {
      let until = freshUntil.get(obj);
      if (until === undefined) {
        until = Date.now() + (policy.maxAge() - policy.age()) * 1000;
        freshUntil.set(obj, until);
      }
      if (Date.now() < until) return { key, variants, obj, policy, fresh: true, swr: false };
    }
    const ev = policy.evaluateRequest(asGet);
    if (!ev.revalidation) return { key, variants, obj, policy, fresh: true, swr: false };
    return { key, variants, obj, policy, fresh: false, swr: ev.response !== undefined && !ev.revalidation.synchronous };
  }

  /** Whether a stale object may be served because the origin failed (stale-if-error). */
  staleIfErrorAllows(lookup: Lookup, zone: ZonePolicy): boolean {
    const p = lookup.policy;
    const cc = parseCc(headerValue(lookup.obj.policy.resh["cache-control"]));
    const sie = Math.max(Number(cc["stale-if-error"] ?? 0) || 0, zone.cache.staleIfErrorSecs);
    if (lookup.obj.softPurgedAt !== undefined) return true;
    return p.maxAge() + sie > p.age();
  }

  /** Decides whether an origin response may be stored, and with which freshness. */
  decide(zone: ZonePolicy, req: CacheRequest, status: number, headers: Record<string, string | string[]>): StoreDecision {
    if (!zone.cache.enabled) return { ok: false, reason: "disabled" };
    if (req.method !== "GET") return { ok: false, reason: "method" };
    const reqCc = parseCc(headerValue(req.headers["cache-control"]));
    if ("no-store" in reqCc) return { ok: false, reason: "request_no_store" };
    const resCc = parseCc(headerValue(headers["cache-control"]));
    if ("no-store" in resCc) return { ok: false, reason: "no_store" };
    if ("private" in resCc) return { ok: false, reason: "private" };
    if (req.headers["authorization"] !== undefined && !("public" in resCc || "s-maxage" in resCc || "must-revalidate" in resCc)) {
      return { ok: false, reason: "authorization" };
    }
    const vary = headerValue(headers["vary"]);
    if (vary && vary.split(",").some((v) => v.trim() === "*")) return { ok: false, reason: "vary_star" };
    if (headers["set-cookie"] !== undefined && !("public" in resCc)) return { ok: false, reason: "set_cookie" };
    const effective = effectiveHeaders(zone, headers, resCc);
    const policy = new CachePolicy(
      { method: "GET", url: req.url, headers: req.headers as CachePolicy.Headers },
      { status, headers: effective as CachePolicy.Headers },
      { shared: true },
    );
    if (!policy.storable()) return { ok: false, reason: status === 200 ? "uncacheable" : "status" };
    const hasValidator = headers["etag"] !== undefined || headers["last-modified"] !== undefined;
    if (policy.timeToLive() <= 0 && !hasValidator) return { ok: false, reason: "zero_ttl" };
    return { ok: true, policy, keepMs: keepMsFor(policy) };
  }

  /** Stores a response as a variant of `key`, replacing the variant with the same Vary selector. */
  async store(key: string, req: CacheRequest, status: number, headers: Record<string, string | string[]>, body: Buffer, decision: { policy: CachePolicy; keepMs: number }): Promise<void> {
    const varyNames = (headerValue(headers["vary"]) ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    const vary: Record<string, string> = {};
    for (const n of varyNames) vary[n] = normalizeVaryValue(req.headers[n]);
    const obj: CachedObject = {
      status,
      headers,
      body,
      policy: decision.policy.toObject(),
      vary,
      tags: tagsOf(headers),
      storedAt: Date.now(),
    };
    policies.set(obj, decision.policy);
    await this.putVariant(key, obj, decision.keepMs);
  }

  /** After a 304: the stored body stays, headers and freshness come from the revalidated policy. */
  async refresh(lookup: Lookup, req: CacheRequest, notModified: { status: number; headers: Record<string, string | string[]> }): Promise<CachedObject> {
    const { policy } = lookup.policy.revalidatedPolicy(
      { method: "GET", url: req.url, headers: req.headers as CachePolicy.Headers },
      { status: notModified.status, headers: notModified.headers as CachePolicy.Headers },
    );
    const pobj = policy.toObject();
    const headers: Record<string, string | string[]> = { ...lookup.obj.headers };
    for (const name of ["cache-control", "expires", "etag", "last-modified", "date", "age"]) {
      const v = notModified.headers[name];
      if (v !== undefined) headers[name] = v;
    }
    const obj: CachedObject = { ...lookup.obj, headers, policy: pobj, storedAt: Date.now() };
    delete obj.softPurgedAt;
    policies.set(obj, policy);
    await this.putVariant(lookup.key, obj, keepMsFor(policy));
    return obj;
  }

  private async putVariant(key: string, obj: CachedObject, keepMs: number): Promise<void> {
    const current = this.memory?.peek(key) ?? [];
    const variants = [obj, ...current.filter((v) => !sameSelector(v.vary, obj.vary))].slice(0, 16);
    if (this.memory) {
      await this.memory.set(key, variants, keepMs);
      if (obj.tags.length) await this.memory.addTags(key, obj.tags);
      this.metrics.cacheBytes.set({ tier: "memory" }, this.memory.bytes);
    }
    if (this.shared) {
      try {
        await this.shared.set(key, variants, keepMs);
        if (obj.tags.length) await this.shared.addTags(key, obj.tags, keepMs);
      } catch (err) {
        this.log.warn({ err: (err as Error).message, key }, "shared cache tier write failed");
      }
    }
  }

  /** Coalescing: returns a release function when the caller leads the fetch for `key`, else the leader's promise. */
  lead(key: string): { release: () => void } | { wait: Promise<void> } {
    const existing = this.inflight.get(key);
    if (existing) return { wait: existing };
    let release!: () => void;
    const p = new Promise<void>((r) => (release = r));
    this.inflight.set(key, p);
    return {
      release: () => {
        if (this.inflight.get(key) === p) this.inflight.delete(key);
        release();
      },
    };
  }

  isInflight(key: string): boolean {
    return this.inflight.has(key);
  }

  async purgeUrl(zone: string, url: string, soft = false): Promise<PurgeResult> {
    return this.purgeKeys([cacheKey(zone, url)], soft, "url");
  }

  async purgePrefix(zone: string, prefix: string, soft = false): Promise<PurgeResult> {
    const p = cacheKey(zone, prefix);
    const keys = new Set(await (this.memory?.keysWithPrefix(p) ?? []));
    if (this.shared) for (const k of await this.shared.keysWithPrefix(p)) keys.add(k);
    return this.purgeKeys([...keys], soft, "prefix");
  }

  async purgeTag(tag: string, soft = false): Promise<PurgeResult> {
    const keys = new Set(await (this.memory?.keysForTag(tag) ?? []));
    if (this.shared) for (const k of await this.shared.keysForTag(tag)) keys.add(k);
    // Only the variants carrying the tag go; other variants of the same URL stay.
    return this.purgeKeys([...keys], soft, "tag", (o) => o.tags.includes(tag));
  }

  private async purgeKeys(keys: string[], soft: boolean, kind: string, match: (o: CachedObject) => boolean = () => true): Promise<PurgeResult> {
    this.metrics.count(this.metrics.purges, { kind: soft ? `${kind}_soft` : kind });
    let purged = 0;
    for (const key of keys) {
      const variants = (this.memory?.peek(key) ?? (this.shared ? await this.shared.get(key).catch(() => undefined) : undefined)) ?? [];
      const hit = variants.filter(match);
      if (hit.length === 0 && variants.length > 0) continue;
      purged += Math.max(hit.length, 1);
      const keep = variants.filter((v) => !match(v));
      if (soft) {
        const now = Date.now();
        const next = variants.map((v) => (match(v) ? { ...v, softPurgedAt: now } : v));
        for (const v of next) policies.set(v, policyOf(v));
        const keepMs = Math.max(60_000, ...next.map((v) => keepMsFor(policyOf(v))));
        await this.memory?.set(key, next, keepMs);
        await this.shared?.set(key, next, keepMs).catch(() => undefined);
      } else if (keep.length > 0) {
        const keepMs = Math.max(...keep.map((v) => keepMsFor(policyOf(v))));
        await this.memory?.set(key, keep, keepMs);
        await this.shared?.set(key, keep, keepMs).catch(() => undefined);
      } else {
        await this.memory?.delete([key]);
        await this.shared?.delete([key]).catch(() => undefined);
      }
    }
    if (this.memory) this.metrics.cacheBytes.set({ tier: "memory" }, this.memory.bytes);
    return { purged };
  }

  async close(): Promise<void> {
    await this.memory?.close();
    await this.shared?.close();
  }
}

function policyOf(obj: CachedObject): CachePolicy {
  let p = policies.get(obj);
  if (!p) {
    p = CachePolicy.fromObject(obj.policy);
    policies.set(obj, p);
  }
  return p;
}

/** How long a tier keeps an object: its usable life, plus an hour to revalidate when it has validators. */
function keepMsFor(policy: CachePolicy): number {
  const h = policy.toObject().resh;
  const validators = h["etag"] !== undefined || h["last-modified"] !== undefined;
  return policy.timeToLive() + (validators ? 3_600_000 : 0) + 1_000;
}

/** Origin headers as the cache sees them, with the zone's defaults applied. */
function effectiveHeaders(zone: ZonePolicy, headers: Record<string, string | string[]>, cc: Record<string, string>): Record<string, string | string[]> {
  const c = zone.cache;
  const out = { ...headers };
  const parts: string[] = [];
  if (!c.honourOriginHeaders) {
    delete out["expires"];
    parts.push(`max-age=${c.defaultTtlSecs}`);
  } else {
    const explicit = "max-age" in cc || "s-maxage" in cc || headers["expires"] !== undefined || "no-cache" in cc;
    const cur = headerValue(headers["cache-control"]);
    if (cur) parts.push(cur);
    if (!explicit && c.defaultTtlSecs > 0) parts.push(`max-age=${c.defaultTtlSecs}`);
  }
  if (c.staleWhileRevalidateSecs > 0 && !("stale-while-revalidate" in cc)) parts.push(`stale-while-revalidate=${c.staleWhileRevalidateSecs}`);
  if (c.staleIfErrorSecs > 0 && !("stale-if-error" in cc)) parts.push(`stale-if-error=${c.staleIfErrorSecs}`);
  if (parts.length) out["cache-control"] = parts.join(", ");
  return out;
}

export function parseCc(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  for (const part of value.split(",")) {
    const [k, v] = part.trim().split("=", 2);
    if (k) out[k.toLowerCase()] = (v ?? "").replace(/^"|"$/g, "");
  }
  return out;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v.join(", ") : v;
}

function normalizeVaryValue(v: string | string[] | undefined): string {
  if (v === undefined) return "";
  return (Array.isArray(v) ? v.join(",") : v)
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .join(",");
}

function varyMatches(vary: Record<string, string>, headers: Record<string, string | string[] | undefined>): boolean {
  for (const name in vary) if (normalizeVaryValue(headers[name]) !== vary[name]) return false;
  return true;
}

function sameSelector(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

/** Tags from Surrogate-Key (space separated) and Cache-Tag (comma separated). */
export function tagsOf(headers: Record<string, string | string[]>): string[] {
  const tags = new Set<string>();
  const sk = headerValue(headers["surrogate-key"]);
  if (sk) for (const t of sk.split(/\s+/)) if (t) tags.add(t);
  const ct = headerValue(headers["cache-tag"]);
  if (ct) for (const t of ct.split(",")) if (t.trim()) tags.add(t.trim());
  return [...tags].slice(0, 64);
}
