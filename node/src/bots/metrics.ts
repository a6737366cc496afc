/** Prometheus metrics of the bot manager. */
import { Counter, Histogram, type Metric, type Registry } from "prom-client";

export class BotMetrics {
  readonly decisions: Counter<"zone" | "mode" | "action" | "reason">;
  readonly scores: Histogram<"zone">;
  readonly clearance: Counter<"result">;
  readonly verifications: Counter<"result">;

  constructor(registry?: Registry) {
    const registers = registry ? [registry] : [];
    this.decisions = new Counter({ name: "aegis_bot_decisions_total", help: "Bot manager decisions by action and reason", labelNames: ["zone", "mode", "action", "reason"], registers });
    this.scores = new Histogram({ name: "aegis_bot_score", help: "Bot scores of assessed requests", labelNames: ["zone"], buckets: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], registers });
    this.clearance = new Counter({ name: "aegis_bot_clearance_cookies_total", help: "Clearance cookies presented, by check result", labelNames: ["result"], registers });
    this.verifications = new Counter({ name: "aegis_bot_challenge_verifications_total", help: "Proof-of-work submissions by result", labelNames: ["result"], registers });
  }

  bindRegistry(registry: Registry): void {
    const all: Array<[string, Metric]> = [
      ["aegis_bot_decisions_total", this.decisions], ["aegis_bot_score", this.scores],
      ["aegis_bot_clearance_cookies_total", this.clearance], ["aegis_bot_challenge_verifications_total", this.verifications],
    ];
    for (const [name, m] of all) if (!registry.getSingleMetric(name)) registry.registerMetric(m);
  }
}
