/**
 * Acceptance: bot management through a real edge node. A curl-like client is challenged on a
 * zone in challenge (enforce) mode; a client that solves the proof-of-work gets a clearance
 * cookie and is let through with it; a forged cookie is rejected; a verified crawler passes;
 * decisions show up in /metrics.
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { CLEARANCE_COOKIE, VERIFY_PATH, solveChallenge } from "../../node/src/bots/challenge.js";
import { BotRequestPhase, type BotDecision } from "../../node/src/bots/phase.js";
import { httpGet, startOrigin, startTestNode, zoneFor, type TestNode, type TestOrigin } from "../helpers/edge.js";

const CURL = { "user-agent": "curl/8.5.0", accept: "*/*" };

describe("bots: challenge, clearance and verified bots through the edge node", function () {
  this.timeout(60_000);
  let origin: TestOrigin;
  let edge: TestNode;
  const decisions: BotDecision[] = [];
  const bots = new BotRequestPhase({
    key: randomBytes(32),
    difficulty: 12,
    goodBots: [{ name: "googlebot", uaContains: "Googlebot", cidrs: ["127.0.0.0/8"] }],
  });
  bots.onDecision = (d) => decisions.push(d);

  before(async () => {
    origin = await startOrigin((_q, r) => r.end("origin says hi"));
    edge = await startTestNode({
      zones: [
        zoneFor("shop.test", origin, { cache: { enabled: false }, bots: { mode: "enforce", challengeAt: 60, blockAt: 95 } }),
        zoneFor("watch.test", origin, { cache: { enabled: false }, bots: { mode: "detect", challengeAt: 60, blockAt: 95 } }),
      ],
      config: { requestPhases: [bots] },
    });
    bots.bindRegistry(edge.node.metrics.registry);
  });
  after(async () => {
    await edge?.close();
    await origin?.close();
  });

  async function challengeFor(path: string): Promise<string> {
    const r = await edge.get(path, { headers: CURL });
    expect(r.status).to.equal(403);
    expect(r.headers["x-aegis-challenge"]).to.equal("pow");
    const m = /data-challenge="([^"]+)"/.exec(r.text);
    expect(m, "interstitial carries the challenge").to.not.equal(null);
    return m![1]!.replace(/&#(\d+);/g, (_x, d: string) => String.fromCharCode(Number(d)));
  }

  it("challenges a curl-like client and never contacts the origin for it", async () => {
    const before = origin.requests.length;
    await challengeFor("/products?id=7");
    expect(origin.requests.length).to.equal(before);
    expect(decisions.at(-1)).to.include({ action: "challenge", enforced: true });
  });

  it("lets a client that solved the proof-of-work through with its cookie, until it is forged", async () => {
    const c = await challengeFor("/products?id=7");
    const solution = solveChallenge(c);
    const v = await edge.get(`${VERIFY_PATH}?c=${encodeURIComponent(c)}&s=${solution}&r=${encodeURIComponent("/products?id=7")}`, { headers: CURL });
    expect(v.status).to.equal(302);
    expect(v.headers["location"]).to.equal("/products?id=7");
    const setCookie = String(v.headers["set-cookie"]);
    expect(setCookie).to.match(new RegExp(`^${CLEARANCE_COOKIE}=[^;]+; Path=/; Max-Age=\\d+; HttpOnly`));
    const cookie = setCookie.split(";")[0]!;

    const ok = await edge.get("/products?id=7", { headers: { ...CURL, cookie } });
    expect(ok.status).to.equal(200);
    expect(ok.text).to.equal("origin says hi");
    expect(decisions.at(-1)).to.include({ action: "allow", reason: "clearance" });
    // Not challenged again while the cookie is valid.
    expect((await edge.get("/other", { headers: { ...CURL, cookie } })).status).to.equal(200);

    // Forged: the expiry pushed forward without a new MAC, or a MAC from another key.
    const value = cookie.slice(CLEARANCE_COOKIE.length + 1).split(".");
    value[value.length - 3] = String(Number(value[value.length - 3]) + 86_400);
    const forged = `${CLEARANCE_COOKIE}=${value.join(".")}`;
    const f = await edge.get("/products?id=7", { headers: { ...CURL, cookie: forged } });
    expect(f.status).to.equal(403);
    expect(decisions.at(-1)).to.include({ action: "challenge", reason: "score+clearance-forged" });
    // The cookie is bound to the client that solved the challenge.
    const other = await edge.get("/products?id=7", { headers: { ...CURL, "user-agent": "Wget/1.21.4", cookie } });
    expect(other.status).to.equal(403);
  });

  it("rejects a wrong solution and a tampered challenge at the verify path", async () => {
    const c = await challengeFor("/");
    // At difficulty 12 a guess passes 1 time in 4096: a few guesses find a wrong one.
    let rejected = false;
    for (let wrong = 0; wrong < 20 && !rejected; wrong++) {
      const r = await edge.get(`${VERIFY_PATH}?c=${encodeURIComponent(c)}&s=w${wrong}`, { headers: CURL });
      rejected = r.status === 403 && decisions.at(-1)?.reason === "verify:insufficient-work";
    }
    expect(rejected).to.equal(true);
    const tampered = c.replace(/\.12\./, ".1.");
    const t = await edge.get(`${VERIFY_PATH}?c=${encodeURIComponent(tampered)}&s=0`, { headers: CURL });
    expect(t.status).to.equal(403);
    expect(decisions.at(-1)).to.include({ reason: "verify:bad-signature" });
  });

  it("lets a browser-like client and a verified crawler through; detect mode only logs", async () => {
    const browser = await edge.get("/", {
      headers: {
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        accept: "text/html", "accept-language": "en", "accept-encoding": "gzip",
      },
    });
    expect(browser.status).to.equal(200);
    const bot = await edge.get("/", { headers: { "user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" } });
    expect(bot.status).to.equal(200);
    expect(decisions.at(-1)).to.include({ action: "allow", reason: "verified-bot:googlebot" });
    const watched = await edge.get("/", { host: "watch.test", headers: CURL });
    expect(watched.status).to.equal(200);
    expect(decisions.at(-1)).to.include({ action: "challenge", enforced: false });
  });

  it("counts every decision in the node's /metrics", async () => {
    const m = await httpGet(`${edge.node.metricsUrl}/metrics`);
    expect(m.text).to.match(/aegis_bot_decisions_total\{zone="shop.test",mode="enforce",action="challenge",reason="score"\} \d+/);
    expect(m.text).to.match(/aegis_bot_clearance_cookies_total\{result="forged"\} [1-9]/);
    expect(m.text).to.match(/aegis_bot_challenge_verifications_total\{result="ok"\} 1/);
  });
});
