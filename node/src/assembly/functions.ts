/**
 * Edge functions in the node: the worker pool starts when the first zone has function routes
 * (at start or on a policy change) and every zone's modules are preloaded on each change, so
 * nodes without functions run no workers.
 */
import type { Registry } from "prom-client";
import { startEdgeFunctions, type EdgeFunctions, type FunctionsConfig, type ModuleRegistry } from "../functions/index.js";
import type { Logger } from "../logger.js";
import { CONTINUE, type RequestPhase, type ResponsePhase } from "../phase.js";
import type { ZonePolicy } from "../policy/schema.js";

export class NodeFunctions {
  readonly requestPhase: RequestPhase;
  readonly responsePhase: ResponsePhase;
  private runtime: Promise<EdgeFunctions> | undefined;
  private started: EdgeFunctions | undefined;
  private closed = false;

  constructor(
    private readonly config: FunctionsConfig,
    private readonly opts: { dataDir: string; logger: Logger; registry: Registry; modules?: ModuleRegistry },
  ) {
    this.requestPhase = {
      name: "edge-functions",
      // Zones without routes answer synchronously (no promise on their hit path).
      onRequest: (req, policy) => {
        if (policy.functions.length === 0) return CONTINUE;
        return this.ensure().then((fns) => fns.requestPhase.onRequest(req, policy));
      },
    };
    this.responsePhase = {
      name: "edge-functions",
      onResponse: (req, res, policy) => (policy.functions.length > 0 && this.started ? this.started.responsePhase.onResponse(req, res, policy) : res),
    };
  }

  /** Starts the runtime if a zone needs it and preloads every zone's modules. */
  async ensureFor(zones: Iterable<ZonePolicy>): Promise<void> {
    const using = [...zones].filter((z) => z.functions.length > 0);
    if (using.length === 0 || this.closed) return;
    const fns = await this.ensure();
    await Promise.all(
      using.map((z) => fns.preload(z).catch((err: Error) => this.opts.logger.warn({ zone: z.domain, err: err.message }, "edge functions: preload failed; modules load on first use"))),
    );
  }

  private ensure(): Promise<EdgeFunctions> {
    this.runtime ??= startEdgeFunctions(this.config, {
      dataDir: this.opts.dataDir,
      logger: this.opts.logger,
      metricsRegistry: this.opts.registry,
      ...(this.opts.modules ? { registry: this.opts.modules } : {}),
    }).then(
      (fns) => {
        this.started = fns;
        this.opts.logger.info({ workers: fns.config.workers }, "edge functions runtime started");
        return fns;
      },
      (err: Error) => {
        this.runtime = undefined; // a later request or policy change tries again
        throw err;
      },
    );
    return this.runtime;
  }

  async close(): Promise<void> {
    this.closed = true;
    const fns = await this.runtime?.catch(() => undefined);
    await fns?.close();
  }
}
