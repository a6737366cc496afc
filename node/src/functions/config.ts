/**
 * The `[functions]` section a node config can carry, and starting the runtime from it. The
 * node's config schema can embed `functionsConfigSchema`; `startEdgeFunctions` builds the
 * module store under the data dir and, in embedded mode, the TOML module registry (watched).
 */
import { isAbsolute, join, resolve } from "node:path";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { z } from "zod";
import { EdgeFunctions } from "./edge-functions.js";
import { ConfigModuleRegistry, type ModuleRegistry } from "./registry.js";

export const functionsConfigSchema = z.object({
  /** IPFS HTTP gateways tried in order (`<gateway>/ipfs/<cid>` is requested). */
  gateways: z.array(z.string().url()).max(8).default([]),
  /** Verified module cache; default `<dataDir>/modules`. */
  cacheDir: z.string().min(1).optional(),
  /** Embedded mode: TOML module registry file (`[[module]]` entries), watched for edits. */
  registryFile: z.string().min(1).optional(),
  workers: z.number().int().min(1).max(64).optional(),
  wallTimeMs: z.number().int().min(1).max(5000).default(50),
  memoryMb: z.number().int().min(1).max(512).default(50),
  fuel: z.number().int().min(1000).max(1_000_000_000).default(10_000_000),
  maxQueue: z.number().int().min(1).max(100_000).default(1024),
  fetchTimeoutMs: z.number().int().min(1).max(10_000).default(1000),
});

export type FunctionsConfig = z.infer<typeof functionsConfigSchema>;
export type FunctionsConfigInput = z.input<typeof functionsConfigSchema>;

export interface StartFunctionsOptions {
  readonly dataDir: string;
  readonly logger: Logger;
  readonly metricsRegistry?: Registry;
  /** A registry from chain; takes precedence over `registryFile`. */
  readonly registry?: ModuleRegistry;
}

export async function startEdgeFunctions(input: FunctionsConfigInput, opts: StartFunctionsOptions): Promise<EdgeFunctions> {
  const config = functionsConfigSchema.parse(input);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(opts.dataDir, p));
  let registry = opts.registry;
  let local: ConfigModuleRegistry | undefined;
  if (!registry && config.registryFile) {
    const file = abs(config.registryFile);
    local = new ConfigModuleRegistry();
    await local.loadFile(file);
    local.watch(file, (err) => opts.logger.error({ file, err: err.message }, "module registry edit rejected; keeping the last good one"));
    registry = local;
  }
  const fns = await EdgeFunctions.start({
    store: { cacheDir: config.cacheDir ? abs(config.cacheDir) : join(opts.dataDir, "modules"), gateways: config.gateways },
    registry,
    logger: opts.logger,
    metricsRegistry: opts.metricsRegistry,
    runtime: {
      ...(config.workers ? { workers: config.workers } : {}),
      wallTimeMs: config.wallTimeMs,
      memoryMb: config.memoryMb,
      fuel: config.fuel,
      maxQueue: config.maxQueue,
      fetchTimeoutMs: config.fetchTimeoutMs,
    },
  });
  if (local) fns.onClose(() => local.unwatch());
  return fns;
}
