/**
 * Edge functions as proxy phases. The request phase finds the zone's first matching route
 * and runs its module chain (`on_request`); the response phase applies the response edits
 * those modules asked for and runs the chain's `on_response` exports over the origin's
 * answer. A failing module is skipped on a fail-open route and answers 503 on a
 * fail-closed one; nothing a guest does can throw out of these phases.
 */
import { availableParallelism } from "node:os";
import pino, { type Logger } from "pino";
import { Registry } from "prom-client";
import { CONTINUE, type EdgeRequest, type EdgeResponse, type HeaderMap, type RequestPhase, type ResponsePhase, type Verdict } from "../phase.js";
import type { FunctionRoute, ZonePolicy } from "../policy/schema.js";
import { ENTRY_REQUEST, ENTRY_RESPONSE } from "./abi.js";
import { FunctionError, InvocationError } from "./errors.js";
import { HostServices } from "./host-services.js";
import { createFunctionMetrics, type FunctionMetrics } from "./metrics.js";
import { ModuleLoader, type ModuleLimits, type ResolvedModule } from "./module-loader.js";
import { DEFAULT_MODULE_STORE, ModuleStore } from "./module-store.js";
import { WorkerPool } from "./pool.js";
import type { ModuleRegistry } from "./registry.js";
import { RouteTable, type CompiledRoute } from "./routes.js";
import {
  DEFAULT_RUNTIME_CONFIG,
  type Entry,
  type FunctionsRuntimeConfig,
  type HeaderList,
  type HostCallContext,
  type InvocationInput,
  type InvocationOutput,
  type ModuleStoreConfig,
} from "./types.js";

export interface EdgeFunctionsOptions {
  readonly runtime?: Partial<FunctionsRuntimeConfig>;
  readonly store: Partial<ModuleStoreConfig> & Pick<ModuleStoreConfig, "cacheDir">;
  /** Source of named modules (on-chain registry, or ConfigModuleRegistry in embedded mode). */
  readonly registry?: ModuleRegistry;
  readonly logger?: Logger;
  readonly metricsRegistry?: Registry;
}

/** What the request phase leaves for the response phase of the same request. */
interface PendingResponse {
  readonly route: CompiledRoute;
  readonly headerEdits: Array<[string, string | null]>;
  status: number;
  body: Uint8Array | undefined;
  readonly responseModules: ResolvedModule[];
}

function toHeaderList(headers: HeaderMap | Record<string, string | string[]>): HeaderList {
  const out: HeaderList = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out.push([name.toLowerCase(), v]);
    else out.push([name.toLowerCase(), value]);
  }
  return out;
}

function replaceHeaders(target: Record<string, string | string[] | undefined>, list: HeaderList): void {
  for (const k of Object.keys(target)) delete target[k];
  for (const [name, value] of list) {
    const prev = target[name];
    if (prev === undefined) target[name] = value;
    else target[name] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
}

function applyHeaderEdits(headers: Record<string, string | string[]>, edits: ReadonlyArray<[string, string | null]>): void {
  for (const [name, value] of edits) {
    for (const k of Object.keys(headers)) if (k.toLowerCase() === name) delete headers[k];
    if (value !== null) headers[name] = value;
  }
}

export class EdgeFunctions {
  readonly requestPhase: RequestPhase;
  readonly responsePhase: ResponsePhase;
  readonly metrics: FunctionMetrics;
  readonly metricsRegistry: Registry;
  readonly config: FunctionsRuntimeConfig;
  private readonly pool: WorkerPool;
  private readonly loader: ModuleLoader;
  private readonly routes: RouteTable;
  private readonly pending = new WeakMap<EdgeRequest, PendingResponse>();
  private readonly logger: Logger;

  private constructor(opts: EdgeFunctionsOptions) {
    this.config = { ...DEFAULT_RUNTIME_CONFIG, workers: Math.max(1, availableParallelism() - 1), ...opts.runtime };
    this.logger = (opts.logger ?? pino({ level: "info" })).child({ component: "edge-functions" });
    this.metricsRegistry = opts.metricsRegistry ?? new Registry();
    this.metrics = createFunctionMetrics(this.metricsRegistry);
    this.routes = new RouteTable((err, policy) =>
      this.logger.error({ zone: policy.domain, policyVersion: policy.policyVersion, err: err.message }, "function route skipped"),
    );
    const store = new ModuleStore({ ...DEFAULT_MODULE_STORE, ...opts.store }, this.logger, this.metrics);
    this.loader = new ModuleLoader(store, opts.registry, this.logger, this.metrics);
    const host = new HostServices(this.config, this.metrics);
    this.pool = new WorkerPool({
      size: this.config.workers,
      maxQueue: this.config.maxQueue,
      hostHandler: host.handle,
      logger: this.logger,
      metrics: this.metrics,
    });
    this.requestPhase = { name: "edge-functions", onRequest: (req, policy) => this.onRequest(req, policy) };
    this.responsePhase = { name: "edge-functions", onResponse: (req, res, policy) => this.onResponse(req, res, policy) };
  }

  /** Starts the worker pool; resolves when every worker is ready. */
  static async start(opts: EdgeFunctionsOptions): Promise<EdgeFunctions> {
    const fns = new EdgeFunctions(opts);
    await fns.pool.ready();
    return fns;
  }

  private readonly closeHooks: Array<() => void> = [];

  /** Runs `hook` when the runtime closes (e.g. to stop watching a registry file). */
  onClose(hook: () => void): void {
    this.closeHooks.push(hook);
  }

  async close(): Promise<void> {
    for (const hook of this.closeHooks.splice(0)) hook();
    this.loader.close();
    await this.pool.close();
  }

  /** Fetches and compiles every module a policy references, so the first request does not wait. */
  async preload(policy: ZonePolicy): Promise<void> {
    await Promise.all(
      policy.functions.flatMap((route) => route.modules.map((ref) => this.loader.resolve(policy.domain, ref, this.limits(route)))),
    );
  }

  private limits(route: FunctionRoute): ModuleLimits {
    return { fuel: route.fuel ?? this.config.fuel, memoryMb: route.memoryMb ?? this.config.memoryMb };
  }

  private hostContext(policy: ZonePolicy, route: FunctionRoute): HostCallContext {
    return { zone: policy.domain, fetchAllow: route.fetchAllow, fetchTimeoutMs: route.fetchTimeoutMs ?? this.config.fetchTimeoutMs };
  }

  private failure(err: unknown, route: CompiledRoute, ref: string, req: EdgeRequest, entry: Entry): EdgeResponse | undefined {
    const code = err instanceof FunctionError ? err.code : "AEGIS_ERR_FN_CRASH";
    const message = err instanceof Error ? err.message : String(err);
    this.metrics.invocations.inc({ entry, outcome: code });
    const fuelUsed = err instanceof InvocationError ? err.fuelUsed : undefined;
    this.logger.warn(
      { reqId: req.id, zone: req.zone, route: route.index, module: ref, code, fuelUsed, failMode: route.route.failMode, err: message },
      "edge function failed",
    );
    if (route.route.failMode === "open") return undefined;
    const status = err instanceof FunctionError ? err.status : 503;
    return {
      status,
      headers: { "content-type": "text/plain; charset=utf-8", "x-aegis-error": code },
      body: Buffer.from(`edge function failed (${code})\n`),
    };
  }

  private async invoke(
    mod: ResolvedModule,
    entry: Entry,
    input: InvocationInput,
    policy: ZonePolicy,
    route: CompiledRoute,
    req: EdgeRequest,
  ): Promise<InvocationOutput> {
    const started = performance.now();
    try {
      const out = await this.pool.invoke({
        module: mod,
        entry,
        input,
        wallTimeMs: route.route.timeoutMs ?? this.config.wallTimeMs,
        host: this.hostContext(policy, route.route),
        logContext: { reqId: req.id, zone: policy.domain, module: mod.name ?? mod.cid, version: mod.version },
      });
      this.metrics.invocations.inc({ entry, outcome: out.action === "respond" ? "respond" : "ok" });
      this.metrics.fuelUsed.observe({ entry }, out.fuelUsed);
      return out;
    } finally {
      this.metrics.invocationSeconds.observe({ entry }, (performance.now() - started) / 1000);
    }
  }

  private input(req: EdgeRequest, policy: ZonePolicy, status: number, headers: HeaderList, body: Uint8Array | undefined): InvocationInput {
    return {
      zone: policy.domain,
      clientIp: req.clientIp,
      method: req.method,
      url: req.url,
      requestHeaders: toHeaderList(req.headers),
      requestBody: req.body,
      responseStatus: status,
      responseHeaders: headers,
      responseBody: body,
      maxBodyBytes: this.config.maxBodyBytes,
      maxLogLines: this.config.maxLogLinesPerInvocation,
      maxFetches: this.config.maxFetchesPerInvocation,
    };
  }

  async onRequest(req: EdgeRequest, policy: ZonePolicy): Promise<Verdict> {
    try {
      return await this.runRequest(req, policy);
    } catch (err) {
      // Only a bug gets here (guest failures are handled per route); never fail the proxy for it.
      this.logger.error({ reqId: req.id, zone: policy.domain, err: (err as Error).message }, "edge functions request phase error");
      return CONTINUE;
    }
  }

  async onResponse(req: EdgeRequest, res: EdgeResponse, policy: ZonePolicy): Promise<EdgeResponse> {
    try {
      return await this.runResponse(req, res, policy);
    } catch (err) {
      this.logger.error({ reqId: req.id, zone: policy.domain, err: (err as Error).message }, "edge functions response phase error");
      return res;
    }
  }

  private async runRequest(req: EdgeRequest, policy: ZonePolicy): Promise<Verdict> {
    const route = this.routes.match(policy, req.method, req.url);
    if (!route) return CONTINUE;
    const pending: PendingResponse = { route, headerEdits: [], status: 0, body: undefined, responseModules: [] };
    const limits = this.limits(route.route);
    for (const ref of route.route.modules) {
      let mod: ResolvedModule;
      try {
        mod = await this.loader.resolve(policy.domain, ref, limits);
      } catch (err) {
        const failed = this.failure(err, route, ref, req, ENTRY_REQUEST);
        if (failed) return { kind: "respond", response: failed, reason: "edge_function_failed" };
        continue;
      }
      if (mod.hasOnResponse) pending.responseModules.push(mod);
      if (!mod.hasOnRequest) continue;
      const responseSoFar: HeaderList = [];
      applyEditsToList(responseSoFar, pending.headerEdits);
      let out: InvocationOutput;
      try {
        out = await this.invoke(mod, ENTRY_REQUEST, this.input(req, policy, pending.status, responseSoFar, pending.body), policy, route, req);
      } catch (err) {
        const failed = this.failure(err, route, ref, req, ENTRY_REQUEST);
        if (failed) return { kind: "respond", response: failed, reason: "edge_function_failed" };
        continue;
      }
      if (out.requestHeaders) replaceHeaders(req.headers as Record<string, string | string[] | undefined>, out.requestHeaders);
      if (out.requestBody) req.body = Buffer.from(out.requestBody);
      pending.headerEdits.push(...out.responseHeaderEdits);
      if (out.responseStatus) pending.status = out.responseStatus;
      if (out.responseBody) pending.body = out.responseBody;
      if (out.action === "respond") {
        const headers: Record<string, string | string[]> = {};
        applyHeaderEdits(headers, pending.headerEdits);
        return {
          kind: "respond",
          response: { status: pending.status || 200, headers, body: Buffer.from(pending.body ?? new Uint8Array(0)) },
          reason: `edge_function:${mod.name ?? mod.cid}`,
        };
      }
    }
    if (pending.headerEdits.length > 0 || pending.responseModules.length > 0 || pending.status || pending.body) {
      this.pending.set(req, pending);
    }
    return CONTINUE;
  }

  private async runResponse(req: EdgeRequest, res: EdgeResponse, policy: ZonePolicy): Promise<EdgeResponse> {
    const pending = this.pending.get(req);
    if (!pending) return res;
    this.pending.delete(req);
    const route = pending.route;
    applyHeaderEdits(res.headers, pending.headerEdits);
    let changedBody = false;
    for (const mod of pending.responseModules) {
      let out: InvocationOutput;
      try {
        out = await this.invoke(mod, ENTRY_RESPONSE, this.input(req, policy, res.status, toHeaderList(res.headers), res.body), policy, route, req);
      } catch (err) {
        const failed = this.failure(err, route, mod.name ?? mod.cid, req, ENTRY_RESPONSE);
        if (failed) return failed;
        continue;
      }
      if (out.responseStatus) res.status = out.responseStatus;
      applyHeaderEdits(res.headers, out.responseHeaderEdits);
      if (out.responseBody) {
        res.body = Buffer.from(out.responseBody);
        changedBody = true;
      }
    }
    if (changedBody) {
      for (const k of Object.keys(res.headers)) {
        const lk = k.toLowerCase();
        if (lk === "content-length" || lk === "etag") delete res.headers[k];
      }
      res.headers["content-length"] = String(res.body.length);
    }
    return res;
  }
}

function applyEditsToList(list: HeaderList, edits: ReadonlyArray<[string, string | null]>): void {
  for (const [name, value] of edits) {
    for (let i = list.length - 1; i >= 0; i--) if (list[i]![0] === name) list.splice(i, 1);
    if (value !== null) list.push([name, value]);
  }
}
