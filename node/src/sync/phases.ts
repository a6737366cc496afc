/**
 * Request phases of the sync layer, for the early-request step of the proxy (before WAF and cache):
 * the threat-intelligence blocklist (403) and the distributed rate limit (429 + Retry-After).
 */
import { CONTINUE, type EdgeRequest, type RequestPhase, type Verdict } from "../phase.js";
import type { ZonePolicy } from "../policy/schema.js";
import type { MemoryBlocklist } from "./memory-blocklist.js";
import type { SyncMetrics } from "./metrics.js";
import type { DistributedRateLimiter } from "./rate-limiter.js";
import type { RateDecision } from "./types.js";

export class RateLimitPhase implements RequestPhase {
  readonly name = "rate-limit";

  constructor(
    private readonly limiter: DistributedRateLimiter,
    private readonly opts: {
      readonly metrics?: SyncMetrics;
      /** Hears every refusal (e.g. to report a client that keeps hammering as a threat). */
      readonly onLimited?: (req: EdgeRequest, decision: RateDecision) => void;
    } = {},
  ) {}

  onRequest(req: EdgeRequest, policy: ZonePolicy): Verdict {
    const rule = policy.rateLimit;
    if (rule.requests === 0) return CONTINUE;
    const d = this.limiter.check(policy.domain, req.clientIp, rule);
    this.opts.metrics?.decision(d.allowed, d.isolated);
    if (d.allowed) return CONTINUE;
    this.opts.onLimited?.(req, d);
    return {
      kind: "respond",
      reason: "rate-limited",
      response: {
        status: 429,
        headers: {
          "retry-after": String(d.retryAfterSecs),
          "ratelimit-limit": String(d.limit),
          "ratelimit-remaining": "0",
          "ratelimit-reset": String(d.retryAfterSecs),
          "content-type": "text/plain; charset=utf-8",
          "cache-control": "no-store",
        },
        body: Buffer.from("Too Many Requests\n"),
      },
    };
  }
}

export class ThreatBlockPhase implements RequestPhase {
  readonly name = "threat-blocklist";

  constructor(private readonly blocklist: MemoryBlocklist) {}

  onRequest(req: EdgeRequest): Verdict {
    const reason = this.blocklist.lookup(req.clientIp);
    if (reason === undefined) return CONTINUE;
    return {
      kind: "respond",
      reason: "threat-intel-blocked",
      response: {
        status: 403,
        headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
        body: Buffer.from("Forbidden\n"),
      },
    };
  }
}
