import { expect } from "chai";
import { randomBytes } from "node:crypto";
import {
  checkClearance, issueChallenge, issueClearance, leadingZeroBits, solveChallenge, verifySolution, type ChallengeConfig,
} from "../../node/src/bots/challenge.js";

const cfg: ChallengeConfig = { key: randomBytes(32), difficulty: 8, challengeTtlSecs: 60, clearanceTtlSecs: 120 };

describe("bots: proof-of-work challenge and clearance cookie", () => {
  it("accepts a solved challenge and rejects an unsolved one", () => {
    const c = issueChallenge(cfg, "shop.test");
    const s = solveChallenge(c);
    expect(verifySolution(cfg, "shop.test", c, s)).to.equal("ok");
    // A solution that does not reach the difficulty.
    let bad = 0;
    while (verifySolution(cfg, "shop.test", c, `x${bad}`) === "ok") bad++;
    expect(verifySolution(cfg, "shop.test", c, `x${bad}`)).to.equal("insufficient-work");
  });

  it("rejects a tampered, foreign-zone or expired challenge", () => {
    const now = Math.floor(Date.now() / 1000);
    const c = issueChallenge(cfg, "shop.test", now);
    const s = solveChallenge(c);
    const tampered = c.replace(".8.", ".1.");
    expect(verifySolution(cfg, "shop.test", tampered, s)).to.equal("bad-signature");
    expect(verifySolution(cfg, "other.test", c, s)).to.equal("wrong-zone");
    expect(verifySolution(cfg, "shop.test", c, s, now + 61)).to.equal("expired");
    expect(verifySolution({ ...cfg, key: randomBytes(32) }, "shop.test", c, s)).to.equal("bad-signature");
  });

  it("clearance cookies are bound to zone and client, expire, and cannot be forged", () => {
    const now = Math.floor(Date.now() / 1000);
    const cookie = issueClearance(cfg, "shop.test", "curl/8.5.0", now);
    expect(checkClearance(cfg, "shop.test", "curl/8.5.0", cookie, now)).to.equal("valid");
    expect(checkClearance(cfg, "shop.test", "curl/8.5.0", cookie, now + 121)).to.equal("expired");
    expect(checkClearance(cfg, "shop.test", "Wget/1.21", cookie, now)).to.equal("wrong-client");
    expect(checkClearance(cfg, "x.test", "curl/8.5.0", cookie, now)).to.equal("wrong-zone");
    const parts = cookie.split(".");
    parts[parts.length - 3] = String(now + 999_999);
    expect(checkClearance(cfg, "shop.test", "curl/8.5.0", parts.join("."), now)).to.equal("forged");
    expect(checkClearance(cfg, "shop.test", "curl/8.5.0", "v1.shop.test.9999999999.abc.AAAA", now)).to.equal("forged");
    expect(checkClearance(cfg, "shop.test", "curl/8.5.0", undefined, now)).to.equal("missing");
  });

  it("counts leading zero bits", () => {
    expect(leadingZeroBits(Buffer.from([0, 0, 0x80]))).to.equal(16);
    expect(leadingZeroBits(Buffer.from([0x0f]))).to.equal(4);
    expect(leadingZeroBits(Buffer.from([0, 1]))).to.equal(15);
  });
});
