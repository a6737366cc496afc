/**
 * Per-zone counters for the current interval. Every `intervalSecs` the interval is closed into a
 * signed report chained to the previous one, appended to <dataDir>/reports/<address>.log (one
 * base64 report per line) and handed to the publisher. The chain continues across restarts.
 */
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { NodeIdentity } from "../identity.js";
import type { Logger } from "../logger.js";
import type { NodeMetrics } from "../metrics.js";
import type { CacheOutcome } from "../cache/types.js";
import type { ReportPublisher } from "./publisher.js";
import { decodeReport, emptyCounters, LATENCY_BUCKETS_MS, latencyBucket, reportHash, REPORT_VERSION, signReport, type ZoneCounters } from "./report.js";

const FAST_SLOTS = 10 + LATENCY_BUCKETS_MS.length;

export class AnalyticsRecorder {
  private counters = new Map<string, ZoneCounters>();
  /** Per zone: requests, bytesOut, hit, miss, stale, 5 status classes, latency buckets. Exact below 2^53 per interval. */
  private fast = new Map<string, Float64Array>();
  private intervalStart = Date.now();
  private sequence = 0n;
  private prevHash: Uint8Array = new Uint8Array(32);
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<Uint8Array | undefined> = Promise.resolve(undefined);
  private unpublished: { bytes: Uint8Array; sequence: bigint }[] = [];
  readonly path: string;
  /** Called before an interval closes; returns counters gathered elsewhere (cluster workers) to merge in. */
  collect: (() => Promise<Map<string, ZoneCounters>[]>) | undefined;

  /** `signing` false: only count (a cluster worker; its primary drains the counters and signs). */
  constructor(
    private readonly dataDir: string,
    private readonly identity: NodeIdentity,
    private readonly publisher: ReportPublisher | undefined,
    private readonly log: Logger,
    private readonly metrics: NodeMetrics,
    private readonly signing = true,
  ) {
    this.path = join(dataDir, "reports", `${identity.address}.log`);
  }

  /** Takes the counters of the current interval, leaving it empty. */
  drain(): Map<string, ZoneCounters> {
    this.foldFast();
    const c = this.counters;
    this.counters = new Map();
    return c;
  }

  merge(zones: Map<string, ZoneCounters>): void {
    for (const [domain, add] of zones) this.mergeInto(this.counters, domain, add);
  }

  private mergeInto(into: Map<string, ZoneCounters>, domain: string, add: ZoneCounters): void {
    let c = into.get(domain);
    if (!c) into.set(domain, (c = emptyCounters()));
    c.requests += add.requests;
    c.bytesOut += add.bytesOut;
    c.cacheHit += add.cacheHit;
    c.cacheMiss += add.cacheMiss;
    c.cacheStale += add.cacheStale;
    for (let i = 0; i < 5; i++) c.status[i as 0] += add.status[i as 0];
    for (let i = 0; i < c.latency.length; i++) c.latency[i] = c.latency[i]! + (add.latency[i] ?? 0n);
  }


  /** Restores the chain head from the local log, then closes an interval every `intervalSecs`. */
  async start(intervalSecs: number): Promise<void> {
    if (!this.signing) return;
    await mkdir(join(this.dataDir, "reports"), { recursive: true });
    try {
      const lines = (await readFile(this.path, "utf8")).split("\n").filter(Boolean);
      const last = lines.at(-1);
      if (last) {
        const bytes = Buffer.from(last, "base64");
        const { report } = decodeReport(bytes);
        this.sequence = report.sequence + 1n;
        this.prevHash = reportHash(bytes);
        this.intervalStart = Math.max(Date.now(), Number(report.intervalEndMs));
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") this.log.error({ err: (err as Error).message, path: this.path }, "cannot read report log; chain restarts");
    }
    if (intervalSecs > 0) {
      this.timer = setInterval(() => void this.closeInterval().catch((err: Error) => this.log.error({ err: err.message }, "closing analytics interval failed")), intervalSecs * 1000);
      this.timer.unref();
    }
  }

  /** Hot path: plain number accumulators, folded into the bigint counters when the interval closes. */
  record(zone: string, status: number, bytesOut: number, cache: CacheOutcome | undefined, latencyMs: number): void {
    let c = this.fast.get(zone);
    if (!c) this.fast.set(zone, (c = new Float64Array(FAST_SLOTS)));
    c[0]!++;
    c[1]! += bytesOut;
    if (cache === "hit" || cache === "revalidated") c[2]!++;
    else if (cache === "miss" || cache === "expired") c[3]!++;
    else if (cache === "stale" || cache === "stale_error") c[4]!++;
    c[5 + Math.min(5, Math.max(1, Math.floor(status / 100))) - 1]!++;
    c[10 + latencyBucket(latencyMs)]!++;
  }

  private foldFast(): void {
    for (const [zone, f] of this.fast) {
      const add = emptyCounters();
      add.requests = BigInt(f[0]!);
      add.bytesOut = BigInt(f[1]!);
      add.cacheHit = BigInt(f[2]!);
      add.cacheMiss = BigInt(f[3]!);
      add.cacheStale = BigInt(f[4]!);
      for (let i = 0; i < 5; i++) add.status[i as 0] = BigInt(f[5 + i]!);
      for (let i = 0; i < add.latency.length; i++) add.latency[i] = BigInt(f[10 + i]!);
      this.mergeInto(this.counters, zone, add);
    }
    this.fast = new Map();
  }

  /** Closes the current interval now; resolves with the signed report bytes. */
  closeInterval(): Promise<Uint8Array | undefined> {
    const run = this.closing.then(() => this.closeNow());
    this.closing = run.catch(() => undefined);
    return run;
  }

  private async closeNow(): Promise<Uint8Array | undefined> {
    if (!this.signing) return undefined;
    if (this.collect) {
      try {
        for (const part of await this.collect()) this.merge(part);
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, "could not collect worker counters; they go into the next interval");
      }
    }
    const end = Math.max(Date.now(), this.intervalStart);
    this.foldFast();
    const zones = this.counters;
    this.counters = new Map();
    const bytes = signReport(
      {
        version: REPORT_VERSION,
        nodePublicKey: this.identity.publicKey,
        sequence: this.sequence,
        prevHash: this.prevHash,
        intervalStartMs: BigInt(this.intervalStart),
        intervalEndMs: BigInt(end),
        zones,
      },
      (m) => this.identity.sign(m),
    );
    await appendFile(this.path, Buffer.from(bytes).toString("base64") + "\n");
    const sequence = this.sequence;
    this.sequence++;
    this.prevHash = reportHash(bytes);
    this.intervalStart = end;
    this.metrics.count(this.metrics.reports, { result: "closed" });
    this.log.info({ sequence: sequence.toString(), zones: zones.size }, "analytics report closed");
    if (this.publisher) {
      this.unpublished.push({ bytes, sequence });
      await this.flush();
    }
    return bytes;
  }

  private async flush(): Promise<void> {
    while (this.unpublished.length > 0 && this.publisher) {
      const next = this.unpublished[0]!;
      try {
        await this.publisher.publish(next.bytes, { nodeAddress: this.identity.address, sequence: next.sequence });
        this.unpublished.shift();
        this.metrics.count(this.metrics.reports, { result: "published" });
      } catch (err) {
        this.metrics.count(this.metrics.reports, { result: "publish_failed" });
        this.log.warn({ err: (err as Error).message, pending: this.unpublished.length }, "report publish failed; will retry next interval");
        if (this.unpublished.length > 1000) this.unpublished.shift(); // the local log still has it
        return;
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (!this.signing) return;
    await this.closeInterval().catch((err: Error) => this.log.error({ err: err.message }, "final report failed"));
    await this.publisher?.close();
  }
}
