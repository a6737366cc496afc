/**
 * Prometheus metrics of one node process. Each node owns its registry (several nodes may run in
 * one test process). Label children on the hot path are cached so a request costs map lookups only.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export class NodeMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<"zone" | "status_class" | "cache">;
  readonly cacheOutcomes: Counter<"zone" | "outcome">;
  readonly notCached: Counter<"zone" | "reason">;
  readonly upstreamSeconds: Histogram<"zone">;
  readonly requestSeconds: Histogram<"zone">;
  readonly phaseVerdicts: Counter<"phase" | "reason">;
  readonly proxyErrors: Counter<"code" | "source">;
  readonly policyVersion: Gauge<"zone">;
  readonly policyRejected: Counter<"source">;
  readonly cacheBytes: Gauge<"tier">;
  readonly purges: Counter<"kind">;
  readonly reports: Counter<"result">;
  readonly inflight: Gauge;
  /** Requests in progress (a plain number on the hot path; read by the gauge at scrape time). */
  inflightNow = 0;
  private readonly children = new WeakMap<Counter<string>, Map<string, { inc(v?: number): void }>>();

  constructor(defaultMetrics = false) {
    const r = [this.registry];
    this.requests = new Counter({ name: "aegis_requests_total", help: "Requests answered, by zone, status class and cache outcome", labelNames: ["zone", "status_class", "cache"], registers: r });
    this.cacheOutcomes = new Counter({ name: "aegis_cache_outcomes_total", help: "Cache lookups by outcome", labelNames: ["zone", "outcome"], registers: r });
    this.notCached = new Counter({ name: "aegis_cache_not_stored_total", help: "Responses not stored, by reason", labelNames: ["zone", "reason"], registers: r });
    this.upstreamSeconds = new Histogram({ name: "aegis_upstream_seconds", help: "Origin time to response headers", labelNames: ["zone"], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: r });
    this.requestSeconds = new Histogram({ name: "aegis_request_seconds", help: "Time from request to response end", labelNames: ["zone"], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: r });
    this.phaseVerdicts = new Counter({ name: "aegis_phase_responses_total", help: "Requests answered by a request phase", labelNames: ["phase", "reason"], registers: r });
    this.proxyErrors = new Counter({ name: "aegis_proxy_errors_total", help: "Requests ended by an error", labelNames: ["code", "source"], registers: r });
    this.policyVersion = new Gauge({ name: "aegis_policy_version", help: "Applied policy version per zone", labelNames: ["zone"], registers: r });
    this.policyRejected = new Counter({ name: "aegis_policy_rejected_total", help: "Policy updates rejected (invalid, stale version, unreadable source)", labelNames: ["source"], registers: r });
    this.cacheBytes = new Gauge({ name: "aegis_cache_bytes", help: "Bytes held by the in-process cache", labelNames: ["tier"], registers: r });
    this.purges = new Counter({ name: "aegis_cache_purges_total", help: "Purge requests", labelNames: ["kind"], registers: r });
    this.reports = new Counter({ name: "aegis_analytics_reports_total", help: "Analytics reports closed / published / failed", labelNames: ["result"], registers: r });
    const self = this;
    this.inflight = new Gauge({
      name: "aegis_inflight_requests",
      help: "Requests in progress",
      registers: r,
      collect() {
        this.set(self.inflightNow);
      },
    });
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  private readonly histChildren = new WeakMap<Histogram<"zone">, Map<string, { observe(v: number): void }>>();

  /** Observes a per-zone histogram, caching the labelled child. */
  observe(h: Histogram<"zone">, zone: string, value: number): void {
    let byZone = this.histChildren.get(h);
    if (!byZone) this.histChildren.set(h, (byZone = new Map()));
    let child = byZone.get(zone);
    if (!child) byZone.set(zone, (child = h.labels({ zone })));
    child.observe(value);
  }

  private readonly requestChildren = new Map<string, { inc(v?: number): void }>();

  /** aegis_requests_total, keyed without building label objects on the hot path. */
  countRequest(zone: string, statusClass: string, cache: string): void {
    const key = zone + "|" + statusClass + "|" + cache;
    let child = this.requestChildren.get(key);
    if (!child) this.requestChildren.set(key, (child = this.requests.labels({ zone, status_class: statusClass, cache })));
    child.inc();
  }

  /** Increments a counter child, caching the labelled child. */
  count(counter: Counter<string>, labels: Record<string, string>, by = 1): void {
    let byKey = this.children.get(counter);
    if (!byKey) this.children.set(counter, (byKey = new Map()));
    const key = Object.values(labels).join("\u0000");
    let child = byKey.get(key);
    if (!child) {
      child = counter.labels(labels);
      byKey.set(key, child);
    }
    child.inc(by);
  }
}
