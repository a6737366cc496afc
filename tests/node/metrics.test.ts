/**
 * The node's hot-path metrics (plain per-zone numbers published at scrape time) read the same as
 * prom-client's own counters and histograms would, in one process and aggregated over a cluster.
 */
import { expect } from "chai";
import { AggregatorRegistry, Counter, Histogram, Registry } from "prom-client";
import { NodeMetrics } from "../../node/src/metrics.js";

const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const samples = [0, 0.0004, 0.001, 0.0011, 0.003, 0.049, 0.05, 0.7, 3, 10, 11, 42];

/** The metric's lines from a registry's text output (HELP and TYPE included). */
const section = (text: string, name: string) => text.split("\n\n").find((s) => s.startsWith(`# HELP ${name} `))?.trim();

describe("node metrics", () => {
  it("aegis_request_seconds reads exactly as a prom-client Histogram with the same observations", async () => {
    const m = new NodeMetrics();
    const ref = new Registry();
    const h = new Histogram({ name: "aegis_request_seconds", help: "Time from request to response end", labelNames: ["zone"], buckets: BUCKETS, registers: [ref] });
    for (const [i, v] of samples.entries()) {
      const zone = i % 3 === 0 ? "b.test" : "a.test";
      m.observe(m.requestSeconds, zone, v);
      h.observe({ zone }, v);
    }
    const ours = section(await m.registry.metrics(), "aegis_request_seconds");
    expect(ours).to.be.a("string");
    expect(ours).to.equal(section(await ref.metrics(), "aegis_request_seconds"));
    // what cluster workers send their primary (prom-client's exemplar field aside)
    const plain = (v: unknown) => JSON.parse(JSON.stringify(v, (k, x: unknown) => (k === "exemplar" ? undefined : x))) as unknown;
    expect(plain(await m.registry.getSingleMetric("aegis_request_seconds")!.get())).to.deep.equal(plain(await h.get()));
  });

  it("aegis_requests_total and aegis_cache_outcomes_total count per zone, status class and outcome", async () => {
    const m = new NodeMetrics();
    const ref = new Registry();
    const requests = new Counter({ name: "aegis_requests_total", help: "Requests answered, by zone, status class and cache outcome", labelNames: ["zone", "status_class", "cache"], registers: [ref] });
    const outcomes = new Counter({ name: "aegis_cache_outcomes_total", help: "Cache lookups by outcome", labelNames: ["zone", "outcome"], registers: [ref] });
    const seen: [string, number, "hit" | "miss" | "bypass" | undefined][] = [
      ["a.test", 200, "hit"],
      ["a.test", 200, "hit"],
      ["a.test", 404, "miss"],
      ["b.test", 503, "bypass"],
      ["-", 400, undefined],
      ["a.test", 99, undefined],
      ["a.test", 700, "hit"],
    ];
    for (const [zone, status, cache] of seen) {
      m.countRequest(zone, status, cache);
      const cls = `${Math.min(5, Math.max(1, Math.floor(status / 100)))}xx`;
      requests.inc({ zone, status_class: cls, cache: cache ?? "none" });
      if (cache) {
        m.countOutcome(zone, cache);
        outcomes.inc({ zone, outcome: cache });
      }
    }
    const text = await m.registry.metrics();
    const sorted = (s: string | undefined) => s?.split("\n").sort();
    const expected = await ref.metrics();
    expect(sorted(section(text, "aegis_requests_total"))).to.deep.equal(sorted(section(expected, "aegis_requests_total")));
    expect(sorted(section(text, "aegis_cache_outcomes_total"))).to.deep.equal(sorted(section(expected, "aegis_cache_outcomes_total")));
    // counts published once are not published again by the next scrape
    m.countRequest("a.test", 200, "hit");
    expect(await m.registry.metrics()).to.include('aegis_requests_total{zone="a.test",status_class="2xx",cache="hit"} 3');
  });

  it("aggregates over cluster workers (prom-client AggregatorRegistry)", async () => {
    const workers = [new NodeMetrics(), new NodeMetrics()];
    for (const [i, w] of workers.entries()) {
      w.observe(w.requestSeconds, "a.test", 0.002 * (i + 1));
      w.countRequest("a.test", 200, "hit");
    }
    const merged = AggregatorRegistry.aggregate(await Promise.all(workers.map((w) => w.registry.getMetricsAsJSON())));
    const text = await merged.metrics();
    expect(text).to.include('aegis_request_seconds_bucket{le="0.005",zone="a.test"} 2');
    expect(text).to.include('aegis_request_seconds_count{zone="a.test"} 2');
    expect(text).to.include('aegis_requests_total{zone="a.test",status_class="2xx",cache="hit"} 2');
  });
});
