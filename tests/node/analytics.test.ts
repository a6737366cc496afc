import { expect } from "chai";
import { readFileSync, rmSync } from "node:fs";
import { connect, type NatsConnection } from "nats";
import { checkChain, decodeReport, emptyCounters, reportHash, REPORT_VERSION, signReport, verifyReport, type AnalyticsReport } from "../../node/src/analytics/report.js";
import { generateIdentity } from "../../node/src/identity.js";
import { startOrigin, startTestNode, zoneFor, type TestOrigin } from "../helpers/edge.js";

function report(seq: bigint, prevHash: Uint8Array, pub: Uint8Array, start = 1_000n * (seq + 1n)): AnalyticsReport {
  const c = emptyCounters();
  c.requests = 10n + seq;
  c.bytesOut = 12_345n;
  c.cacheHit = 7n;
  c.status[1] = 10n;
  c.latency[2] = 10n;
  return { version: REPORT_VERSION, nodePublicKey: pub, sequence: seq, prevHash, intervalStartMs: start, intervalEndMs: start + 1_000n, zones: new Map([["b.test", c], ["a.test", emptyCounters()]]) };
}

describe("node analytics reports: signed, canonical, hash-chained", function () {
  this.timeout(30_000);
  const id = generateIdentity();
  const sign = (m: Uint8Array) => id.sign(m);

  it("a report verifies with the node's public key and round-trips", () => {
    const bytes = signReport(report(0n, new Uint8Array(32), id.publicKey), sign);
    expect(verifyReport(bytes, id.publicKey)).to.equal(true);
    const d = decodeReport(bytes);
    expect([...d.report.zones.keys()]).to.deep.equal(["a.test", "b.test"]); // canonical order
    expect(d.report.zones.get("b.test")!.requests).to.equal(10n);
    expect(verifyReport(bytes, generateIdentity().publicKey)).to.equal(false);
  });

  it("flipping any single byte fails verification", () => {
    const bytes = signReport(report(0n, new Uint8Array(32), id.publicKey), sign);
    for (let i = 0; i < bytes.length; i++) {
      const t = Uint8Array.from(bytes);
      t[i]! ^= 0x01;
      expect(verifyReport(t, id.publicKey), `byte ${i}`).to.equal(false);
    }
  });

  it("detects a gap and a rewritten link in the hash chain", () => {
    const r0 = signReport(report(0n, new Uint8Array(32), id.publicKey), sign);
    const r1 = signReport(report(1n, reportHash(r0), id.publicKey), sign);
    const r2 = signReport(report(2n, reportHash(r1), id.publicKey), sign);
    expect(checkChain([r0, r1, r2])).to.deep.equal({ ok: true, last: 2n });
    const gap = checkChain([r0, r2]);
    expect(gap.ok).to.equal(false);
    expect(gap.ok === false && gap.problem).to.equal("sequence_gap");
    // a rewritten r1 (re-signed, so it verifies) breaks the link to r2
    const forged = signReport({ ...report(1n, reportHash(r0), id.publicKey), intervalEndMs: 2_500n }, sign);
    const broken = checkChain([r0, forged, r2]);
    expect(broken.ok === false && broken.problem).to.equal("hash_mismatch");
    const anchored = checkChain([r2], { hash: reportHash(r0), sequence: 1n });
    expect(anchored.ok === false && anchored.problem).to.equal("hash_mismatch");
  });

  describe("from a running node", () => {
    let origin: TestOrigin;
    let nc: NatsConnection | undefined;
    before(async () => {
      origin = await startOrigin((_q, r) => {
        r.setHeader("cache-control", "max-age=60");
        r.end("x".repeat(100));
      });
    });
    after(async () => {
      await origin.close();
      await nc?.close();
    });

    it("closes intervals into a chained, signed report log that survives a restart, and publishes to NATS", async () => {
      const natsUrl = process.env.AEGIS_TEST_NATS_URL;
      if (!natsUrl) throw new Error("AEGIS_TEST_NATS_URL must point at a nats-server with JetStream");
      const stream = `AEGIS_REPORTS_T${process.pid}_${Date.now()}`;
      const edge = await startTestNode({ zones: [zoneFor("an.test", origin)], config: { analytics: { intervalSecs: 3600, nats: { url: natsUrl, stream } } } });
      const address = edge.node.identity.address;
      await edge.get("/1");
      await edge.get("/1");
      await edge.get("/missing", { host: "other.test" }); // no zone: not counted
      const first = await edge.node.analytics.closeInterval();
      await edge.get("/2");
      const second = await edge.node.analytics.closeInterval();
      const d = decodeReport(first!);
      const c = d.report.zones.get("an.test")!;
      expect(c.requests).to.equal(2n);
      expect(c.cacheHit).to.equal(1n);
      expect(c.cacheMiss).to.equal(1n);
      expect(c.status[1]).to.equal(2n);
      expect(c.bytesOut).to.equal(200n);
      expect(d.report.zones.size).to.equal(1);
      expect(checkChain([first!, second!]).ok).to.equal(true);

      nc = await connect({ servers: natsUrl });
      const jsm = await nc.jetstreamManager();
      const info = await jsm.streams.info(stream);
      expect(info.state.messages).to.equal(2);
      const msg = await jsm.streams.getMessage(stream, { last_by_subj: `aegis.reports.${address}` });
      expect(Buffer.from(msg.data).equals(Buffer.from(second!))).to.equal(true);

      const dataDir = edge.dataDir;
      await edge.node.close(); // closes one more (final) interval
      const again = await startTestNode({ zones: [zoneFor("an.test", origin)], dataDir, config: { analytics: { intervalSecs: 3600 } } });
      await again.get("/3");
      await again.node.analytics.closeInterval();
      await again.node.close();
      const lines = readFileSync(edge.node.analytics.path, "utf8").trim().split("\n").map((l) => Buffer.from(l, "base64"));
      expect(lines.length).to.equal(5);
      const chain = checkChain(lines);
      expect(chain).to.deep.equal({ ok: true, last: 4n });
      await jsm.streams.delete(stream);
      rmSync(dataDir, { recursive: true, force: true });
    });
  });
});
