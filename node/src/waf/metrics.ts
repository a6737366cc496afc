/** Prometheus metrics of the WAF, registered on the node's registry. */
import { Counter, Histogram, type Metric, type Registry } from "prom-client";

export class WafMetrics {
  readonly decisions: Counter<"zone" | "mode" | "outcome">;
  readonly ruleMatches: Counter<"rule">;
  readonly evalSeconds: Histogram<"phase">;

  /** Registers the metrics on a registry created after the phase (e.g. the edge node's). */
  bindRegistry(registry: Registry): void {
    const all: Array<[string, Metric]> = [
      ["aegis_waf_decisions_total", this.decisions], ["aegis_waf_rule_matches_total", this.ruleMatches], ["aegis_waf_eval_seconds", this.evalSeconds],
    ];
    for (const [name, m] of all) if (!registry.getSingleMetric(name)) registry.registerMetric(m);
  }

  constructor(registry?: Registry) {
    const registers = registry ? [registry] : [];
    this.decisions = new Counter({
      name: "aegis_waf_decisions_total",
      help: "WAF decisions per zone: pass, detected (logged only), blocked",
      labelNames: ["zone", "mode", "outcome"],
      registers,
    });
    this.ruleMatches = new Counter({ name: "aegis_waf_rule_matches_total", help: "Logged rule matches by rule id", labelNames: ["rule"], registers });
    this.evalSeconds = new Histogram({
      name: "aegis_waf_eval_seconds", help: "Time spent evaluating rules per request side", labelNames: ["phase"],
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1], registers,
    });
  }
}
