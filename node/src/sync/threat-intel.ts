/**
 * Threat intelligence: blocks reported by trusted nodes, kept in an LWW element set with expiry
 * (a CRDT, so every node converges to the same blocklist whatever the delivery order) and pushed
 * to the `Blocklist` sinks (XDP maps, in-memory list). A block's lifetime is counted from the
 * signed event timestamp: replaying an old event cannot extend it.
 */
import { isIP } from "node:net";
import type { Logger } from "pino";
import type { NodeIdentity } from "../identity.js";
import { LwwElementSet } from "./crdt/lww-set.js";
import { signEnvelope } from "./envelope.js";
import { SyncArgumentError } from "./errors.js";
import type { EventGate } from "./event-gate.js";
import type { SyncMetrics } from "./metrics.js";
import type { Blocklist, RejectReason, SignedEnvelope, ThreatBody } from "./types.js";

export interface ThreatReport {
  readonly ttlSecs: number;
  readonly reason: string;
  readonly zone?: string;
}

export type ThreatOutcome = { accepted: true; changed: boolean } | { accepted: false; reason: RejectReason };

export class ThreatIntel {
  readonly set = new LwwElementSet();
  private readonly sinks: Blocklist[];
  private seq = 0;
  private readonly present = new Set<string>();

  constructor(
    private readonly deps: {
      readonly identity: NodeIdentity;
      readonly gate: EventGate;
      readonly metrics: SyncMetrics;
      readonly logger: Logger;
      readonly now: () => number;
      /** Sends (or queues) a signed envelope. */
      readonly send: (env: SignedEnvelope<ThreatBody>) => void;
      readonly sinks?: readonly Blocklist[];
      /** Longest TTL honoured; also how long removals are remembered. */
      readonly maxTtlSecs: number;
    },
  ) {
    this.sinks = [...(deps.sinks ?? [])];
  }

  addSink(sink: Blocklist): void {
    this.sinks.push(sink);
    const now = this.deps.now();
    for (const ip of this.set.present(now)) {
      const tag = this.set.tag(ip)!;
      this.callSink(sink, "block", ip, tag.expiresAt, tag.reason ?? "threat-intel");
    }
  }

  /** Blocks `ip` here at once and tells every peer. Returns the signed event. */
  report(ip: string, r: ThreatReport): SignedEnvelope<ThreatBody> {
    return this.emit({ action: "block", ip, ttlSecs: r.ttlSecs, reason: r.reason, ...(r.zone ? { zone: r.zone } : {}) });
  }

  /** Lifts a block everywhere (a later remove wins over earlier blocks). */
  lift(ip: string, reason: string): SignedEnvelope<ThreatBody> {
    return this.emit({ action: "unblock", ip, ttlSecs: 1, reason });
  }

  private emit(body: ThreatBody): SignedEnvelope<ThreatBody> {
    if (isIP(body.ip) === 0) throw new SyncArgumentError(`not an IP address: ${body.ip}`);
    if (!Number.isInteger(body.ttlSecs) || body.ttlSecs < 1 || body.ttlSecs > this.deps.maxTtlSecs) {
      throw new SyncArgumentError(`ttlSecs must be 1..${this.deps.maxTtlSecs}`);
    }
    if (body.reason.length === 0 || body.reason.length > 128) throw new SyncArgumentError("reason must be 1..128 characters");
    const now = this.deps.now();
    const env = signEnvelope(this.deps.identity, "threat", ++this.seq, body, now);
    this.deps.gate.remember(env, now);
    this.apply(env, now);
    this.deps.send(env);
    return env;
  }

  /** A decoded envelope from the wire. */
  receive(env: SignedEnvelope<ThreatBody>): ThreatOutcome {
    const now = this.deps.now();
    if (env.body.ttlSecs > this.deps.maxTtlSecs) return this.reject(env, "malformed");
    const reason = this.deps.gate.admit(env, now);
    if (reason) return this.reject(env, reason);
    if (env.body.action === "block" && env.ts + env.body.ttlSecs * 1000 <= now) return this.reject(env, "expired");
    this.deps.metrics.accepted.labels("threat").inc();
    return { accepted: true, changed: this.apply(env, now) };
  }

  isBlocked(ip: string): boolean {
    return this.set.has(ip, this.deps.now());
  }

  /** Ends expired blocks at the sinks and forgets dead tags. Run periodically. */
  sweep(): void {
    const now = this.deps.now();
    for (const ip of [...this.present]) {
      if (!this.set.has(ip, now)) {
        this.present.delete(ip);
        for (const s of this.sinks) this.callSink(s, "unblock", ip, 0, "");
      }
    }
    this.set.prune(now, this.deps.maxTtlSecs * 1000);
    this.deps.metrics.blocklistSize.set(this.present.size);
  }

  private apply(env: SignedEnvelope<ThreatBody>, now: number): boolean {
    const b = env.body;
    const changed =
      b.action === "block"
        ? this.set.mergeOne(b.ip, { ts: env.ts, writer: env.node, op: "add", expiresAt: env.ts + b.ttlSecs * 1000, reason: b.reason })
        : this.set.mergeOne(b.ip, { ts: env.ts, writer: env.node, op: "remove", expiresAt: 0 });
    if (!changed) return false;
    const nowPresent = this.set.has(b.ip, now);
    if (nowPresent) {
      this.present.add(b.ip);
      const tag = this.set.tag(b.ip)!;
      for (const s of this.sinks) this.callSink(s, "block", b.ip, tag.expiresAt, `${tag.reason ?? "threat"} (from ${env.node})`);
      this.deps.logger.info({ ip: b.ip, from: env.node, reason: b.reason, until: tag.expiresAt }, "threat-intel block applied");
    } else if (this.present.delete(b.ip)) {
      for (const s of this.sinks) this.callSink(s, "unblock", b.ip, 0, "");
      this.deps.logger.info({ ip: b.ip, from: env.node }, "threat-intel block lifted");
    }
    this.deps.metrics.blocklistSize.set(this.present.size);
    return true;
  }

  private reject(env: SignedEnvelope, reason: RejectReason): ThreatOutcome {
    this.deps.metrics.rejected.labels("threat", reason).inc();
    this.deps.logger.warn({ from: env.node, nonce: env.nonce, reason }, "threat event rejected");
    return { accepted: false, reason };
  }

  private callSink(sink: Blocklist, op: "block" | "unblock", ip: string, until: number, reason: string): void {
    try {
      const r = op === "block" ? sink.block(ip, until, reason) : sink.unblock(ip);
      if (r && typeof (r as Promise<void>).catch === "function") {
        (r as Promise<void>).catch((err: unknown) => this.deps.logger.error({ err, ip, op }, "blocklist sink failed"));
      }
    } catch (err) {
      this.deps.logger.error({ err, ip, op }, "blocklist sink failed");
    }
  }
}
