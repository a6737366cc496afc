import { expect } from "chai";
import { DistributedRateLimiter } from "../../node/src/sync/rate-limiter.js";
import { RateLimitPhase } from "../../node/src/sync/phases.js";
import { decodeCounterMessage, encodeCounterMessage } from "../../node/src/sync/counter-codec.js";
import { zonePolicySchema } from "../../node/src/policy/schema.js";
import type { EdgeRequest } from "../../node/src/phase.js";

const zone = "shop.example";
const rule = { requests: 10, windowSecs: 60, burst: 2 };

function clock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

function limiter(id: string, now: () => number, nodesServing?: number): DistributedRateLimiter {
  const l = new DistributedRateLimiter({ nodeId: id, now, ...(nodesServing ? { nodesServing: () => nodesServing } : {}) });
  l.setIsolated(false);
  return l;
}

describe("sync: distributed rate limiter (single process)", () => {
  it("admits requests + burst per window, then refuses with the time left in the window", () => {
    const c = clock(1_700_000_050_000); // 10 s into a 60 s window (windows start at multiples of 60 000 ms)
    const l = limiter("a", c.now);
    const results = Array.from({ length: 15 }, () => l.check(zone, "192.0.2.7", rule));
    expect(results.filter((r) => r.allowed)).to.have.length(12);
    const refused = results[12]!;
    expect(refused.allowed).to.equal(false);
    expect(refused.retryAfterSecs).to.equal(50);
    expect(l.check(zone, "192.0.2.8", rule).allowed, "other client unaffected").to.equal(true);
    c.advance(50_000);
    expect(l.check(zone, "192.0.2.7", rule).allowed, "next window").to.equal(true);
  });

  it("counts what other nodes admitted (deltas through the wire codec)", () => {
    const c = clock();
    const a = limiter("a", c.now);
    const b = limiter("b", c.now);
    for (let i = 0; i < 8; i++) expect(a.check(zone, "192.0.2.1", rule).allowed).to.equal(true);
    for (const m of a.takeDeltas(0)) b.applyRemote(decodeCounterMessage(encodeCounterMessage(m)));
    const admitted = Array.from({ length: 10 }, () => b.check(zone, "192.0.2.1", rule)).filter((d) => d.allowed).length;
    expect(admitted).to.equal(4);
    expect(b.view(zone, "192.0.2.1", 60).perNode).to.deep.equal({ a: { p: 8, n: 0 }, b: { p: 4, n: 0 } });
  });

  it("refund gives an admission back, cluster-wide", () => {
    const c = clock();
    const a = limiter("a", c.now);
    const b = limiter("b", c.now);
    for (let i = 0; i < 12; i++) a.check(zone, "192.0.2.9", rule);
    a.refund(zone, "192.0.2.9", rule);
    for (const m of a.takeDeltas(0)) b.applyRemote(m);
    expect(b.view(zone, "192.0.2.9", 60).value).to.equal(11);
    expect(b.check(zone, "192.0.2.9", rule).allowed).to.equal(true);
    expect(b.check(zone, "192.0.2.9", rule).allowed).to.equal(false);
  });

  it("while isolated, admits at most its partition share of new requests", () => {
    const c = clock();
    const big = { requests: 90, windowSecs: 60, burst: 0 };
    const a = limiter("a", c.now, 3);
    a.setIsolated(true);
    const admitted = Array.from({ length: 90 }, () => a.check(zone, "192.0.2.3", big)).filter((d) => d.allowed).length;
    expect(admitted).to.equal(30);
    const last = a.check(zone, "192.0.2.3", big);
    expect(last.isolated).to.equal(true);
    a.setIsolated(false);
    expect(a.check(zone, "192.0.2.3", big).allowed, "full view again after healing").to.equal(true);
  });

  it("ignores entries for windows that are over and drops them on prune", () => {
    const c = clock();
    const a = limiter("a", c.now);
    const b = limiter("b", c.now);
    a.check(zone, "192.0.2.4", rule);
    const old = a.takeDeltas(0);
    c.advance(180_000);
    for (const m of old) expect(b.applyRemote(m)).to.equal(0);
    expect(a.prune()).to.equal(1);
    expect(a.slotCount).to.equal(0);
  });

  it("rejects malformed counter messages as a whole", () => {
    const bad = (o: unknown) => () => decodeCounterMessage(new TextEncoder().encode(JSON.stringify(o)));
    expect(bad({ v: 1, from: "a", sentAt: 1, zone, groups: [{ node: "a", entries: [["1.2.3.4", 60, 1, -5, 0]] }] })).to.throw(/bad entry/);
    expect(bad({ v: 2 })).to.throw(/version/);
    expect(() => decodeCounterMessage(new TextEncoder().encode("{"))).to.throw(/not JSON/);
  });

  it("RateLimitPhase answers 429 with Retry-After from the zone policy", async () => {
    const c = clock(1_700_000_070_000);
    const l = limiter("a", c.now);
    const phase = new RateLimitPhase(l);
    const policy = zonePolicySchema.parse({ domain: zone, policyVersion: 1, origins: [{ url: "http://127.0.0.1:1" }], rateLimit: { requests: 2, windowSecs: 60 } });
    const req = { id: "r", zone, clientIp: "198.51.100.2", method: "GET", url: "/", httpVersion: "1.1", headers: {}, rawHeaderNames: [], body: undefined, tls: undefined, receivedAt: 0 } satisfies EdgeRequest;
    expect((await phase.onRequest(req, policy)).kind).to.equal("continue");
    expect((await phase.onRequest(req, policy)).kind).to.equal("continue");
    const v = await phase.onRequest(req, policy);
    if (v.kind !== "respond") throw new Error("expected a response");
    expect(v.response.status).to.equal(429);
    expect(v.response.headers["retry-after"]).to.equal("30");
    const unlimited = zonePolicySchema.parse({ ...policy, rateLimit: { requests: 0 } });
    expect((await phase.onRequest(req, unlimited)).kind).to.equal("continue");
  });
});
