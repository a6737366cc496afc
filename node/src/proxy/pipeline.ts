/**
 * The request path, as an explicit ordered list of phases (see docs/node.md):
 *
 *   1. earlyRequest    limits, smuggling checks, zone by Host, client IP, request id, body
 *   2. requestPhases   injected by the caller in order: WAF, bots, edge functions, …
 *   3. cacheLookup     fresh hit / stale-while-revalidate / revalidate / coalesced miss
 *   4. upstream        origin selection and request over a keep-alive pool
 *   5. upstreamResponse  store decision (or the "why not stored" reason), 304 refresh, stale-if-error
 *   6. responsePhases  injected response filters
 *   7. logging         metrics, analytics counters, access log — on response close
 *
 * Any error in any phase goes to failToProxy.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Readable } from "node:stream";
import type { AnalyticsRecorder } from "../analytics/recorder.js";
import { evaluateServe } from "../cache/conditional.js";
import { cacheKey, type CacheRequest, type HttpCache, type Lookup } from "../cache/httpCache.js";
import { CACHE_OUTCOMES, type CachedObject, type CacheOutcome } from "../cache/types.js";
import type { NodeConfig } from "../config.js";
import { BadRequestError, PayloadTooLargeError, ProxyError, ZoneNotFoundError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { NodeMetrics } from "../metrics.js";
import type { EdgeRequest, EdgeResponse, HeaderMap, TlsInfo, Verdict } from "../phase.js";
import type { ZonePolicy } from "../policy/schema.js";
import type { PolicyStore } from "../policy/store.js";
import type { TrustedProxies } from "./clientIp.js";
import type { ClientRequest, ClientResponse, RequestContext } from "./context.js";
import { failToProxy } from "./fail.js";
import { checkRequestHead, originForm } from "./hardening.js";
import { appendHeader, headerString, stripHopByHop } from "./headers.js";
import type { UpstreamPools, UpstreamResponse } from "./upstream.js";

export interface PipelineDeps {
  config: NodeConfig;
  policies: PolicyStore;
  cache: HttpCache;
  upstream: UpstreamPools;
  trusted: TrustedProxies;
  analytics: AnalyticsRecorder;
  metrics: NodeMetrics;
  log: Logger;
  /** Client addresses learned from PROXY protocol headers, by "peerAddress:peerPort". */
  proxyProtocolPeers: Map<string, string>;
}

const CONDITIONAL_HEADERS = ["if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range", "range"];
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export class ProxyPipeline {
  private readonly via: string;
  private readonly viaToken: string;

  constructor(private readonly d: PipelineDeps) {
    this.via = `1.1 ${d.config.nodeName}`;
    this.viaToken = ` ${d.config.nodeName}`;
  }

  /** Entry point for every client request (HTTP/1.1 and HTTP/2). */
  handle(req: ClientRequest, res: ClientResponse, tls: boolean): void {
    const ctx: RequestContext = {
      id: "",
      startedAt: performance.now(),
      req,
      res,
      tlsScheme: tls,
      edge: undefined,
      zone: undefined,
      cacheKey: undefined,
      cacheOutcome: undefined,
      notStored: undefined,
      answeredBy: undefined,
      upstream: undefined,
      bytesOut: 0,
      error: undefined,
      abort: undefined,
    };
    this.d.metrics.inflightNow++;
    // 'close' comes once per response; `on` spares the once-wrapper. No per-request named
    // closures on this path: tsx (esbuild keepNames) gives each one a defineProperty("name").
    res.on("close", () => this.closed(ctx));
    try {
      // The common case (no body, no injected phase, fresh in-memory hit) completes synchronously;
      // everything else continues asynchronously in `runAsync`.
      const edge = this.earlyRequest(ctx);
      const pending = edge.body === PENDING_BODY ? this.readBodyThen(ctx, edge) : this.runPhases(ctx, edge);
      if (pending) pending.catch((err: unknown) => this.fail(ctx, err));
    } catch (err) {
      this.fail(ctx, err);
    }
  }

  private closed(ctx: RequestContext): void {
    try {
      this.logging(ctx);
    } catch (err) {
      this.d.log.error({ err: (err as Error).message, reqId: ctx.id }, "request logging failed");
    }
  }

  private fail(ctx: RequestContext, err: unknown): void {
    try {
      failToProxy(ctx, err, this.d.log, this.d.metrics, this.via);
    } catch (inner) {
      this.d.log.error({ err: (inner as Error).message, reqId: ctx.id }, "error response failed");
      if (!ctx.res.destroyed) ctx.res.destroy();
    }
  }

  private async readBodyThen(ctx: RequestContext, edge: EdgeRequest): Promise<void> {
    edge.body = await this.readBody(ctx.req, this.d.config.limits.maxBodyBytes);
    await this.runPhases(ctx, edge);
  }

  /** Phases 2 onward. Returns undefined when the request was answered synchronously. */
  private runPhases(ctx: RequestContext, edge: EdgeRequest): Promise<void> | undefined {
    const zone = ctx.zone!;
    if (this.d.config.requestPhases.length > 0) return this.runRequestPhases(ctx, edge, zone);
    return this.afterPhases(ctx, edge, zone);
  }

  /**
   * Runs the request phases from `from` on. Phases that answer synchronously keep the request on
   * the synchronous path (a fresh hit then needs no promise at all); the first phase that returns
   * a promise moves the rest of the request to the asynchronous path.
   */
  private runRequestPhases(ctx: RequestContext, edge: EdgeRequest, zone: ZonePolicy, from = 0): Promise<void> | undefined {
    const phases = this.d.config.requestPhases;
    for (let i = from; i < phases.length; i++) {
      const phase = phases[i]!;
      const verdict = phase.onRequest(edge, zone);
      if (verdict instanceof Promise) return verdict.then((v) => this.afterVerdict(ctx, edge, zone, i, v));
      if (verdict.kind === "respond") return this.answerFromPhase(ctx, phase.name, verdict);
    }
    return this.afterPhases(ctx, edge, zone);
  }

  private afterVerdict(ctx: RequestContext, edge: EdgeRequest, zone: ZonePolicy, index: number, verdict: Verdict): Promise<void> | undefined {
    if (verdict.kind === "respond") return this.answerFromPhase(ctx, this.d.config.requestPhases[index]!.name, verdict);
    return this.runRequestPhases(ctx, edge, zone, index + 1);
  }

  private answerFromPhase(ctx: RequestContext, phase: string, verdict: Extract<Verdict, { kind: "respond" }>): Promise<void> {
    ctx.answeredBy = phase;
    this.d.metrics.count(this.d.metrics.phaseVerdicts, { phase, reason: verdict.reason });
    return this.sendBuffered(ctx, verdict.response.status, verdict.response.headers, verdict.response.body);
  }

  private afterPhases(ctx: RequestContext, edge: EdgeRequest, zone: ZonePolicy): Promise<void> | undefined {
    const cacheable = (edge.method === "GET" || edge.method === "HEAD") && zone.cache.enabled && edge.headers["authorization"] === undefined;
    if (!cacheable) {
      this.setOutcome(ctx, "bypass");
      return this.passThrough(ctx, edge, zone);
    }
    // Fresh in-memory hit: answered without a promise.
    const key = cacheKey(zone.domain, edge.url);
    ctx.cacheKey = key;
    const creq: CacheRequest = { method: "GET", url: edge.url, headers: edge.headers };
    const found = this.d.cache.lookupMemory(key, creq);
    if (found?.fresh) {
      const r = this.sendCached(ctx, found.obj, found, "hit");
      return r instanceof Promise ? r : undefined;
    }
    return this.cacheLookup(ctx, edge, zone, found);
  }

  // ── 1. early request ────────────────────────────────────────────────────────────────
  private earlyRequest(ctx: RequestContext): EdgeRequest {
    const { req } = ctx;
    const limits = this.d.config.limits;
    const peer = this.peerAddress(req);
    const trustedPeer = this.d.trusted.trusts(peer);
    const incomingId = headerString(req.headers["x-request-id"]);
    (ctx as { id: string }).id = trustedPeer && incomingId && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
    checkRequestHead(req, limits);
    const via = headerString(req.headers["via"]);
    if (via && via.includes(this.viaToken) && via.split(",").some((v) => v.trim().split(/\s+/)[1] === this.d.config.nodeName)) {
      throw new ProxyError("AEGIS_ERR_LOOP", 508, "client", "request already passed through this node");
    }
    const authority = headerString(req.headers[":authority"]) ?? headerString(req.headers.host) ?? "";
    const host = hostOnly(authority);
    const zone = this.d.policies.get(host);
    if (!zone) throw new ZoneNotFoundError(host);
    ctx.zone = zone;
    const clientIp = this.d.trusted.clientIp(peer, headerString(req.headers["forwarded"]), headerString(req.headers["x-forwarded-for"]));
    const hasBody = req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined || (req.httpVersionMajor >= 2 && req.method !== "GET" && req.method !== "HEAD");
    const body = hasBody ? PENDING_BODY : undefined;
    const edge = new ProxiedRequest(
      ctx.id,
      zone.domain,
      clientIp,
      req.method ?? "GET",
      originForm(req.url ?? "/"),
      req.httpVersion,
      req.headers,
      req.rawHeaders,
      body,
      ctx.tlsScheme ? { sni: (req.socket as { servername?: string }).servername || undefined } : undefined,
      Date.now(),
    );
    ctx.edge = edge;
    return edge;
  }

  private peerAddress(req: ClientRequest): string {
    const s = req.socket;
    const addr = s.remoteAddress ?? "";
    if (this.d.proxyProtocolPeers.size > 0) {
      const viaPp = this.d.proxyProtocolPeers.get(`${addr}:${s.remotePort}`);
      if (viaPp) return viaPp;
    }
    return addr;
  }

  /** Buffers the request body (bounded) before any phase or the origin sees the request. */
  private async readBody(req: ClientRequest, max: number): Promise<Buffer | undefined> {
    const cl = req.headers["content-length"];
    const chunked = req.headers["transfer-encoding"] !== undefined;
    const h2 = req.httpVersionMajor >= 2;
    if (cl === undefined && !chunked && !(h2 && req.method !== "GET" && req.method !== "HEAD")) return undefined;
    if (cl !== undefined && Number(cl) > max) throw new PayloadTooLargeError(max);
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > max) throw new PayloadTooLargeError(max);
      chunks.push(chunk);
    }
    if (!req.complete) throw new BadRequestError("AEGIS_ERR_INCOMPLETE_BODY", "request body ended early");
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
  }

  // ── 3. cache lookup ─────────────────────────────────────────────────────────────────
  private async cacheLookup(ctx: RequestContext, edge: EdgeRequest, zone: ZonePolicy, inMemory: Lookup | undefined): Promise<void> {
    const cache = this.d.cache;
    const key = ctx.cacheKey!;
    const creq: CacheRequest = { method: "GET", url: edge.url, headers: edge.headers };
    let found = inMemory ?? (cache.hasSharedTier ? await cache.lookup(key, creq) : undefined);
    if (found?.fresh) return this.sendCached(ctx, found.obj, found, "hit");
    if (found?.swr) {
      await this.sendCached(ctx, found.obj, found, "stale");
      this.refreshInBackground(zone, key, creq, found);
      return;
    }
    for (;;) {
      const lead = cache.lead(key);
      if ("release" in lead) {
        try {
          return await this.fetchFromOrigin(ctx, edge, zone, creq, found);
        } finally {
          lead.release();
        }
      }
      await lead.wait; // another request is fetching this key: read what it stored
      found = await cache.lookup(key, creq);
      if (found?.fresh) return this.sendCached(ctx, found.obj, found, "hit");
      if (!cache.isInflight(key)) return this.fetchFromOrigin(ctx, edge, zone, creq, found);
    }
  }

  private refreshInBackground(zone: ZonePolicy, key: string, creq: CacheRequest, stale: Lookup): void {
    const lead = this.d.cache.lead(key);
    if (!("release" in lead)) return;
    const headers = this.originHeadersFor(undefined, creq.headers, zone);
    for (const h of CONDITIONAL_HEADERS) delete headers[h];
    Object.assign(headers, validatorsOf(stale));
    const origin = this.d.upstream.select(zone);
    this.d.upstream
      .request(origin, { method: "GET", path: creq.url, headers })
      .then(async (up) => {
        const h = stripHopByHop(up.headers);
        if (up.statusCode === 304) {
          await up.body.dump();
          await this.d.cache.refresh(stale, creq, { status: 304, headers: h });
          return;
        }
        const decision = this.d.cache.decide(zone, creq, up.statusCode, h);
        if (!decision.ok || up.statusCode >= 500) {
          await up.body.dump();
          return;
        }
        const body = Buffer.from(await up.body.arrayBuffer());
        if (body.length <= this.d.cache.maxObjectBytes) await this.d.cache.store(key, creq, up.statusCode, h, body, decision);
      })
      .catch((err: Error) => this.d.log.debug({ err: err.message, key }, "background refresh failed"))
      .finally(() => lead.release());
  }

  // ── 4–5. upstream request and response ──────────────────────────────────────────────
  private async fetchFromOrigin(ctx: RequestContext, edge: EdgeRequest, zone: ZonePolicy, creq: CacheRequest, stale: Lookup | undefined): Promise<void> {
    const headers = this.originHeadersFor(ctx, edge.headers, zone);
    for (const h of CONDITIONAL_HEADERS) delete headers[h]; // fetch the full object; conditionals and ranges are answered from it
    if (stale) Object.assign(headers, validatorsOf(stale));
    let up: UpstreamResponse;
    const t0 = performance.now();
    try {
      up = await this.d.upstream.request(this.pickOrigin(ctx, zone), { method: "GET", path: edge.url, headers });
    } catch (err) {
      if (stale && this.d.cache.staleIfErrorAllows(stale, zone)) return this.sendCached(ctx, stale.obj, stale, "stale_error");
      throw err;
    }
    this.d.metrics.observe(this.d.metrics.upstreamSeconds, zone.domain, (performance.now() - t0) / 1000);
    const resHeaders = stripHopByHop(up.headers);
    if (stale && up.statusCode === 304) {
      await up.body.dump();
      const obj = await this.d.cache.refresh(stale, creq, { status: 304, headers: resHeaders });
      return this.sendCached(ctx, obj, undefined, "revalidated");
    }
    if (stale && up.statusCode >= 500 && this.d.cache.staleIfErrorAllows(stale, zone)) {
      await up.body.dump();
      return this.sendCached(ctx, stale.obj, stale, "stale_error");
    }
    const outcome: CacheOutcome = stale ? "expired" : "miss";
    this.setOutcome(ctx, outcome);
    const decision = this.d.cache.decide(zone, creq, up.statusCode, resHeaders);
    const declared = Number(up.headers["content-length"] ?? -1);
    if (decision.ok && declared <= this.d.cache.maxObjectBytes) {
      const read = await readUpTo(up.body, this.d.cache.maxObjectBytes);
      if (read.complete) {
        await this.d.cache.store(ctx.cacheKey!, creq, up.statusCode, resHeaders, read.body, decision);
        const obj: CachedObject = { status: up.statusCode, headers: resHeaders, body: read.body, policy: decision.policy.toObject(), vary: {}, tags: [], storedAt: Date.now() };
        return this.sendCached(ctx, obj, undefined, outcome);
      }
      this.notStored(ctx, zone, "too_large");
      return this.sendStream(ctx, up.statusCode, resHeaders, up.body, read.head, outcome);
    }
    this.notStored(ctx, zone, decision.ok ? "too_large" : decision.reason);
    if (edge.method === "HEAD") {
      await up.body.dump();
      return this.sendBuffered(ctx, up.statusCode, resHeaders, Buffer.alloc(0), outcome);
    }
    return this.sendStream(ctx, up.statusCode, resHeaders, up.body, [], outcome);
  }

  private notStored(ctx: RequestContext, zone: ZonePolicy, reason: RequestContext["notStored"] & string): void {
    ctx.notStored = reason;
    this.d.metrics.count(this.d.metrics.notCached, { zone: zone.domain, reason });
  }

  private async passThrough(ctx: RequestContext, edge: EdgeRequest, zone: ZonePolicy): Promise<void> {
    const headers = this.originHeadersFor(ctx, edge.headers, zone);
    if (edge.body) headers["content-length"] = String(edge.body.length);
    const t0 = performance.now();
    ctx.abort = new AbortController();
    const up = await this.d.upstream.request(this.pickOrigin(ctx, zone), { method: edge.method, path: edge.url, headers, body: edge.body ?? null, signal: ctx.abort.signal });
    this.d.metrics.observe(this.d.metrics.upstreamSeconds, zone.domain, (performance.now() - t0) / 1000);
    const resHeaders = stripHopByHop(up.headers);
    if (edge.method === "HEAD") {
      await up.body.dump();
      return this.sendBuffered(ctx, up.statusCode, resHeaders, Buffer.alloc(0), "bypass");
    }
    return this.sendStream(ctx, up.statusCode, resHeaders, up.body, [], "bypass");
  }

  private pickOrigin(ctx: RequestContext, zone: ZonePolicy): string {
    const o = this.d.upstream.select(zone);
    ctx.upstream = o;
    return o;
  }

  /** Request headers for the origin: hop-by-hop removed, forwarding headers set. */
  private originHeadersFor(ctx: RequestContext | undefined, incoming: Record<string, string | string[] | undefined>, zone: ZonePolicy): Record<string, string | string[]> {
    const h = stripHopByHop(incoming);
    h["host"] = headerString(incoming[":authority"]) ?? headerString(incoming.host) ?? zone.domain;
    if (ctx) {
      const peer = this.peerAddress(ctx.req);
      const prior = headerString(incoming["x-forwarded-for"]);
      h["x-forwarded-for"] = this.d.trusted.trusts(peer) && prior ? `${prior}, ${peer}` : ctx.edge!.clientIp;
      h["x-forwarded-proto"] = ctx.tlsScheme ? "https" : "http";
      h["x-request-id"] = ctx.id;
      if (!this.d.trusted.trusts(peer)) delete h["forwarded"];
    } else {
      delete h["x-forwarded-for"];
    }
    h["x-forwarded-host"] = h["host"];
    delete h["content-length"];
    appendHeader(h, "via", this.via);
    return h;
  }

  // ── 6. response ─────────────────────────────────────────────────────────────────────
  /** Answers from a stored object: 304 for matching conditionals, 206/416 for ranges, no body for HEAD. */
  private setOutcome(ctx: RequestContext, outcome: CacheOutcome): void {
    if (ctx.cacheOutcome === outcome) return;
    ctx.cacheOutcome = outcome;
    this.d.metrics.countOutcome(ctx.zone!.domain, outcome);
  }

  private sendCached(ctx: RequestContext, obj: CachedObject, lookup: Lookup | undefined, outcome: CacheOutcome): void | Promise<void> {
    this.setOutcome(ctx, outcome);
    const edge0 = ctx.edge!;
    // Hit fast path (HTTP/1.x, no response phases, plain GET/HEAD without conditionals or Range):
    // the object's client headers are rendered once into a flat list; a request adds four fields.
    if (
      this.d.config.responsePhases.length === 0 &&
      ctx.req.httpVersionMajor === 1 &&
      edge0.headers["range"] === undefined &&
      edge0.headers["if-none-match"] === undefined &&
      edge0.headers["if-modified-since"] === undefined &&
      !ctx.res.destroyed
    ) {
      const res = ctx.res as import("node:http").ServerResponse;
      const flat = this.flatHeaders(obj).slice();
      flat.push("age", String(lookup ? Math.max(0, Math.floor(lookup.policy.age())) : 0), "x-request-id", ctx.id, "x-aegis-cache", OUTCOME_HEADER[outcome]);
      res.writeHead(obj.status, flat);
      if (edge0.method === "HEAD" || obj.status === 204 || obj.status === 304) res.end();
      else {
        ctx.bytesOut += obj.body.length;
        res.end(obj.body);
      }
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const k in obj.headers) if (k !== "surrogate-key" && k !== "cache-tag") headers[k] = obj.headers[k]!;
    headers["age"] = String(lookup ? Math.max(0, Math.floor(lookup.policy.age())) : 0);
    const edge = ctx.edge!;
    const served = evaluateServe(edge.method, obj.status, edge.headers, obj.headers, obj.body.length);
    switch (served.kind) {
      case "not_modified": {
        const keep: Record<string, string | string[]> = {};
        for (const k of ["etag", "cache-control", "expires", "vary", "last-modified", "date", "age", "content-location"]) if (headers[k] !== undefined) keep[k] = headers[k]!;
        return this.sendBuffered(ctx, 304, keep, EMPTY, outcome);
      }
      case "unsatisfiable":
        headers["content-range"] = `bytes */${obj.body.length}`;
        delete headers["content-length"];
        return this.sendBuffered(ctx, 416, headers, EMPTY, outcome);
      case "range":
        headers["content-range"] = `bytes ${served.start}-${served.end}/${obj.body.length}`;
        return this.sendBuffered(ctx, 206, headers, obj.body.subarray(served.start, served.end + 1), outcome);
      default:
        headers["accept-ranges"] = "bytes";
        return this.sendBuffered(ctx, obj.status, headers, obj.body, outcome);
    }
  }

  private readonly flatCache = new WeakMap<CachedObject, string[]>();

  /** Client-facing headers of a stored object as a flat [name, value, …] list: tags removed, Via and Content-Length set. */
  private flatHeaders(obj: CachedObject): string[] {
    let flat = this.flatCache.get(obj);
    if (flat) return flat;
    flat = [];
    let via = this.via;
    for (const k in obj.headers) {
      if (k === "surrogate-key" || k === "cache-tag" || k === "age" || k === "content-length" || k === "accept-ranges") continue;
      const v = obj.headers[k]!;
      if (k === "via") {
        via = `${headerString(v)}, ${this.via}`;
        continue;
      }
      if (Array.isArray(v)) for (const one of v) flat.push(k, one);
      else flat.push(k, v);
    }
    flat.push("via", via, "accept-ranges", "bytes");
    if (obj.status !== 204 && obj.status !== 304 && obj.status >= 200) flat.push("content-length", String(obj.body.length));
    this.flatCache.set(obj, flat);
    return flat;
  }

  private finalHeaders(ctx: RequestContext, headers: Record<string, string | string[]>, outcome: CacheOutcome | undefined): void {
    headers["x-request-id"] = ctx.id;
    appendHeader(headers, "via", this.via);
    if (outcome) headers["x-aegis-cache"] = OUTCOME_HEADER[outcome];
    if (ctx.req.httpVersionMajor >= 2) {
      delete headers["connection"];
      delete headers["keep-alive"];
      delete headers["transfer-encoding"];
    }
  }

  private async sendBuffered(ctx: RequestContext, status: number, headers: Record<string, string | string[]>, body: Buffer, outcome?: CacheOutcome): Promise<void> {
    let response: EdgeResponse = { status, headers, body };
    for (const phase of this.d.config.responsePhases) response = await phase.onResponse(ctx.edge!, response, ctx.zone!);
    const h = response.headers;
    this.finalHeaders(ctx, h, outcome ?? ctx.cacheOutcome);
    const isHead = ctx.req.method === "HEAD";
    const noBody = isHead || response.status === 304 || response.status === 204 || response.status < 200;
    if (!noBody) h["content-length"] = String(response.body.length);
    else if (!isHead) delete h["content-length"];
    const res = ctx.res;
    if (res.destroyed) return;
    res.writeHead(response.status, h as Record<string, string | string[]>);
    if (noBody) res.end();
    else {
      ctx.bytesOut += response.body.length;
      res.end(response.body);
    }
  }

  private async sendStream(ctx: RequestContext, status: number, headers: Record<string, string | string[]>, body: Readable, head: Buffer[], outcome: CacheOutcome): Promise<void> {
    if (this.d.config.responsePhases.length > 0) {
      const rest = await readUpTo(body, this.d.config.limits.maxBodyBytes);
      if (rest.complete) return this.sendBuffered(ctx, status, headers, head.length ? Buffer.concat([...head, rest.body]) : rest.body, outcome);
      this.d.log.warn({ reqId: ctx.id }, "response too large for response phases; streamed unfiltered");
      head = [...head, ...rest.head];
    }
    this.finalHeaders(ctx, headers, outcome);
    const res = ctx.res;
    // Destroying an undici body emits 'error' (RequestAbortedError): always listen before destroying.
    body.on("error", (err: Error) => this.d.log.debug({ reqId: ctx.id, err: err.message }, "origin body ended early"));
    if (res.destroyed) {
      body.destroy();
      return;
    }
    res.writeHead(status, headers as Record<string, string | string[]>);
    for (const chunk of head) {
      ctx.bytesOut += chunk.length;
      (res as NodeJS.WritableStream).write(chunk);
    }
    // Plain pipe (stream.pipeline allocates an AbortController per call, measurable per request).
    await new Promise<void>((resolve) => {
      const w = res as unknown as NodeJS.WritableStream & NodeJS.EventEmitter;
      body.on("data", (c: Buffer) => (ctx.bytesOut += c.length));
      body.on("error", () => {
        if (!res.destroyed) res.destroy();
        resolve();
      });
      w.once("close", () => {
        if (!body.readableEnded) body.destroy();
        resolve();
      });
      w.once("finish", () => resolve());
      body.pipe(w);
    });
  }

  // ── 7. logging ──────────────────────────────────────────────────────────────────────
  private logging(ctx: RequestContext): void {
    this.d.metrics.inflightNow--;
    if (ctx.abort && !ctx.res.writableFinished) ctx.abort.abort();
    const ms = performance.now() - ctx.startedAt;
    const status = ctx.res.writableFinished ? ctx.res.statusCode : 499;
    const zone = ctx.zone?.domain;
    const m = this.d.metrics;
    m.countRequest(zone ?? "-", status, ctx.cacheOutcome);
    if (zone) {
      m.observe(m.requestSeconds, zone, ms / 1000);
      this.d.analytics.record(zone, status, ctx.bytesOut, ctx.cacheOutcome, ms);
    }
    if (this.d.config.log.access) {
      this.d.log.info(
        {
          reqId: ctx.id,
          zone,
          client: ctx.edge?.clientIp,
          method: ctx.req.method,
          url: ctx.edge?.url ?? ctx.req.url,
          status,
          bytes: ctx.bytesOut,
          ms: Math.round(ms * 10) / 10,
          cache: ctx.cacheOutcome,
          notStored: ctx.notStored,
          answeredBy: ctx.answeredBy,
          err: ctx.error?.code,
        },
        "request",
      );
    }
  }
}

const EMPTY = Buffer.alloc(0);
/** Placeholder while the request body is still to be read (replaced before any phase runs). */
const PENDING_BODY = Buffer.alloc(0);
const OUTCOME_HEADER = Object.fromEntries(CACHE_OUTCOMES.map((o) => [o, o.toUpperCase()])) as Record<CacheOutcome, string>;

function hostOnly(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith("[")) return a.slice(0, a.indexOf("]") + 1);
  const i = a.indexOf(":");
  const host = i < 0 ? a : a.slice(0, i);
  return host.endsWith(".") ? host.slice(0, -1) : host;
}

/**
 * The request as phases see it (an `EdgeRequest`). A class rather than an object literal: the
 * lazily built `rawHeaderNames` is then a prototype getter, not an accessor defined per request.
 */
class ProxiedRequest implements EdgeRequest {
  private names: string[] | undefined;

  constructor(
    readonly id: string,
    readonly zone: string,
    readonly clientIp: string,
    readonly method: string,
    readonly url: string,
    readonly httpVersion: string,
    readonly headers: HeaderMap,
    private readonly rawHeaders: readonly string[],
    public body: Buffer | undefined,
    readonly tls: TlsInfo | undefined,
    readonly receivedAt: number,
  ) {}

  /** Header names in the order the client sent them, read from the raw list on first use. */
  get rawHeaderNames(): readonly string[] {
    if (!this.names) {
      this.names = [];
      for (let i = 0; i < this.rawHeaders.length; i += 2) this.names.push(this.rawHeaders[i]!);
    }
    return this.names;
  }
}

function validatorsOf(stale: Lookup): Record<string, string> {
  const out: Record<string, string> = {};
  const etag = stale.obj.headers["etag"];
  const lm = stale.obj.headers["last-modified"];
  if (etag !== undefined) out["if-none-match"] = headerString(etag)!;
  if (lm !== undefined) out["if-modified-since"] = headerString(lm)!;
  return out;
}

/** Reads a body up to `max` bytes. When it is longer, returns what was read and leaves the rest paused in the stream. */
function readUpTo(body: Readable, max: number): Promise<{ complete: true; body: Buffer } | { complete: false; head: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      body.off("data", onData);
      body.off("end", onEnd);
      body.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (total > max) {
        body.pause();
        cleanup();
        resolve({ complete: false, head: chunks });
      }
    };
    const onEnd = () => {
      cleanup();
      resolve({ complete: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total) });
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    body.on("data", onData);
    body.on("end", onEnd);
    body.on("error", onError);
  });
}
