import { expect } from "chai";
import type { EdgeRequest } from "../../node/src/phase.js";
import { GoodBotVerifier, assess } from "../../node/src/bots/score.js";
import { classifyUserAgent } from "../../node/src/bots/userAgent.js";
import { RateTracker } from "../../node/src/bots/rate.js";

const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

function req(headers: Array<[string, string]>, ip = "203.0.113.9", tls?: EdgeRequest["tls"]): EdgeRequest {
  const h: Record<string, string> = {};
  for (const [k, v] of headers) h[k.toLowerCase()] = v;
  return { id: "r1", zone: "shop.test", clientIp: ip, method: "GET", url: "/", httpVersion: "1.1", headers: h, rawHeaderNames: headers.map(([k]) => k), body: undefined, tls, receivedAt: Date.now() };
}

const cfg = { goodBots: [{ name: "googlebot", uaContains: "Googlebot", cidrs: ["66.249.64.0/19"] }], badFingerprints: new Set<string>(["t13d0000h1_bad"]), rateThreshold: 50 };
const verifier = new GoodBotVerifier(cfg.goodBots);

describe("bots: classification and scoring", () => {
  it("classifies user agents", () => {
    expect(classifyUserAgent(CHROME)).to.deep.equal({ cls: "browser", product: "chrome" });
    expect(classifyUserAgent("curl/8.5.0").cls).to.equal("tool");
    expect(classifyUserAgent("python-requests/2.31").cls).to.equal("tool");
    expect(classifyUserAgent("sqlmap/1.7").cls).to.equal("scanner");
    expect(classifyUserAgent("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)").cls).to.equal("crawler");
    expect(classifyUserAgent("").cls).to.equal("empty");
  });

  it("scores a complete browser low and a curl-like client high", () => {
    const browser = assess(req([["Host", "shop.test"], ["User-Agent", CHROME], ["Accept", "text/html"], ["Accept-Language", "de"], ["Accept-Encoding", "gzip, br"]]), cfg, verifier, 1);
    expect(browser.score).to.be.below(20);
    const curl = assess(req([["Host", "shop.test"], ["User-Agent", "curl/8.5.0"], ["Accept", "*/*"]]), cfg, verifier, 1);
    expect(curl.score).to.be.at.least(60);
  });

  it("flags browser claims with missing headers, wrong order, non-browser TLS and known-bad fingerprints", () => {
    const fake = assess(req([["User-Agent", CHROME], ["Host", "shop.test"]], "203.0.113.9", { ja4: "t13d1311h1_aaaaaaaaaaaa_bbbbbbbbbbbb" }), cfg, verifier, 1);
    const names = fake.signals.map((s) => s.name);
    expect(names).to.include.members(["browser-headers-missing", "header-order", "ja4-browser-mismatch"]);
    expect(fake.score).to.be.at.least(60);
    const bad = assess(req([["Host", "x"], ["User-Agent", CHROME], ["Accept", "a"], ["Accept-Language", "b"], ["Accept-Encoding", "c"]], "203.0.113.9", { ja4: "t13d0000h1_bad" }), cfg, verifier, 1);
    expect(bad.signals.map((s) => s.name)).to.include("ja4-known-bad");
  });

  it("verifies good bots by IP range and punishes impostors", () => {
    const ua = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    const real = assess(req([["Host", "x"], ["User-Agent", ua]], "66.249.66.1"), cfg, verifier, 1);
    expect(real.verifiedBot).to.equal("googlebot");
    expect(real.score).to.equal(0);
    const fake = assess(req([["Host", "x"], ["User-Agent", ua]], "198.51.100.7"), cfg, verifier, 1);
    expect(fake.verifiedBot).to.equal(undefined);
    expect(fake.signals.map((s) => s.name)).to.include("bot-impostor");
    expect(fake.score).to.be.at.least(90);
  });

  it("adds the rate signal above the threshold", () => {
    const t = new RateTracker(10_000);
    let r = 0;
    for (let i = 0; i < 120; i++) r = t.hit("198.51.100.1", 1_000_000 + i);
    expect(r).to.equal(120);
    const a = assess(req([["Host", "x"], ["User-Agent", CHROME], ["Accept", "a"], ["Accept-Language", "b"], ["Accept-Encoding", "c"]]), cfg, verifier, r);
    expect(a.signals.map((s) => s.name)).to.include("rate");
    expect(t.hit("198.51.100.1", 1_000_000 + 25_000)).to.equal(1);
  });
});
