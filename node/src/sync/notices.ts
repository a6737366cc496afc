/**
 * Zone notices: cache purges and policy changes that every node serving the zone must hear.
 * Notices are signed like threat events; a publisher must be trusted and (when the directory
 * knows its zones) serve the zone. Subscribers: the cache registers a purge handler, the policy
 * store a policy-change handler (it then re-reads the policy from its source of truth).
 */
import type { Logger } from "pino";
import type { NodeIdentity } from "../identity.js";
import { signEnvelope, noticeBodySchema } from "./envelope.js";
import { SyncArgumentError } from "./errors.js";
import type { EventGate } from "./event-gate.js";
import type { SyncMetrics } from "./metrics.js";
import type { RejectReason, SignedEnvelope, Unsubscribe, ZoneNotice, ZoneNoticeBody } from "./types.js";

export type NoticeHandler = (notice: ZoneNotice) => void;

export class ZoneNotices {
  private readonly handlers = new Set<{ zone: string | undefined; fn: NoticeHandler }>();
  private seq = 0;

  constructor(
    private readonly deps: {
      readonly identity: NodeIdentity;
      readonly gate: EventGate;
      readonly metrics: SyncMetrics;
      readonly logger: Logger;
      readonly now: () => number;
      readonly send: (env: SignedEnvelope<ZoneNoticeBody>) => void;
      /** Zones this node serves; notices for other zones are ignored. */
      readonly servesZone: (zone: string) => boolean;
    },
  ) {}

  /** Hears verified notices for `zone` (or every served zone when omitted). */
  subscribe(fn: NoticeHandler, zone?: string): Unsubscribe {
    const h = { zone, fn };
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }

  publishPurge(zone: string, what: { all?: boolean; paths?: string[]; tags?: string[] }): SignedEnvelope<ZoneNoticeBody> {
    return this.publish({ type: "purge", zone, ...what });
  }

  publishPolicyChange(zone: string, policyVersion: number): SignedEnvelope<ZoneNoticeBody> {
    return this.publish({ type: "policy", zone, policyVersion });
  }

  private publish(body: ZoneNoticeBody): SignedEnvelope<ZoneNoticeBody> {
    const parsed = noticeBodySchema.safeParse(body);
    if (!parsed.success) throw new SyncArgumentError(`invalid notice: ${parsed.error.issues[0]?.message}`);
    if (parsed.data.type === "purge" && !parsed.data.all && !parsed.data.paths?.length && !parsed.data.tags?.length) {
      throw new SyncArgumentError("a purge names paths, tags or all");
    }
    const now = this.deps.now();
    const env = signEnvelope(this.deps.identity, "notice", ++this.seq, parsed.data as ZoneNoticeBody, now);
    this.deps.gate.remember(env, now);
    this.deliver(env, true);
    this.deps.send(env);
    return env;
  }

  receive(env: SignedEnvelope<ZoneNoticeBody>): { accepted: true } | { accepted: false; reason: RejectReason | "not_served" } {
    if (!this.deps.servesZone(env.body.zone)) return { accepted: false, reason: "not_served" };
    const reason = this.deps.gate.admit(env, this.deps.now(), env.body.zone);
    if (reason) {
      this.deps.metrics.rejected.labels("notice", reason).inc();
      this.deps.logger.warn({ from: env.node, zone: env.body.zone, reason }, "zone notice rejected");
      return { accepted: false, reason };
    }
    this.deps.metrics.accepted.labels("notice").inc();
    this.deliver(env, false);
    return { accepted: true };
  }

  private deliver(env: SignedEnvelope<ZoneNoticeBody>, local: boolean): void {
    const notice = { ...env.body, from: env.node, ts: env.ts, local } as ZoneNotice;
    for (const h of this.handlers) {
      if (h.zone !== undefined && h.zone !== env.body.zone) continue;
      try {
        h.fn(notice);
      } catch (err) {
        this.deps.logger.error({ err, zone: env.body.zone, type: env.body.type }, "zone notice handler failed");
      }
    }
  }
}
