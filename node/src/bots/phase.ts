/**
 * The bot manager as an edge-node request phase. Scores each request, lets verified good bots
 * and clients holding a valid clearance cookie through, and per zone policy allows,
 * challenges (proof-of-work interstitial) or blocks. Serves the challenge verify path itself.
 * Every decision is logged and counted.
 */
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { CONTINUE, type EdgeRequest, type EdgeResponse, type RequestPhase, type Verdict } from "../phase.js";
import type { ZonePolicy } from "../policy/schema.js";
import {
  CLEARANCE_COOKIE, VERIFY_PATH, checkClearance, cookieValue, interstitialHtml, issueChallenge, issueClearance,
  verifySolution, type ChallengeConfig,
} from "./challenge.js";
import { BotMetrics } from "./metrics.js";
import { RateTracker } from "./rate.js";
import { GoodBotVerifier, assess, type ScoreConfig } from "./score.js";
import { BotError, type BotAction, type BotAssessment, type GoodBotRange } from "./types.js";

export interface BotManagerOptions {
  /** HMAC key for challenges and clearance cookies (≥ 32 bytes), from the node's config. */
  readonly key: Buffer;
  readonly difficulty?: number;
  readonly clearanceTtlSecs?: number;
  readonly challengeTtlSecs?: number;
  readonly goodBots?: readonly GoodBotRange[];
  readonly badFingerprints?: readonly string[];
  /** Requests per 10 s per client IP above which the rate signal fires. */
  readonly rateThreshold?: number;
  readonly logger?: Logger;
  readonly registry?: Registry;
}

export interface BotDecision {
  readonly requestId: string;
  readonly zone: string;
  readonly action: BotAction;
  readonly reason: string;
  readonly score: number;
  readonly enforced: boolean;
}

function html(status: number, body: string, requestId: string, extra: Record<string, string | string[]> = {}): EdgeResponse {
  return {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "x-request-id": requestId, ...extra },
    body: Buffer.from(body, "utf8"),
  };
}

function header(req: EdgeRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Only same-site relative paths are valid return targets (no open redirect). */
function safeReturn(r: string | null): string {
  if (!r || !r.startsWith("/") || r.startsWith("//") || r.startsWith("/\\") || /[\r\n]/.test(r)) return "/";
  return r;
}

export class BotRequestPhase implements RequestPhase {
  readonly name = "bots";
  readonly metrics: BotMetrics;
  private readonly challenge: ChallengeConfig;
  private readonly score: ScoreConfig;
  private readonly verifier: GoodBotVerifier;
  private readonly rate = new RateTracker();
  /** Test and audit hook: every decision. */
  onDecision?: (d: BotDecision) => void;

  constructor(private readonly opts: BotManagerOptions) {
    if (opts.key.length < 32) throw new BotError("AEGIS_ERR_BOT_CONFIG", "bot challenge key must be at least 32 bytes");
    this.challenge = {
      key: opts.key,
      difficulty: opts.difficulty ?? 16,
      challengeTtlSecs: opts.challengeTtlSecs ?? 300,
      clearanceTtlSecs: opts.clearanceTtlSecs ?? 3600,
    };
    this.score = {
      goodBots: opts.goodBots ?? [],
      badFingerprints: new Set(opts.badFingerprints ?? []),
      rateThreshold: opts.rateThreshold ?? 50,
    };
    this.verifier = new GoodBotVerifier(this.score.goodBots);
    this.metrics = new BotMetrics(opts.registry);
  }

  bindRegistry(registry: Registry): void {
    this.metrics.bindRegistry(registry);
  }

  onRequest(req: EdgeRequest, policy: ZonePolicy): Verdict {
    const mode = policy.bots.mode;
    if (mode === "off") return CONTINUE;
    const path = req.url.split("?")[0];
    if (path === VERIFY_PATH) return this.verify(req, policy);

    const ua = header(req, "user-agent") ?? "";
    const rate = this.rate.hit(req.clientIp, req.receivedAt || Date.now());
    const a = assess(req, this.score, this.verifier, rate);
    this.metrics.scores.labels(req.zone).observe(a.score);
    const cookie = cookieValue(req.headers["cookie"], CLEARANCE_COOKIE);
    const clearance = checkClearance(this.challenge, req.zone, ua, cookie);
    if (clearance !== "missing") this.metrics.clearance.labels(clearance).inc();

    let action: BotAction;
    let reason: string;
    if (a.verifiedBot) {
      action = "allow"; reason = `verified-bot:${a.verifiedBot}`;
    } else if (a.score >= policy.bots.blockAt) {
      action = "block"; reason = "score";
    } else if (clearance === "valid") {
      action = "allow"; reason = "clearance";
    } else if (a.score >= policy.bots.challengeAt) {
      action = "challenge"; reason = clearance === "missing" ? "score" : `score+clearance-${clearance}`;
    } else {
      action = "allow"; reason = "score";
    }
    const enforced = mode === "enforce";
    this.record(req, policy, action, reason, a, enforced, clearance);
    if (!enforced || action === "allow") return CONTINUE;
    if (action === "block") {
      return { kind: "respond", reason: "bot:block", response: html(403, `<!doctype html><title>Forbidden</title><p>Automated traffic is not allowed here.</p><p><small>Request id: ${req.id}</small></p>\n`, req.id) };
    }
    const c = issueChallenge(this.challenge, req.zone);
    return { kind: "respond", reason: "bot:challenge", response: html(403, interstitialHtml(c, req.url, req.id), req.id, { "x-aegis-challenge": "pow" }) };
  }

  private verify(req: EdgeRequest, policy: ZonePolicy): Verdict {
    const q = new URLSearchParams(req.url.slice(req.url.indexOf("?") + 1));
    const c = q.get("c") ?? "";
    const s = q.get("s") ?? "";
    const result = verifySolution(this.challenge, req.zone, c, s);
    this.metrics.verifications.labels(result).inc();
    const ua = header(req, "user-agent") ?? "";
    this.opts.logger?.info({ reqId: req.id, zone: req.zone, result }, "bot challenge verification");
    this.metrics.decisions.labels(req.zone, policy.bots.mode, result === "ok" ? "allow" : "challenge", `verify:${result}`).inc();
    this.onDecision?.({ requestId: req.id, zone: req.zone, action: result === "ok" ? "allow" : "challenge", reason: `verify:${result}`, score: -1, enforced: true });
    if (result !== "ok") {
      const fresh = issueChallenge(this.challenge, req.zone);
      return { kind: "respond", reason: "bot:challenge", response: html(403, interstitialHtml(fresh, safeReturn(q.get("r")), req.id), req.id, { "x-aegis-challenge": "pow" }) };
    }
    const cookie = issueClearance(this.challenge, req.zone, ua);
    const secure = req.tls ? "; Secure" : "";
    return {
      kind: "respond",
      reason: "bot:cleared",
      response: {
        status: 302,
        headers: {
          location: safeReturn(q.get("r")),
          "set-cookie": `${CLEARANCE_COOKIE}=${cookie}; Path=/; Max-Age=${this.challenge.clearanceTtlSecs}; HttpOnly; SameSite=Lax${secure}`,
          "cache-control": "no-store",
          "x-request-id": req.id,
        },
        body: Buffer.alloc(0),
      },
    };
  }

  private record(req: EdgeRequest, policy: ZonePolicy, action: BotAction, reason: string, a: BotAssessment, enforced: boolean, clearance: string): void {
    this.metrics.decisions.labels(req.zone, policy.bots.mode, action, reason).inc();
    this.opts.logger?.info(
      { reqId: req.id, zone: req.zone, mode: policy.bots.mode, action, enforced, reason, score: a.score, ua: a.ua, clearance, signals: a.signals, ja3: req.tls?.ja3, ja4: req.tls?.ja4 },
      "bot decision",
    );
    this.onDecision?.({ requestId: req.id, zone: req.zone, action, reason, score: a.score, enforced });
  }
}
