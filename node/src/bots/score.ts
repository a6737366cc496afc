/**
 * Bot score 0–100 from independent signals: what the UA claims, whether the headers look like
 * the browser it claims (presence and order), the TLS fingerprint, the request rate, and
 * whether a claimed crawler comes from its verified IP ranges.
 */
import { BlockList, isIPv6 } from "node:net";
import type { EdgeRequest } from "../phase.js";
import { classifyUserAgent } from "./userAgent.js";
import type { BotAssessment, BotSignal, GoodBotRange } from "./types.js";

export interface ScoreConfig {
  readonly goodBots: readonly GoodBotRange[];
  /** JA3 hashes / JA4 strings known to belong to attack tools: strong signal. */
  readonly badFingerprints: ReadonlySet<string>;
  /** Requests per 10 s above which the rate counts as anomalous. */
  readonly rateThreshold: number;
}

const UA_POINTS: Record<string, number> = { browser: 0, crawler: 40, tool: 65, scanner: 95, empty: 70, other: 45 };

export class GoodBotVerifier {
  private readonly lists: Array<{ bot: GoodBotRange; list: BlockList }>;
  constructor(bots: readonly GoodBotRange[]) {
    this.lists = bots.map((bot) => {
      const list = new BlockList();
      for (const c of bot.cidrs) {
        const [addr, bits] = c.split("/");
        const type = isIPv6(addr!) ? "ipv6" : "ipv4";
        if (bits === undefined) list.addAddress(addr!, type);
        else list.addSubnet(addr!, Number(bits), type);
      }
      return { bot, list };
    });
  }
  /** The bots the UA claims to be, and whether the IP verifies the claim. */
  check(ua: string, ip: string): { claimed?: string; verified: boolean } {
    const lua = ua.toLowerCase();
    for (const { bot, list } of this.lists) {
      if (!lua.includes(bot.uaContains.toLowerCase())) continue;
      let ok = false;
      try { ok = list.check(ip, isIPv6(ip) ? "ipv6" : "ipv4"); } catch { ok = false; }
      return { claimed: bot.name, verified: ok };
    }
    return { verified: false };
  }
}

function header(req: EdgeRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Header-set and header-order checks for clients claiming to be a browser. */
function browserHeaderSignals(req: EdgeRequest, product: string): BotSignal[] {
  const out: BotSignal[] = [];
  const missing = ["accept", "accept-language", "accept-encoding"].filter((h) => header(req, h) === undefined);
  if (missing.length) out.push({ name: "browser-headers-missing", points: 12 * missing.length, detail: missing.join(",") });
  const names = req.rawHeaderNames.map((n) => n.toLowerCase());
  if (req.httpVersion.startsWith("1") && names.length > 0 && names[0] !== "host") {
    out.push({ name: "header-order", points: 15, detail: "host is not the first header" });
  }
  const ua = names.indexOf("user-agent");
  const accept = names.indexOf("accept");
  if ((product === "chrome" || product === "edge" || product === "firefox" || product === "safari") && ua >= 0 && accept >= 0 && accept < ua && product !== "firefox" && product !== "safari") {
    out.push({ name: "header-order", points: 10, detail: "accept before user-agent" });
  }
  if (names.includes("connection") && header(req, "connection")?.toLowerCase() === "close" && product !== "") {
    out.push({ name: "connection-close", points: 5 });
  }
  return out;
}

export function assess(req: EdgeRequest, cfg: ScoreConfig, verifier: GoodBotVerifier, rate: number): BotAssessment {
  const uaText = header(req, "user-agent") ?? "";
  const ua = classifyUserAgent(uaText);
  const signals: BotSignal[] = [{ name: `ua-${ua.cls}`, points: UA_POINTS[ua.cls] ?? 45, detail: ua.product }];
  const claim = verifier.check(uaText, req.clientIp);
  if (claim.claimed) {
    if (claim.verified) return { score: 0, signals: [{ name: "verified-bot", points: 0, detail: claim.claimed }], ua, verifiedBot: claim.claimed };
    signals.push({ name: "bot-impostor", points: 50, detail: claim.claimed });
  }
  if (ua.cls === "browser") signals.push(...browserHeaderSignals(req, ua.product));
  const tls = req.tls;
  if (tls?.ja3 && cfg.badFingerprints.has(tls.ja3)) signals.push({ name: "ja3-known-bad", points: 60, detail: tls.ja3 });
  if (tls?.ja4 && cfg.badFingerprints.has(tls.ja4)) signals.push({ name: "ja4-known-bad", points: 60, detail: tls.ja4 });
  if (tls?.ja4 && ua.cls === "browser" && !/h2_/.test(tls.ja4.slice(0, 11))) {
    // Every current browser offers h2 in ALPN; a "browser" that does not is a library.
    signals.push({ name: "ja4-browser-mismatch", points: 25, detail: tls.ja4 });
  }
  if (rate > cfg.rateThreshold) {
    signals.push({ name: "rate", points: Math.min(40, Math.round((rate / cfg.rateThreshold - 1) * 20) + 15), detail: rate.toFixed(1) });
  }
  const score = Math.max(0, Math.min(100, signals.reduce((a, s) => a + s.points, 0)));
  return { score, signals, ua };
}
