/**
 * The WAF as edge-node phases: `WafRequestPhase` runs CRS phases 1–2 on the request and, in
 * block mode, answers 403 with the request id; `WafResponsePhase` runs phases 3–4 (data
 * leakage rules) when the zone enables responseRules. Zone policy decides mode, paranoia,
 * threshold and exclusions per request; the compiled rule set is shared.
 */
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { CONTINUE, type EdgeRequest, type EdgeResponse, type RequestPhase, type ResponsePhase, type Verdict } from "../phase.js";
import type { ZonePolicy } from "../policy/schema.js";
import { WafMetrics } from "./metrics.js";
import type { Ruleset } from "./ruleset.js";
import { Transaction } from "./transaction.js";
import { DEFAULT_LIMITS, type EngineLimits, type Interruption, type RuleMatch, type WafRequest } from "./types.js";

export interface WafDecision {
  readonly requestId: string;
  readonly zone: string;
  readonly side: "request" | "response";
  readonly mode: "detect" | "block";
  readonly blocked: boolean;
  readonly status?: number;
  readonly ruleIds: readonly number[];
  readonly matches: readonly RuleMatch[];
  readonly anomalyScore: number;
}

export interface WafPhaseOptions {
  readonly ruleset: Ruleset;
  readonly logger?: Logger;
  readonly registry?: Registry;
  readonly limits?: EngineLimits;
  /** Called with every decision that matched at least one rule (tests, audit sinks). */
  readonly onDecision?: (d: WafDecision) => void;
}

/** EdgeRequest → the engine's view: header names with their case, in the client's order. */
export function toWafRequest(req: EdgeRequest): WafRequest {
  const headers: Array<[string, string]> = [];
  const seen = new Set<string>();
  const order = req.rawHeaderNames.length > 0 ? req.rawHeaderNames : Object.keys(req.headers);
  for (const name of order) {
    const ln = name.toLowerCase();
    if (seen.has(ln)) continue;
    seen.add(ln);
    const v = req.headers[ln];
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) headers.push([name, one]);
  }
  for (const [ln, v] of Object.entries(req.headers)) {
    if (seen.has(ln) || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) headers.push([ln, one]);
  }
  return {
    id: req.id, method: req.method, uri: req.url, protocol: `HTTP/${req.httpVersion}`, headers,
    remoteAddr: req.clientIp, serverName: req.zone, body: req.body,
  };
}

export function blockResponse(requestId: string, status: number): EdgeResponse {
  const body = Buffer.from(
    `Request blocked by the web application firewall.\nRequest id: ${requestId}\n`,
    "utf8",
  );
  return {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "x-request-id": requestId },
    body,
  };
}

class WafCore {
  readonly metrics: WafMetrics;
  readonly txByRequest = new WeakMap<EdgeRequest, Transaction>();

  constructor(readonly opts: WafPhaseOptions) {
    this.metrics = new WafMetrics(opts.registry);
  }

  newTransaction(req: EdgeRequest, policy: ZonePolicy): Transaction {
    const pl = String(policy.waf.paranoia);
    return new Transaction(this.opts.ruleset, toWafRequest(req), {
      mode: policy.waf.mode === "block" ? "block" : "detect",
      limits: this.opts.limits ?? DEFAULT_LIMITS,
      txInit: {
        blocking_paranoia_level: pl,
        detection_paranoia_level: pl,
        // CRS 3.x names of the same settings
        paranoia_level: pl,
        executing_paranoia_level: pl,
        inbound_anomaly_score_threshold: String(policy.waf.inboundThreshold),
        outbound_anomaly_score_threshold: String(policy.waf.outboundThreshold ?? 4),
        ...(policy.waf.allowedMethods ? { allowed_methods: policy.waf.allowedMethods.join(" ") } : {}),
      },
      excludedIds: policy.waf.excludedRuleIds,
      excludedTags: policy.waf.excludedTags,
      responseBodyInspection: policy.waf.responseRules,
    });
  }

  report(req: EdgeRequest, policy: ZonePolicy, t: Transaction, side: "request" | "response", i: Interruption | undefined, seconds: number): void {
    const mode = policy.waf.mode === "block" ? "block" : "detect";
    this.metrics.evalSeconds.labels(side).observe(seconds);
    const blocked = i !== undefined && mode === "block";
    const outcome = blocked ? "blocked" : t.matches.length > 0 ? "detected" : "pass";
    this.metrics.decisions.labels(req.zone, mode, outcome).inc();
    if (t.matches.length === 0) return;
    for (const m of t.matches) this.metrics.ruleMatches.labels(String(m.id)).inc();
    const ruleIds = t.matches.map((m) => m.id);
    const score = Number(t.tx_("blocking_inbound_anomaly_score") ?? t.tx_("inbound_anomaly_score") ?? 0) || 0;
    const decision: WafDecision = {
      requestId: req.id, zone: req.zone, side, mode, blocked, status: blocked ? i!.status : undefined, ruleIds,
      matches: t.matches, anomalyScore: score,
    };
    this.opts.logger?.warn(
      { reqId: req.id, zone: req.zone, side, mode, blocked, score, rules: t.matches.map(summarize) },
      blocked ? "waf blocked request" : "waf rules matched",
    );
    this.opts.onDecision?.(decision);
  }
}

function summarize(m: RuleMatch): { id: number; msg?: string; var?: string } {
  return { id: m.id, msg: m.msg, var: m.matchedVar };
}

export class WafRequestPhase implements RequestPhase {
  readonly name = "waf";
  private readonly core: WafCore;

  constructor(opts: WafPhaseOptions) {
    this.core = new WafCore(opts);
  }

  /** Exposes the WAF metrics on the node's registry (call after startEdgeNode). */
  bindRegistry(registry: Registry): void {
    this.core.metrics.bindRegistry(registry);
  }

  /** The response-side phase sharing this phase's per-request transactions. */
  responsePhase(): WafResponsePhase {
    return new WafResponsePhase(this.core);
  }

  onRequest(req: EdgeRequest, policy: ZonePolicy): Verdict {
    if (policy.waf.mode === "off") return CONTINUE;
    const start = process.hrtime.bigint();
    const t = this.core.newTransaction(req, policy);
    const i = t.runPhase(1) ?? t.runPhase(2);
    if (policy.waf.responseRules) this.core.txByRequest.set(req, t);
    this.core.report(req, policy, t, "request", i, Number(process.hrtime.bigint() - start) / 1e9);
    if (policy.waf.mode === "block" && (i || t.bodyTooLarge)) {
      const status = t.bodyTooLarge && !i ? 413 : (i?.status ?? 403);
      return { kind: "respond", response: blockResponse(req.id, status), reason: `waf:${i?.ruleId ?? "body-limit"}` };
    }
    return CONTINUE;
  }
}

export class WafResponsePhase implements ResponsePhase {
  readonly name = "waf-response";
  constructor(private readonly core: WafCore) {}

  onResponse(req: EdgeRequest, res: EdgeResponse, policy: ZonePolicy): EdgeResponse {
    if (policy.waf.mode === "off" || !policy.waf.responseRules) return res;
    const t = this.core.txByRequest.get(req) ?? this.core.newTransaction(req, policy);
    this.core.txByRequest.delete(req);
    const start = process.hrtime.bigint();
    const headers: Array<[string, string]> = [];
    for (const [k, v] of Object.entries(res.headers)) for (const one of Array.isArray(v) ? v : [v]) headers.push([k, one]);
    const i = t.runPhase(3, { status: res.status, protocol: `HTTP/${req.httpVersion}`, headers, body: res.body }) ?? t.runPhase(4);
    this.core.report(req, policy, t, "response", i, Number(process.hrtime.bigint() - start) / 1e9);
    if (i && policy.waf.mode === "block") return blockResponse(req.id, 403);
    return res;
  }
}
