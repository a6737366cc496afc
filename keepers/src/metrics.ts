/** Prometheus metrics of one keeper process (its own registry, so tests can run several). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export class KeeperMetrics {
  readonly registry = new Registry();
  readonly reportsAccepted: Counter;
  readonly reportsRejected: Counter<"reason">;
  readonly probes: Counter<"outcome">;
  readonly probeTtfb: Histogram;
  readonly txSent: Counter<"role" | "action">;
  readonly txFailed: Counter<"role" | "action" | "code">;
  readonly txRetries: Counter<"role" | "action">;
  readonly plannedTx: Counter<"role" | "action">;
  readonly epochComputed: Gauge;
  readonly epochCursor: Gauge;
  readonly rootAgreement: Counter<"result">;
  readonly slashProposals: Counter<"kind" | "result">;
  readonly claims: Counter<"result">;
  readonly tickErrors: Counter<"role">;

  constructor(defaults = true) {
    const r = this.registry;
    if (defaults) collectDefaultMetrics({ register: r, prefix: "aegis_keeper_" });
    this.reportsAccepted = new Counter({ name: "keeper_reports_accepted_total", help: "Usage reports verified and stored", registers: [r] });
    this.reportsRejected = new Counter({ name: "keeper_reports_rejected_total", help: "Usage reports refused, by reason", labelNames: ["reason"], registers: [r] });
    this.probes = new Counter({ name: "keeper_probes_total", help: "Canary probes, by outcome", labelNames: ["outcome"], registers: [r] });
    this.probeTtfb = new Histogram({ name: "keeper_probe_ttfb_seconds", help: "Time to first byte of canary probes", buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [r] });
    this.txSent = new Counter({ name: "keeper_tx_sent_total", help: "Transactions confirmed", labelNames: ["role", "action"], registers: [r] });
    this.txFailed = new Counter({ name: "keeper_tx_failed_total", help: "Transactions refused or failed after retries", labelNames: ["role", "action", "code"], registers: [r] });
    this.txRetries = new Counter({ name: "keeper_tx_retries_total", help: "Transaction retries after transient errors", labelNames: ["role", "action"], registers: [r] });
    this.plannedTx = new Counter({ name: "keeper_dry_run_tx_total", help: "Transactions printed instead of sent (--dry-run)", labelNames: ["role", "action"], registers: [r] });
    this.epochComputed = new Gauge({ name: "keeper_oracle_last_epoch_computed", help: "Last epoch whose rewards this oracle computed", registers: [r] });
    this.epochCursor = new Gauge({ name: "keeper_oracle_epoch_cursor", help: "Lowest epoch this oracle has not finished", registers: [r] });
    this.rootAgreement = new Counter({ name: "keeper_oracle_root_agreement_total", help: "Accepted roots compared with this oracle's own", labelNames: ["result"], registers: [r] });
    this.slashProposals = new Counter({ name: "keeper_slash_proposals_total", help: "Slash decisions, by evidence kind and result", labelNames: ["kind", "result"], registers: [r] });
    this.claims = new Counter({ name: "keeper_claims_total", help: "Auto-claims, by result", labelNames: ["result"], registers: [r] });
    this.tickErrors = new Counter({ name: "keeper_tick_errors_total", help: "Role loop iterations that failed", labelNames: ["role"], registers: [r] });
  }

  /** Current value of a counter child (tests and /status). */
  async value(name: string, labels: Record<string, string> = {}): Promise<number> {
    const m = await this.registry.getSingleMetric(name)?.get();
    if (!m) return 0;
    return m.values.filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((a, v) => a + v.value, 0);
  }
}
