/**
 * Prometheus metrics of the DDoS filter. Packet counters are read from the filter (the kernel's
 * per-CPU counters, summed) when /metrics is scraped, and exported as counters by verdict.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import { VERDICTS, type Counters, type FilterMode } from "./types.js";

export interface FilterMetrics {
  readonly expired: Counter;
  readonly mapErrors: Counter;
  readonly listEntries: Gauge<"list">;
}

function fresh<T>(registry: Registry, name: string, make: () => T): T {
  // A newer filter on the same registry (restart, tests) replaces the older one's metrics.
  if (registry.getSingleMetric(name)) registry.removeSingleMetric(name);
  return make();
}

export function createFilterMetrics(
  registry: Registry,
  mode: FilterMode,
  read: () => Promise<Counters | undefined>,
): FilterMetrics {
  const seen = { packets: new Map<string, number>(), bytes: new Map<string, number>() };
  const pump = async (counter: Counter<"verdict">, field: "packets" | "bytes") => {
    const now = await read().catch(() => undefined);
    if (!now) return;
    for (const v of VERDICTS) {
      const cur = now[v][field];
      const prev = seen[field].get(v) ?? 0;
      // Kernel counters restart from 0 after a re-attach: count the new value as the increase.
      const delta = cur >= prev ? cur - prev : cur;
      if (delta > 0) counter.inc({ verdict: v }, delta);
      seen[field].set(v, cur);
    }
  };
  fresh(registry, "aegis_ddos_filter_packets_total", () =>
    new Counter({
      name: "aegis_ddos_filter_packets_total",
      help: "Packets (user space: connections and requests) seen by the DDoS filter, by verdict",
      labelNames: ["verdict"],
      registers: [registry],
      async collect() {
        await pump(this, "packets");
      },
    }),
  );
  fresh(registry, "aegis_ddos_filter_bytes_total", () =>
    new Counter({
      name: "aegis_ddos_filter_bytes_total",
      help: "Bytes seen by the DDoS filter, by verdict (0 in user space)",
      labelNames: ["verdict"],
      registers: [registry],
      async collect() {
        await pump(this, "bytes");
      },
    }),
  );
  const modeGauge = fresh(registry, "aegis_ddos_filter_mode", () =>
    new Gauge({
      name: "aegis_ddos_filter_mode",
      help: "Where the DDoS filter runs (1 = this mode)",
      labelNames: ["mode"],
      registers: [registry],
    }),
  );
  for (const m of ["xdp-native", "xdp-generic", "userspace"] as const) modeGauge.set({ mode: m }, m === mode ? 1 : 0);
  const expired = fresh(registry, "aegis_ddos_filter_expired_removed_total", () =>
    new Counter({
      name: "aegis_ddos_filter_expired_removed_total",
      help: "Expired blocklist/allowlist entries removed by the manager",
      registers: [registry],
    }),
  );
  const mapErrors = fresh(registry, "aegis_ddos_filter_map_errors_total", () =>
    new Counter({
      name: "aegis_ddos_filter_map_errors_total",
      help: "Failed kernel map operations",
      registers: [registry],
    }),
  );
  const listEntries = fresh(registry, "aegis_ddos_filter_list_entries", () =>
    new Gauge({
      name: "aegis_ddos_filter_list_entries",
      help: "Entries in the blocklist and allowlist after the last sweep",
      labelNames: ["list"],
      registers: [registry],
    }),
  );
  return { expired, mapErrors, listEntries };
}

export function emptyCounters(): Counters {
  return Object.fromEntries(VERDICTS.map((v) => [v, { packets: 0, bytes: 0 }])) as Counters;
}
