import { expect } from "chai";
import { readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sleep, startOrigin, startTestNode, tempDir, writePolicyFile, zoneFor, type TestOrigin } from "../helpers/edge.js";

async function until(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error("condition not met in time");
}

describe("node policies: TOML source, atomic apply, last known good", function () {
  this.timeout(30_000);
  let a: TestOrigin;
  let b: TestOrigin;
  const dirs: string[] = [];

  before(async () => {
    a = await startOrigin((_q, r) => r.end("origin-a"));
    b = await startOrigin((_q, r) => r.end("origin-b"));
  });
  after(async () => {
    await a.close();
    await b.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("applies an edited policy file (watch), with the version visible in /healthz", async () => {
    const edge = await startTestNode({ zones: [zoneFor("p.test", a)] });
    try {
      expect((await edge.get("/")).text).to.equal("origin-a");
      writePolicyFile(edge.policyFile, [zoneFor("p.test", b, { policyVersion: 2 })]);
      await until(async () => (await edge.get("/", { headers: { "cache-control": "no-cache" } })).text === "origin-b");
      const health = (await (await fetch(edge.node.metricsUrl + "/healthz")).json()) as { zones: Record<string, number> };
      expect(health.zones["p.test"]).to.equal(2);
    } finally {
      await edge.close();
    }
  });

  it("rejects a malformed policy and keeps the previous one", async () => {
    const edge = await startTestNode({ zones: [zoneFor("p.test", a, { policyVersion: 5 })] });
    try {
      // invalid origin URL: the zone update is rejected, the zone keeps serving with version 5
      writePolicyFile(edge.policyFile, [{ domain: "p.test", policyVersion: 6, origins: [{ url: "not a url" }] }]);
      await sleep(400);
      expect(edge.node.policies.get("p.test")?.policyVersion).to.equal(5);
      // unparseable TOML: the whole file is refused, nothing changes
      writeFileSync(edge.policyFile, "[[zones]\ndomain = ");
      await sleep(400);
      expect(edge.node.policies.get("p.test")?.policyVersion).to.equal(5);
      // an older version never replaces a newer one
      writePolicyFile(edge.policyFile, [zoneFor("p.test", b, { policyVersion: 4 })]);
      await sleep(400);
      expect(edge.node.policies.get("p.test")?.origins[0]?.url).to.equal(a.url);
      expect((await edge.get("/")).text).to.equal("origin-a");
      const m = await (await fetch(edge.node.metricsUrl + "/metrics")).text();
      const rejected = /aegis_policy_rejected_total\{source="toml"\} (\d+)/.exec(m);
      expect(Number(rejected?.[1])).to.be.greaterThanOrEqual(3);
    } finally {
      await edge.close();
    }
  });

  it("a bad zone does not block the good zones of the same update", async () => {
    const edge = await startTestNode({ zones: [zoneFor("good.test", a), zoneFor("bad.test", a)] });
    try {
      writePolicyFile(edge.policyFile, [zoneFor("good.test", b, { policyVersion: 2 }), { domain: "bad.test", policyVersion: 2, origins: [] }]);
      await until(async () => edge.node.policies.get("good.test")?.policyVersion === 2);
      expect(edge.node.policies.get("bad.test")?.policyVersion).to.equal(1);
      expect((await edge.get("/", { host: "bad.test" })).text).to.equal("origin-a");
    } finally {
      await edge.close();
    }
  });

  it("restarts with the source unavailable and serves the last known good policy", async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const first = await startTestNode({ zones: [zoneFor("lkg.test", a, { policyVersion: 3 })], dataDir });
    expect((await first.get("/")).text).to.equal("origin-a");
    await first.close();
    const lkg = JSON.parse(readFileSync(join(dataDir, "policies.lkg.json"), "utf8")) as { zones: { domain: string; policyVersion: number }[] };
    expect(lkg.zones.map((z) => [z.domain, z.policyVersion])).to.deep.equal([["lkg.test", 3]]);
    unlinkSync(join(dataDir, "zones.toml")); // the source is gone
    const second = await startTestNode({ zones: [], dataDir, skipPolicyWrite: true });
    try {
      const r = await second.get("/", { host: "lkg.test" });
      expect(r.status).to.equal(200);
      expect(r.text).to.equal("origin-a");
      expect(second.node.policies.get("lkg.test")?.policyVersion).to.equal(3);
    } finally {
      await second.close();
    }
  });

  it("an unknown host gets 421 with a stable error code", async () => {
    const edge = await startTestNode({ zones: [zoneFor("p.test", a)] });
    try {
      const r = await edge.get("/", { host: "nobody.test" });
      expect(r.status).to.equal(421);
      expect(JSON.parse(r.text).error.code).to.equal("AEGIS_ERR_ZONE_NOT_FOUND");
      expect(r.headers["x-request-id"]).to.be.a("string");
    } finally {
      await edge.close();
    }
  });
});
