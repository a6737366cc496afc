/**
 * The applied zone policies. One writer (this class) validates what a PolicySource delivers,
 * refuses anything invalid or older, swaps the zone map atomically, logs the versions and writes
 * the result to disk as the last known good set, which is loaded first at the next start.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../logger.js";
import type { NodeMetrics } from "../metrics.js";
import { zonePolicySchema, type ZonePolicy } from "./schema.js";
import type { PolicySnapshot, PolicySource } from "./source.js";

const LKG_FILE = "policies.lkg.json";

export interface ApplyResult {
  applied: string[];
  removed: string[];
  rejected: { zone: string; reason: string }[];
}

export class PolicyStore {
  private zones: ReadonlyMap<string, ZonePolicy> = new Map();
  private queue: Promise<unknown> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private listeners: ((zones: ReadonlyMap<string, ZonePolicy>) => void)[] = [];

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
    private readonly metrics: NodeMetrics,
  ) {}

  /** The policy serving `domain` (lower case, no port), or undefined. */
  get(domain: string): ZonePolicy | undefined {
    return this.zones.get(domain);
  }

  all(): ReadonlyMap<string, ZonePolicy> {
    return this.zones;
  }

  onChange(listener: (zones: ReadonlyMap<string, ZonePolicy>) => void): void {
    this.listeners.push(listener);
  }

  /** Loads last known good, then the source; keeps serving LKG when the source is down. */
  async start(source: PolicySource | undefined, reconcileMs: number): Promise<void> {
    await this.loadLastKnownGood();
    if (!source) return;
    await this.reconcile(source);
    this.unsubscribe = source.subscribe(
      (snapshot) =>
        void this.apply(snapshot, source.name).catch((err: Error) => this.log.error({ err: err.message, source: source.name }, "policy apply failed; previous kept")),
      (err) => {
        this.metrics.count(this.metrics.policyRejected, { source: source.name });
        this.log.warn({ err: err.message, source: source.name }, "policy source error; keeping current policies");
      },
    );
    this.reconcileTimer = setInterval(() => void this.reconcile(source), reconcileMs);
    this.reconcileTimer.unref();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    await this.queue.catch(() => undefined);
  }

  async reconcile(source: PolicySource): Promise<void> {
    try {
      const snapshot = await source.load();
      await this.apply(snapshot, source.name);
    } catch (err) {
      this.metrics.count(this.metrics.policyRejected, { source: source.name });
      this.log.warn(
        { err: (err as Error).message, source: source.name, zones: this.zones.size },
        "policy source unavailable; serving last known good",
      );
    }
  }

  /** Validates and applies a snapshot. Serialized: snapshots apply one at a time, in arrival order. */
  apply(snapshot: PolicySnapshot, sourceName: string): Promise<ApplyResult> {
    const run = this.queue.then(() => this.applyNow(snapshot, sourceName));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(snapshot: PolicySnapshot, sourceName: string): Promise<ApplyResult> {
    const next = new Map(this.zones);
    const result: ApplyResult = { applied: [], removed: [], rejected: [] };
    const seen = new Set<string>();
    for (const raw of snapshot.zones) {
      const domainHint = typeof (raw as { domain?: unknown })?.domain === "string" ? String((raw as { domain: string }).domain) : "?";
      const parsed = zonePolicySchema.safeParse(raw);
      if (!parsed.success) {
        const reason = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
        result.rejected.push({ zone: domainHint, reason });
        seen.add(domainHint);
        continue;
      }
      const policy = parsed.data;
      if (seen.has(policy.domain)) {
        result.rejected.push({ zone: policy.domain, reason: "zone listed twice" });
        continue;
      }
      seen.add(policy.domain);
      const current = next.get(policy.domain);
      if (current) {
        if (policy.policyVersion < current.policyVersion) {
          result.rejected.push({ zone: policy.domain, reason: `version ${policy.policyVersion} is older than applied ${current.policyVersion}` });
          continue;
        }
        const same = JSON.stringify(current) === JSON.stringify(policy);
        if (same) continue;
        if (policy.policyVersion === current.policyVersion) {
          result.rejected.push({ zone: policy.domain, reason: `content changed but policyVersion stayed ${policy.policyVersion}` });
          continue;
        }
      }
      next.set(policy.domain, policy);
      result.applied.push(policy.domain);
    }
    if (snapshot.complete) {
      for (const domain of next.keys()) {
        if (!seen.has(domain)) {
          next.delete(domain);
          result.removed.push(domain);
        }
      }
    }
    for (const r of result.rejected) {
      this.metrics.count(this.metrics.policyRejected, { source: sourceName });
      this.log.warn({ zone: r.zone, reason: r.reason, source: sourceName, revision: snapshot.revision }, "policy rejected; previous kept");
    }
    if (result.applied.length === 0 && result.removed.length === 0) return result;
    this.zones = next; // the atomic swap: a request sees the old map or the new one, never a mix
    for (const domain of result.applied) {
      const p = next.get(domain)!;
      this.metrics.policyVersion.set({ zone: domain }, p.policyVersion);
      this.log.info({ zone: domain, version: p.policyVersion, source: sourceName, revision: snapshot.revision }, "policy applied");
    }
    for (const domain of result.removed) {
      this.metrics.policyVersion.remove({ zone: domain });
      this.log.info({ zone: domain, source: sourceName, revision: snapshot.revision }, "zone removed");
    }
    for (const l of this.listeners) l(next);
    await this.persist(next);
    return result;
  }

  private async persist(zones: ReadonlyMap<string, ZonePolicy>): Promise<void> {
    const path = join(this.dataDir, LKG_FILE);
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      await mkdir(this.dataDir, { recursive: true });
      await writeFile(tmp, JSON.stringify({ savedAt: new Date().toISOString(), zones: [...zones.values()] }, null, 1));
      await rename(tmp, path);
    } catch (err) {
      this.log.error({ err: (err as Error).message, path }, "cannot persist last known good policies");
    }
  }

  private async loadLastKnownGood(): Promise<void> {
    const path = join(this.dataDir, LKG_FILE);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch {
      return; // first start
    }
    try {
      const doc = JSON.parse(text) as { zones?: unknown };
      if (!Array.isArray(doc.zones)) throw new Error("no zones array");
      const result = await this.apply({ zones: doc.zones, complete: true, revision: `lkg:${path}` }, "lkg");
      this.log.info({ zones: result.applied.length, path }, "loaded last known good policies");
    } catch (err) {
      this.log.error({ err: (err as Error).message, path }, "last known good policy file unreadable; ignored");
    }
  }
}
