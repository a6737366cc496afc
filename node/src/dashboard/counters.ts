/** Dashboard counters from the node's own Prometheus registry (the numbers /metrics serves). */
import type { Registry } from "prom-client";
import type { TrafficCounters } from "./types.js";

type Metric = { name: string; values: Array<{ value: number; labels: Record<string, string | number> }> };

export async function readCounters(registry: Registry): Promise<TrafficCounters> {
  const all = (await registry.getMetricsAsJSON()) as unknown as Metric[];
  const byName = new Map(all.map((m) => [m.name, m.values]));
  const sum = (name: string, where: (l: Record<string, string | number>) => boolean = () => true) =>
    (byName.get(name) ?? []).filter((v) => where(v.labels)).reduce((a, v) => a + v.value, 0);
  const status = { "1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 };
  for (const v of byName.get("aegis_requests_total") ?? []) {
    const k = String(v.labels.status_class) as keyof typeof status;
    if (k in status) status[k] += v.value;
  }
  const hits = sum("aegis_cache_outcomes_total", (l) => l.outcome === "hit" || l.outcome === "revalidated");
  const misses = sum("aegis_cache_outcomes_total", (l) => l.outcome === "miss" || l.outcome === "expired");
  const stale = sum("aegis_cache_outcomes_total", (l) => l.outcome === "stale" || l.outcome === "stale_error");
  const lookups = hits + misses + stale;
  return {
    requests: sum("aegis_requests_total"),
    status,
    cacheHits: hits,
    cacheMisses: misses,
    cacheHitRatio: lookups > 0 ? hits / lookups : null,
    wafBlocked: sum("aegis_waf_decisions_total", (l) => l.outcome === "blocked"),
    wafDetected: sum("aegis_waf_decisions_total", (l) => l.outcome === "detected"),
    ddosDropped: sum("aegis_ddos_filter_packets_total", (l) => String(l.verdict).startsWith("drop")),
    ddosPassed: sum("aegis_ddos_filter_packets_total", (l) => String(l.verdict).startsWith("pass")),
    botChallenged: sum("aegis_bot_decisions_total", (l) => l.action === "challenge"),
    botBlocked: sum("aegis_bot_decisions_total", (l) => l.action === "block"),
    rateLimited: sum("aegis_phase_responses_total", (l) => l.phase === "rate-limit"),
    inflight: sum("aegis_inflight_requests"),
  };
}
