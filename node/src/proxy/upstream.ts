/**
 * Origin connection pools: one undici Pool (keep-alive) per origin URL, shared by every zone
 * that points at it, and weighted selection among a zone's origins.
 */
import { Pool, errors as undiciErrors } from "undici";
import type { Dispatcher } from "undici";
import { OriginError, ProxyError } from "../errors.js";
import type { ZonePolicy } from "../policy/schema.js";

export interface UpstreamOptions {
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  connectTimeoutMs: number;
  connectionsPerOrigin: number;
}

export interface UpstreamRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer | NodeJS.ReadableStream | null;
  signal?: AbortSignal;
}

export type UpstreamResponse = Dispatcher.ResponseData;

export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();
  private readonly rr = new Map<string, number>();

  constructor(private readonly opts: UpstreamOptions) {}

  /** Weighted round robin over the zone's origins. */
  select(zone: ZonePolicy): string {
    const origins = zone.origins;
    if (origins.length === 1) return origins[0]!.url;
    const total = origins.reduce((s, o) => s + o.weight, 0);
    const n = ((this.rr.get(zone.domain) ?? 0) + 1) % total;
    this.rr.set(zone.domain, n);
    let acc = 0;
    for (const o of origins) {
      acc += o.weight;
      if (n < acc) return o.url;
    }
    return origins[0]!.url;
  }

  private pool(originUrl: string): Pool {
    const u = new URL(originUrl);
    const key = u.origin;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(key, {
        connections: this.opts.connectionsPerOrigin,
        pipelining: 1,
        keepAliveTimeout: 4_000,
        headersTimeout: this.opts.headersTimeoutMs,
        bodyTimeout: this.opts.bodyTimeoutMs,
        connect: { timeout: this.opts.connectTimeoutMs },
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Sends the request to `originUrl`; origin failures become OriginError. */
  async request(originUrl: string, req: UpstreamRequest): Promise<UpstreamResponse> {
    const base = new URL(originUrl);
    const prefix = base.pathname === "/" ? "" : base.pathname.replace(/\/$/, "");
    try {
      return await this.pool(originUrl).request({
        method: req.method as Dispatcher.HttpMethod,
        path: prefix + req.path,
        headers: req.headers,
        body: (req.body ?? null) as Dispatcher.DispatchOptions["body"],
        signal: req.signal,
      });
    } catch (err) {
      throw toOriginError(err, base.origin);
    }
  }

  /** Closes pools of origins no zone uses any more (after a policy change); in-flight requests finish first. */
  retain(originUrls: Iterable<string>): void {
    const keep = new Set<string>();
    for (const u of originUrls) keep.add(new URL(u).origin);
    for (const [key, pool] of this.pools) {
      if (keep.has(key)) continue;
      this.pools.delete(key);
      void pool.close().catch(() => pool.destroy());
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close().catch(() => p.destroy())));
    this.pools.clear();
  }
}

export function toOriginError(err: unknown, origin: string): ProxyError {
  if (err instanceof ProxyError) return err;
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError || err instanceof undiciErrors.ConnectTimeoutError) {
    return new OriginError("AEGIS_ERR_ORIGIN_TIMEOUT", `origin ${origin} timed out`, err);
  }
  const code = (err as { code?: string }).code;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH" || code === "ENETUNREACH") {
    return new OriginError("AEGIS_ERR_ORIGIN_CONNECT", `cannot connect to origin ${origin} (${code})`, err);
  }
  if ((err as Error).name === "AbortError") {
    return new ProxyError("AEGIS_ERR_CLIENT_GONE", 499, "client", "client closed the connection", { cause: err });
  }
  return new OriginError("AEGIS_ERR_ORIGIN_RESET", `origin ${origin} failed: ${(err as Error).message}`, err);
}
