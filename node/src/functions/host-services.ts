/**
 * Host calls served on the main thread: the zone-scoped cache and outbound fetch to
 * allow-listed hosts (undici) under a time limit.
 */
import { LRUCache } from "lru-cache";
import { request } from "undici";
import { HOST_ERR } from "./abi.js";
import type { FunctionMetrics } from "./metrics.js";
import type { FunctionsRuntimeConfig, HostCallContext, HostReply, HostRequest } from "./types.js";

const ok = (code: number, value?: Uint8Array): HostReply => ({ code, value });
const err = (code: number): HostReply => ({ code, value: undefined });

/** True when `url` is http(s) and its host (or host:port) is on the allow-list. */
export function fetchAllowed(url: string, allow: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return false;
  if (u.username || u.password) return false;
  const host = u.hostname.toLowerCase();
  const port = u.port || (u.protocol === "https:" ? "443" : "80");
  return allow.some((entry) => {
    const e = entry.toLowerCase();
    return e === host || e === `${host}:${port}` || e === `[${host}]:${port}`;
  });
}

export class HostServices {
  private readonly cache: LRUCache<string, Uint8Array>;

  constructor(
    private readonly config: FunctionsRuntimeConfig,
    private readonly metrics: FunctionMetrics,
  ) {
    this.cache = new LRUCache<string, Uint8Array>({
      maxSize: config.cacheMaxBytes,
      sizeCalculation: (v, k) => v.length + k.length + 32,
      ttlAutopurge: false,
    });
  }

  readonly handle = async (ctx: HostCallContext, req: HostRequest): Promise<HostReply> => {
    const reply = await this.serve(ctx, req);
    this.metrics.hostCalls.inc({ op: req.op, result: reply.code < 0 ? String(reply.code) : "ok" });
    return reply;
  };

  private async serve(ctx: HostCallContext, req: HostRequest): Promise<HostReply> {
    switch (req.op) {
      case "cache_get": {
        const v = this.cache.get(cacheKey(ctx.zone, req.key));
        return v ? ok(v.length, v) : err(HOST_ERR.absent);
      }
      case "cache_set": {
        const ttl = Math.min(req.ttlSecs || this.config.cacheMaxTtlSecs, this.config.cacheMaxTtlSecs);
        this.cache.set(cacheKey(ctx.zone, req.key), req.value, { ttl: ttl * 1000 });
        return ok(0);
      }
      case "fetch":
        return this.fetch(ctx, req.method, req.url, req.body);
    }
  }

  private async fetch(ctx: HostCallContext, method: string, url: string, body: Uint8Array | undefined): Promise<HostReply> {
    if (!fetchAllowed(url, ctx.fetchAllow)) return err(HOST_ERR.notAllowed);
    if (!/^[A-Z]{1,16}$/.test(method)) return err(HOST_ERR.badArgument);
    const signal = AbortSignal.timeout(ctx.fetchTimeoutMs);
    try {
      const res = await request(url, {
        method: method as "GET",
        body: body ? Buffer.from(body) : undefined,
        signal,
        headersTimeout: ctx.fetchTimeoutMs,
        bodyTimeout: ctx.fetchTimeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > this.config.maxFetchBytes) {
          res.body.destroy();
          return err(HOST_ERR.limit);
        }
        chunks.push(chunk as Buffer);
      }
      return ok(res.statusCode, new Uint8Array(Buffer.concat(chunks)));
    } catch (e) {
      if (signal.aborted || (e as { code?: string }).code?.includes("TIMEOUT")) return err(HOST_ERR.timeout);
      return err(HOST_ERR.network);
    }
  }
}

function cacheKey(zone: string, key: string): string {
  return `${zone}\u0000${key}`;
}
