/**
 * Prometheus metrics of one node process. Each node owns its registry (several nodes may run in
 * one test process). What a request updates is kept as plain numbers per zone and handed to
 * prom-client when it collects (a scrape), so a request costs array increments only.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from "prom-client";
import { CACHE_OUTCOMES, type CacheOutcome } from "./cache/types.js";

/** Cache outcomes counted per request, plus "none" (answered before any cache decision). */
const REQUEST_CACHE = [...CACHE_OUTCOMES, "none"] as const;
const OUTCOME_INDEX = Object.fromEntries(CACHE_OUTCOMES.map((o, i) => [o, i])) as Record<CacheOutcome, number>;
const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;

/** One zone's hot-path counters: requests by status class × cache outcome, and cache outcomes. */
interface ZoneCounts {
  /** [statusClass * REQUEST_CACHE.length + cache] */
  readonly requests: Float64Array;
  /** [CACHE_OUTCOMES index] */
  readonly outcomes: Float64Array;
}

/**
 * A histogram labelled by zone, kept as plain per-zone bucket counts; prom-client reads it at
 * scrape time through `get()` (the same values and names its own Histogram reports). prom-client's
 * `observe` hashes a label object and updates string-keyed buckets per call.
 */
export class ZoneHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  /** Per zone: count per bucket (not cumulative), then the total count, then the sum. */
  private readonly zones = new Map<string, Float64Array>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly upperBounds: readonly number[],
  ) {}

  observe(zone: string, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const b = this.upperBounds;
    let z = this.zones.get(zone);
    if (!z) this.zones.set(zone, (z = new Float64Array(b.length + 2)));
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    if (i < b.length) z[i]!++;
    z[b.length]!++;
    z[b.length + 1]! += value;
  }

  async get(): Promise<{ name: string; help: string; type: "histogram"; aggregator: "sum"; values: { labels: Record<string, string | number>; value: number; metricName: string }[] }> {
    const b = this.upperBounds;
    const bucket = `${this.name}_bucket`;
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const [zone, z] of this.zones) {
      let acc = 0;
      for (let i = 0; i < b.length; i++) {
        acc += z[i]!;
        values.push({ labels: { le: b[i]!, zone }, value: acc, metricName: bucket });
      }
      values.push({ labels: { le: "+Inf", zone }, value: z[b.length]!, metricName: bucket });
      values.push({ labels: { zone }, value: z[b.length + 1]!, metricName: `${this.name}_sum` });
      values.push({ labels: { zone }, value: z[b.length]!, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.zones.clear();
  }
}

export class NodeMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<"zone" | "status_class" | "cache">;
  readonly cacheOutcomes: Counter<"zone" | "outcome">;
  readonly notCached: Counter<"zone" | "reason">;
  readonly upstreamSeconds: ZoneHistogram;
  readonly requestSeconds: ZoneHistogram;
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
  private readonly zoneCounts = new Map<string, ZoneCounts>();

  constructor(defaultMetrics = false) {
    const r = [this.registry];
    const self = this;
    /** `flushZones` publishes the per-zone hot-path counts kept for this counter. */
    const counter = <L extends string>(name: string, help: string, labelNames: L[], flushZones?: () => void): Counter<L> =>
      new Counter<L>({
        name,
        help,
        labelNames,
        registers: r,
        collect() {
          self.flush(this as unknown as Counter<string>);
          flushZones?.();
        },
      });
    this.requests = counter("aegis_requests_total", "Requests answered, by zone, status class and cache outcome", ["zone", "status_class", "cache"], () => this.flushRequests());
    this.cacheOutcomes = counter("aegis_cache_outcomes_total", "Cache lookups by outcome", ["zone", "outcome"], () => this.flushOutcomes());
    this.notCached = counter("aegis_cache_not_stored_total", "Responses not stored, by reason", ["zone", "reason"]);
    this.upstreamSeconds = new ZoneHistogram("aegis_upstream_seconds", "Origin time to response headers", [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    this.requestSeconds = new ZoneHistogram("aegis_request_seconds", "Time from request to response end", [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    // prom-client reads any object with its metric shape (name, help, type, aggregator, get, reset).
    this.registry.registerMetric(this.upstreamSeconds as unknown as Metric);
    this.registry.registerMetric(this.requestSeconds as unknown as Metric);
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

  /** Observes a per-zone histogram. */
  observe(h: ZoneHistogram, zone: string, value: number): void {
    h.observe(zone, value);
  }

  private countsOf(zone: string): ZoneCounts {
    let c = this.zoneCounts.get(zone);
    if (!c) {
      c = { requests: new Float64Array(STATUS_CLASSES.length * REQUEST_CACHE.length), outcomes: new Float64Array(CACHE_OUTCOMES.length) };
      this.zoneCounts.set(zone, c);
    }
    return c;
  }

  /** aegis_requests_total on the hot path: `status` is the response status (classed 1xx–5xx). */
  countRequest(zone: string, status: number, cache: CacheOutcome | undefined): void {
    const cls = Math.min(5, Math.max(1, Math.floor(status / 100))) - 1;
    this.countsOf(zone).requests[cls * REQUEST_CACHE.length + (cache === undefined ? CACHE_OUTCOMES.length : OUTCOME_INDEX[cache])]!++;
  }

  /** aegis_cache_outcomes_total on the hot path. */
  countOutcome(zone: string, outcome: CacheOutcome): void {
    this.countsOf(zone).outcomes[OUTCOME_INDEX[outcome]]!++;
  }

  private flushRequests(): void {
    for (const [zone, c] of this.zoneCounts) {
      const r = c.requests;
      for (let i = 0; i < r.length; i++) {
        if (r[i] === 0) continue;
        const status_class = STATUS_CLASSES[Math.floor(i / REQUEST_CACHE.length)]!;
        this.requests.inc({ zone, status_class, cache: REQUEST_CACHE[i % REQUEST_CACHE.length]! }, r[i]);
        r[i] = 0;
      }
    }
  }

  private flushOutcomes(): void {
    for (const [zone, c] of this.zoneCounts) {
      const o = c.outcomes;
      for (let i = 0; i < o.length; i++) {
        if (o[i] === 0) continue;
        this.cacheOutcomes.inc({ zone, outcome: CACHE_OUTCOMES[i]! }, o[i]);
        o[i] = 0;
      }
    }
  }

  /** Increments a counter (off the hot path). */
  count(counter: Counter<string>, labels: Record<string, string>, by = 1): void {
    this.countKeyed(counter, Object.values(labels).join("\u0000"), () => labels, by);
  }
}
