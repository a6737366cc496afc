/**
 * The ingest role: every report, whatever its source (JetStream, the HTTP intake, a node's report
 * log), goes through `submitReport` one at a time, so a node's chain head moves in order.
 */
import type { Chain } from "./chain.js";
import type { Logger } from "./logger.js";
import type { KeeperMetrics } from "./metrics.js";
import type { NodeDirectory } from "./nodeDirectory.js";
import { verifyProbe } from "./probeRecord.js";
import { checkReport, type ReportDecision } from "./reportCheck.js";
import type { KeeperStore } from "./store.js";
import type { Evidence, SignedProbe } from "./types.js";

export type EvidenceSink = (e: Evidence) => void;

export class Ingest {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly chain: Chain,
    private readonly directory: NodeDirectory,
    private readonly store: KeeperStore,
    private readonly metrics: KeeperMetrics,
    private readonly log: Logger,
    private readonly onEvidence: EvidenceSink,
  ) {}

  /** Verifies and stores one signed report. Serialised: concurrent callers wait their turn. */
  submitReport(bytes: Uint8Array, source: string): Promise<ReportDecision> {
    const run = this.queue.then(() => this.process(bytes, source));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async process(bytes: Uint8Array, source: string): Promise<ReportDecision> {
    const timing = await this.chain.tokenTiming();
    const now = Math.floor(Date.now() / 1000);
    const d = await checkReport(bytes, (id) => this.directory.byIdentity(id), (n) => this.store.head(n), timing, now);
    if (d.kind === "accept") {
      await this.store.addReport(d.report);
      this.metrics.reportsAccepted.inc();
      this.log.debug({ node: d.report.node, seq: d.report.sequence.toString(), epoch: d.report.epoch, source }, "report accepted");
    } else if (d.kind === "reject") {
      this.metrics.reportsRejected.inc({ reason: d.reason });
      this.log.warn({ reason: d.reason, detail: d.detail, source }, "report rejected");
      if (d.evidence) this.onEvidence(d.evidence);
    }
    return d;
  }

  /** Stores a probe result signed by a current oracle; anything else is dropped and counted. */
  async submitProbe(p: SignedProbe): Promise<boolean> {
    if (!verifyProbe(p) || !(await this.directory.oracles()).has(p.result.prober)) {
      this.metrics.probes.inc({ outcome: "rejected_record" });
      this.log.warn({ prober: p.result?.prober }, "probe record rejected (bad signature or not an oracle)");
      return false;
    }
    return this.store.addProbe(p);
  }
}
