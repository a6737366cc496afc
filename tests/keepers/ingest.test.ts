/**
 * Ingest through localnet and a real nats-server: reports signed with the edge node's own code are
 * verified against the node's on-chain identity and status; forged, replayed, out-of-order,
 * unknown-node and deactivated-node reports are refused and counted by reason; accepted reports
 * and chain heads survive a restart (files, and Redis).
 */
import { expect } from "chai";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { Redis } from "ioredis";
import { connect } from "nats";
import { Keypair } from "@solana/web3.js";
import { registry, registryProgram } from "../../sdk/src/index.js";
import { NatsReportPublisher } from "../../node/src/analytics/publisher.js";
import { emptyCounters, REPORT_VERSION, signReport } from "../../node/src/analytics/report.js";
import { generateIdentity } from "../../node/src/identity.js";
import { validateConfig } from "../../keepers/src/config.js";
import { startKeeper, type KeeperHandle } from "../../keepers/src/keeper.js";
import { startLocalnet, type Localnet } from "../helpers/localnet.js";
import { aegis, bootstrapProtocol, type Protocol } from "../protocol/setup.js";
import { addNode, chainNow, natsService, redisService, ReportSigner, tempDir, until, type Service, type TestNode, removeTempDirs } from "./helpers.js";

const log = pino({ level: process.env.AEGIS_TEST_LOG ?? "silent" });
const uniq = () => Math.random().toString(36).slice(2, 8).toUpperCase();

describe("keeper ingest (localnet + nats-server)", function () {
  this.timeout(120_000);
  let net: Localnet;
  let proto: Protocol;
  let nats: Service;
  let redis: Service;
  let nats2: Service | undefined;
  let good: TestNode;
  let deactivated: TestNode;
  let t0: number;
  const stream = `KRPT_${uniq()}`;
  const probeStream = `KPRB_${uniq()}`;
  let dataDir: string;
  let keeper: KeeperHandle | undefined;
  const signer = () => new ReportSigner(good.identity);
  let chain: ReportSigner;
  const published: Uint8Array[] = [];

  const config = (over: Record<string, unknown> = {}) =>
    validateConfig({ name: "ingest-test", roles: ["ingest"], rpcUrl: net.rpcUrl, dataDir, nodeCacheMs: 0, http: { listen: "127.0.0.1:0" }, nats: { url: nats.url, reportStream: stream, probeStream, durable: "ingest-a" }, ...over });
  const rejected = (reason: string) => keeper!.metrics.value("keeper_reports_rejected_total", { reason });
  const accepted = () => keeper!.metrics.value("keeper_reports_accepted_total");

  before(async () => {
    dataDir = tempDir();
    [net, nats, redis] = await Promise.all([startLocalnet(), natsService(), redisService()]);
    proto = await bootstrapProtocol(net, { token: { epochLengthSecs: 3_600 }, staking: { minStake: aegis(1_000) } });
    good = await addNode(net, proto, { region: "eu-west", activate: true });
    deactivated = await addNode(net, proto, { region: "eu-west", activate: false });
    await registry.deactivateNode(registryProgram(net.provider(deactivated.operator)), { operator: deactivated.operator.publicKey, node: deactivated.node }).rpc();
    t0 = (await chainNow(net)) * 1000 + 1_000;
    chain = signer();
  });
  after(async () => {
    await keeper?.stop();
    await net?.stop();
    await nats?.stop();
    await redis?.stop();
    await nats2?.stop();
    removeTempDirs();
  });

  it("accepts a node's chain; refuses forged, replayed, out-of-order, unknown-node, deactivated-node, broken-chain and malformed reports, each counted by reason", async () => {
    keeper = await startKeeper(config(), { log, manual: true });
    const pub = new NatsReportPublisher(nats.url, stream, log);
    for (let i = 0; i < 3; i++) {
      const r = chain.next(t0 + i * 10_000, t0 + (i + 1) * 10_000, 100n + BigInt(i), 10_000n * BigInt(i + 1));
      published.push(r);
      await pub.publish(r, { nodeAddress: good.identity.address, sequence: BigInt(i) });
    }
    // What an attacker sends goes straight to JetStream, with its own message ids.
    const nc = await connect({ servers: nats.url });
    const js = nc.jetstream();
    const send = (bytes: Uint8Array, id: string) => js.publish(`aegis.reports.${good.identity.address}`, bytes, { msgID: id });
    // Forged: claims the good node's key, signed by another key.
    const other = generateIdentity();
    const c = emptyCounters();
    c.requests = 1_000_000n;
    c.bytesOut = 10n ** 12n;
    const forged = signReport(
      { version: REPORT_VERSION, nodePublicKey: good.identity.publicKey, sequence: 3n, prevHash: chain.prevHash, intervalStartMs: BigInt(t0 + 30_000), intervalEndMs: BigInt(t0 + 40_000), zones: new Map([["shop.example.com", c]]) },
      (m) => other.sign(m),
    );
    await send(forged, "forged");
    await send(published[1]!, "replay-of-1");
    // Out of order: sequence 7 while 3 is next.
    const ahead = signer();
    ahead.sequence = 7n;
    await send(ahead.next(t0 + 70_000, t0 + 80_000, 1n, 1n), "ahead-7");
    // Unknown node: a valid signature by a key with no NodeV0.
    await send(new ReportSigner(generateIdentity()).next(t0, t0 + 10_000, 5n, 500n), "unknown");
    // Deactivated node (registered, then deactivate_node: Exited).
    await send(new ReportSigner(deactivated.identity).next(t0, t0 + 10_000, 5n, 500n), "deactivated");
    // Broken chain: the right next sequence, signed by the node, naming another previous report.
    const fork = signer();
    fork.sequence = 3n;
    fork.prevHash = new Uint8Array(32).fill(7);
    await send(fork.next(t0 + 30_000, t0 + 40_000, 9n, 9n), "fork-3");
    await send(new Uint8Array([1, 2, 3, 4]), "garbage");
    await nc.drain();
    await pub.close();

    await until("all 10 messages processed", async () => (await accepted()) + (await keeper!.metrics.value("keeper_reports_rejected_total")) >= 10);
    expect(await accepted()).to.equal(3);
    for (const reason of ["forged", "replayed", "out_of_order", "unknown_node", "deactivated", "broken_chain", "malformed"]) {
      expect(await rejected(reason), reason).to.equal(1);
    }
    const stored = await keeper.store.reports(0);
    expect(stored.map((r) => r.sequence)).to.deep.equal([0n, 1n, 2n]);
    expect(stored.reduce((a, r) => a + r.bytes, 0n)).to.equal(60_000n);
    expect(stored.every((r) => r.node === good.node.toBase58())).to.equal(true);
    // The broken chain is fraud evidence, recorded for the slasher.
    const pending = join(dataDir, "evidence", "pending");
    await until("evidence file", async () => existsSync(pending) && readdirSync(pending).length === 1);
    const ev = JSON.parse(readFileSync(join(pending, readdirSync(pending)[0]!), "utf8")) as { kind: string; node: string };
    expect(ev.kind).to.equal("broken_chain");
    expect(ev.node).to.equal(good.node.toBase58());
    // /metrics exposes the counters by reason.
    const text = await (await fetch(`${keeper.url}/metrics`)).text();
    expect(text).to.match(/keeper_reports_rejected_total\{reason="forged"\} 1/);
    expect(text).to.match(/keeper_reports_accepted_total 3/);
  });

  it("HTTP intake (embedded mode): the next report is accepted, a re-post is a duplicate, a forged one gets 422 with its reason", async () => {
    const r3 = chain.next(t0 + 30_000, t0 + 40_000, 50n, 5_000n);
    published.push(r3);
    const post = (b: Uint8Array) => fetch(`${keeper!.url}/reports`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: Buffer.from(b) });
    const a = await post(r3);
    expect(a.status).to.equal(202);
    expect(await a.json()).to.deep.equal({ result: "accepted" });
    const b = await post(r3);
    expect(await b.json()).to.deep.equal({ result: "duplicate" });
    const bad = Buffer.from(r3);
    bad.writeUInt8(bad.readUInt8(bad.length - 1) ^ 1, bad.length - 1);
    const c = await post(bad);
    expect(c.status).to.equal(422);
    expect(((await c.json()) as { reason: string }).reason).to.equal("forged");
    expect(await rejected("forged")).to.equal(2);
    expect(await rejected("replayed")).to.equal(1);
  });

  it("restart: the heads come back from the data dir, the durable consumer resumes, nothing is counted twice", async () => {
    await keeper!.stop();
    keeper = await startKeeper(config(), { log, manual: true });
    expect(keeper.store.head(good.node.toBase58())!.sequence).to.equal(3n);
    const pub = new NatsReportPublisher(nats.url, stream, log);
    const r4 = chain.next(t0 + 40_000, t0 + 50_000, 60n, 6_000n);
    await pub.publish(r4, { nodeAddress: good.identity.address, sequence: 4n });
    await pub.close();
    await until("r4 accepted", async () => (await accepted()) === 1);
    // A fresh process: nothing from before was re-counted (the consumer had acked it all).
    expect(await keeper.metrics.value("keeper_reports_rejected_total")).to.equal(0);
    expect((await keeper.store.reports(0)).map((r) => r.sequence)).to.deep.equal([0n, 1n, 2n, 3n, 4n]);
  });

  it("the Redis store: accepted reports and heads are in Redis and survive a restart", async () => {
    await keeper!.stop();
    const prefix = `aegis:test:${uniq()}`;
    nats2 = await natsService();
    const dir = tempDir();
    const cfg = () => config({ dataDir: dir, redis: { url: redis.url, prefix }, nats: { url: nats2!.url, reportStream: stream, probeStream, durable: "ingest-redis" } });
    keeper = await startKeeper(cfg(), { log, manual: true });
    const other = await addNode(net, proto, { region: "us-east", activate: true });
    const s = new ReportSigner(other.identity);
    const pub = new NatsReportPublisher(nats2!.url, stream, log);
    await pub.publish(s.next(t0, t0 + 10_000, 7n, 700n), { nodeAddress: other.identity.address, sequence: 0n });
    await until("first accepted", async () => (await accepted()) === 1);
    await keeper.stop();
    keeper = await startKeeper(cfg(), { log, manual: true });
    expect(keeper.store.head(other.node.toBase58())?.sequence).to.equal(0n);
    await pub.publish(s.next(t0 + 10_000, t0 + 20_000, 8n, 800n), { nodeAddress: other.identity.address, sequence: 1n });
    await pub.close();
    await until("second accepted", async () => (await accepted()) === 1);
    const r = new Redis(redis.url);
    expect(await r.llen(`${prefix}:ingest-test:reports:0`)).to.equal(2);
    await r.quit();
    expect((await keeper.store.reports(0)).map((x) => x.requests)).to.deep.equal([7n, 8n]);
  });
});
