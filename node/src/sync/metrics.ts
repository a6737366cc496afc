/**
 * Prometheus metrics of the sync layer. Each SyncNode owns a registry (several nodes may share a
 * test process); the node's /metrics endpoint merges it with `Registry.merge`.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export type SyncKind = "rl" | "threat" | "notice";

export class SyncMetrics {
  readonly registry: Registry;
  readonly connected: Gauge;
  readonly published: Counter<"kind">;
  readonly received: Counter<"kind" | "via">;
  readonly decodeErrors: Counter<"kind">;
  readonly accepted: Counter<"kind">;
  readonly rejected: Counter<"kind" | "reason">;
  readonly decisions: Counter<"result" | "mode">;
  readonly propagation: Histogram<"kind">;
  readonly merges: Counter;
  readonly outboxDropped: Counter;
  readonly blocklistSize: Gauge;
  readonly catchups: Counter<"result">;
  private readonly decisionChildren: Record<string, { inc(): void }>;

  constructor(registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.connected = new Gauge({ name: "aegis_sync_connected", help: "1 while the sync transport is connected", registers });
    this.published = new Counter({ name: "aegis_sync_published_total", help: "Messages published, by kind", labelNames: ["kind"], registers });
    this.received = new Counter({ name: "aegis_sync_received_total", help: "Messages received live or by catch-up replay", labelNames: ["kind", "via"], registers });
    this.decodeErrors = new Counter({ name: "aegis_sync_decode_errors_total", help: "Malformed messages dropped", labelNames: ["kind"], registers });
    this.accepted = new Counter({ name: "aegis_sync_events_accepted_total", help: "Signed events accepted", labelNames: ["kind"], registers });
    this.rejected = new Counter({ name: "aegis_sync_events_rejected_total", help: "Signed events rejected, by reason", labelNames: ["kind", "reason"], registers });
    this.decisions = new Counter({ name: "aegis_sync_ratelimit_decisions_total", help: "Rate-limit decisions", labelNames: ["result", "mode"], registers });
    this.propagation = new Histogram({
      name: "aegis_sync_propagation_seconds",
      help: "Publish-to-apply delay of live messages (sender and receiver clocks)",
      labelNames: ["kind"],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.merges = new Counter({ name: "aegis_sync_counter_merges_total", help: "Remote counter entries joined", registers });
    this.outboxDropped = new Counter({ name: "aegis_sync_outbox_dropped_total", help: "Signed events dropped from a full outbox while disconnected", registers });
    this.blocklistSize = new Gauge({ name: "aegis_sync_blocklist_entries", help: "Client IPs currently blocked by threat intelligence", registers });
    this.catchups = new Counter({ name: "aegis_sync_catchups_total", help: "JetStream catch-up runs after (re)connect", labelNames: ["result"], registers });
    this.decisionChildren = {
      "allowed|connected": this.decisions.labels("allowed", "connected"),
      "allowed|isolated": this.decisions.labels("allowed", "isolated"),
      "limited|connected": this.decisions.labels("limited", "connected"),
      "limited|isolated": this.decisions.labels("limited", "isolated"),
    };
  }

  decision(allowed: boolean, isolated: boolean): void {
    this.decisionChildren[`${allowed ? "allowed" : "limited"}|${isolated ? "isolated" : "connected"}`]!.inc();
  }
}
