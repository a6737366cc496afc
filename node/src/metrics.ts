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
  /**
   * Counter increments are accumulated in plain maps and handed to prom-client when it collects
   * (each prom-client inc hashes its label object; at tens of thousands of requests per second
   * per core that is measurable).
   */
  private readonly pending = new Map<Counter<string>, Map<string, { labels: Record<string, string>; n: number }>>();
  private readonly histChildren = new WeakMap<Histogram<"zone">, Map<string, { observe(v: number): void }>>();

  constructor(defaultMetrics = false) {
    const r = [this.registry];
    const self = this;
    const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> =>
      new Counter<L>({
        name,
        help,
        labelNames,
        registers: r,
        collect() {
          self.flush(this as unknown as Counter<string>);
        },
      });
    this.requests = counter("aegis_requests_total", "Requests answered, by zone, status class and cache outcome", ["zone", "status_class", "cache"]);
    this.cacheOutcomes = counter("aegis_cache_outcomes_total", "Cache lookups by outcome", ["zone", "outcome"]);
    this.notCached = counter("aegis_cache_not_stored_total", "Responses not stored, by reason", ["zone", "reason"]);
    this.upstreamSeconds = new Histogram({ name: "aegis_upstream_seconds", help: "Origin time to response headers", labelNames: ["zone"], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: r });
    this.requestSeconds = new Histogram({ name: "aegis_request_seconds", help: "Time from request to response end", labelNames: ["zone"], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: r });
    this.phaseVerdicts = counter("aegis_phase_responses_total", "Requests answered by a request phase", ["phase", "reason"]);
    this.proxyErrors = counter("aegis_proxy_errors_total", "Requests ended by an error", ["code", "source"]);
    this.policyVersion = new Gauge({ name: "aegis_policy_version", help: "Applied policy version per zone", labelNames: ["zone"], registers: r });
    this.policyRejected = counter("aegis_policy_rejected_total", "Policy updates rejected (invalid, stale version, unreadable source)", ["source"]);
    this.cacheBytes = new Gauge({ name: "aegis_cache_bytes", help: "Bytes held by the in-process cache", labelNames: ["tier"], registers: r });
    this.purges = counter("aegis_cache_purges_total", "Purge requests", ["kind"]);
    this.reports = counter("aegis_analytics_reports_total", "Analytics reports closed / published / failed", ["result"]);
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

  private flush(counter: Counter<string>): void {
    const byKey = this.pending.get(counter);
    if (!byKey) return;
    for (const e of byKey.values()) {
      if (e.n > 0) {
        counter.inc(e.labels, e.n);
        e.n = 0;
      }
    }
  }

  /** Adds to a counter under a precomputed key; `labels` is called only the first time the key is seen. */
  countKeyed(counter: Counter<string>, key: string, labels: () => Record<string, string>, by = 1): void {
    let byKey = this.pending.get(counter);
    if (!byKey) this.pending.set(counter, (byKey = new Map()));
    const e = byKey.get(key);
    if (e) e.n += by;
    else byKey.set(key, { labels: labels(), n: by });
  }

  /** Observes a per-zone histogram, caching the labelled child. */
  observe(h: Histogram<"zone">, zone: string, value: number): void {
    let byZone = this.histChildren.get(h);
    if (!byZone) this.histChildren.set(h, (byZone = new Map()));
    let child = byZone.get(zone);
    if (!child) byZone.set(zone, (child = h.labels({ zone })));
    child.observe(value);
  }

  /** aegis_requests_total on the hot path. */
  countRequest(zone: string, statusClass: string, cache: string): void {
    this.countKeyed(this.requests, zone + "|" + statusClass + "|" + cache, () => ({ zone, status_class: statusClass, cache }));
  }

  /** aegis_cache_outcomes_total on the hot path. */
  countOutcome(zone: string, outcome: string): void {
    this.countKeyed(this.cacheOutcomes, zone + "|" + outcome, () => ({ zone, outcome }));
  }

  /** Increments a counter (off the hot path). */
  count(counter: Counter<string>, labels: Record<string, string>, by = 1): void {
    this.countKeyed(counter, Object.values(labels).join("\u0000"), () => labels, by);
  }
}
