/** Prometheus metrics of the edge-functions runtime. */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export interface FunctionMetrics {
  readonly invocations: Counter<"entry" | "outcome">;
  readonly invocationSeconds: Histogram<"entry">;
  readonly fuelUsed: Histogram<"entry">;
  readonly workers: Gauge;
  readonly workerRestarts: Counter<"reason">;
  readonly moduleLoads: Counter<"result">;
  readonly hostCalls: Counter<"op" | "result">;
}

export function createFunctionMetrics(registry: Registry): FunctionMetrics {
  return {
    invocations: new Counter({
      name: "aegis_fn_invocations_total",
      help: "Edge function invocations by entry point and outcome (ok, respond, or an AEGIS_ERR_FN_* code)",
      labelNames: ["entry", "outcome"],
      registers: [registry],
    }),
    invocationSeconds: new Histogram({
      name: "aegis_fn_invocation_seconds",
      help: "Wall time of edge function invocations, queueing included",
      labelNames: ["entry"],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
    fuelUsed: new Histogram({
      name: "aegis_fn_fuel_used",
      help: "Fuel units used per successful invocation",
      labelNames: ["entry"],
      buckets: [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000],
      registers: [registry],
    }),
    workers: new Gauge({ name: "aegis_fn_workers", help: "Edge function worker threads ready", registers: [registry] }),
    workerRestarts: new Counter({
      name: "aegis_fn_worker_restarts_total",
      help: "Workers terminated and replaced, by reason (timeout, crash)",
      labelNames: ["reason"],
      registers: [registry],
    }),
    moduleLoads: new Counter({
      name: "aegis_fn_module_loads_total",
      help: "Module loads by result (disk, gateway, cid_mismatch, invalid, unavailable)",
      labelNames: ["result"],
      registers: [registry],
    }),
    hostCalls: new Counter({
      name: "aegis_fn_host_calls_total",
      help: "Host calls served on the main thread, by operation and result",
      labelNames: ["op", "result"],
      registers: [registry],
    }),
  };
}
