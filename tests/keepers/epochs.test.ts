/**
 * Three oracle keepers as real child processes (`keepers/src/main.ts`), five report publishers
 * using the edge node's own signing and NATS publishing code, canary probes through a real edge
 * node (and through one "node" that alters bodies), three epochs on a warped localnet clock:
 * every root lands with a 2-of-3 quorum, every opted-in node's claim is paid, totals never exceed
 * the emissions; one oracle is SIGKILLed mid-epoch, quorum still lands, and after a restart it
 * catches up without submitting anything twice; the wrong-bytes node gets exactly one slash
 * proposal and healthy nodes none.
 */
import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { request } from "undici";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { ComputeBudgetProgram } from "@solana/web3.js";
import { claimMarkerKey, mintKey, registry, registryProgram, rewardEpochKey, rewardsProgram, stakeKey, stakingProgram, tokenProgram, emissionKey } from "../../sdk/src/index.js";
import { NatsReportPublisher } from "../../node/src/analytics/publisher.js";
import { canaryHandler } from "../../keepers/src/canary.js";
import { SLASH_NODE_OFFSET } from "../../keepers/src/slasher.js";
import { startLocalnet, type Localnet } from "../helpers/localnet.js";
import { freePort } from "../helpers/ports.js";
import { startOrigin, startTestNode, testLogger, zoneFor, type TestNode as EdgeNode, type TestOrigin } from "../helpers/edge.js";
import { aegis, bootstrapProtocol, type Protocol } from "../protocol/setup.js";
import {
  addNode,
  chainNow,
  getJson,
  metricValue,
  natsService,
  ReportSigner,
  spawnKeeper,
  tempDir,
  until,
  writeConfig,
  writeKeypair,
  type KeeperProcess,
  type Service,
  type TestNode,
  removeTempDirs,
} from "./helpers.js";

const EPOCH = 600;
const CANARY_HOST = "canary.aegis.test";
const PER_EPOCH = 2;
const REPORT_STREAM = "AEGIS_REPORTS";

interface Status {
  signer: string;
  store: { reports: Record<string, number>; probes: Record<string, number> };
  oracle?: { cursor: number; outcomes: Record<string, string> };
}

describe("keepers through three epochs (localnet, nats-server, 3 oracle processes, a real edge node)", function () {
  this.timeout(240_000);
  let net: Localnet;
  let proto: Protocol;
  let nats: Service;
  let origin: TestOrigin;
  let edge: EdgeNode;
  let liar: Server;
  let liarUrl: string;
  const secret = randomBytes(32).toString("hex");
  const publishers: TestNode[] = [];
  let bad: TestNode;
  let down: TestNode;
  const signers: ReportSigner[] = [];
  let pub: NatsReportPublisher;
  const dirs: string[] = [];
  const configs: string[] = [];
  const keepers: (KeeperProcess | undefined)[] = [];
  const urls: string[] = [];
  let genesis = 0;

  const start = async (i: number) => {
    const k = spawnKeeper(["--config", configs[i]!]);
    keepers[i] = k;
    urls[i] = await k.url;
    return k;
  };
  const status = (i: number) => getJson<Status>(`${urls[i]}/status`);
  const metrics = async (i: number) => (await fetch(`${urls[i]}/metrics`)).text();
  const rewardEpoch = (e: number) => rewardsProgram(net.provider(proto.admin)).account.rewardEpochV0.fetchNullable(rewardEpochKey(e)[0]);

  before(async () => {
    [net, nats] = await Promise.all([startLocalnet(), natsService()]);
    proto = await bootstrapProtocol(net, { token: { epochLengthSecs: EPOCH, breakerWindowSecs: EPOCH }, staking: { minStake: aegis(1_000) } });
    genesis = (await tokenProgram(net.provider(proto.admin)).account.tokenConfigV0.all())[0]!.account.genesisTs.toNumber();

    // The canary origin, a real edge node in front of it, and a "node" that alters every body.
    origin = await startOrigin(canaryHandler(secret));
    edge = await startTestNode({ zones: [zoneFor(CANARY_HOST, origin)] });
    liar = createServer((req, res) => {
      void request(origin.url + (req.url ?? "/"), { headers: { host: CANARY_HOST } }).then(async (r) => {
        const body = Buffer.from(await r.body.arrayBuffer());
        body[0] = body[0]! ^ 0xff;
        res.writeHead(r.statusCode, { "content-type": "application/octet-stream" });
        res.end(body);
      });
    });
    await new Promise<void>((r) => liar.listen(0, "127.0.0.1", r));
    liarUrl = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;

    const regions = ["eu-west", "eu-west", "us-east", "us-east", "eu-west"];
    for (const region of regions) publishers.push(await addNode(net, proto, { region, activate: true, autoClaim: true }));
    bad = await addNode(net, proto, { region: "eu-west", activate: true });
    down = await addNode(net, proto, { region: "us-east", activate: true });
    for (const p of publishers) signers.push(new ReportSigner(p.identity));

    // The canary zone on chain; the cranker of keeper 0 assigns nodes to it.
    const reg = registryProgram(net.provider(proto.admin));
    await registry
      .registerZone(reg, {
        owner: proto.admin.publicKey,
        domain: CANARY_HOST,
        policy: {
          origins: [{ url: origin.url, weight: 1 }],
          cache: { enabled: true, defaultTtlSecs: 60, honourOriginHeaders: true, staleWhileRevalidateSecs: 0, staleIfErrorSecs: 0 },
          waf: { mode: { off: {} }, paranoia: 1, inboundThreshold: 5, outboundThreshold: 4, responseRules: false, excludedRuleIds: [], excludedTags: [] },
          ddos: { sensitivity: 3 },
          rateLimit: { requests: 0, windowSecs: 60, burst: 0 },
          bots: { mode: { off: {} }, challengeAt: 50, blockAt: 90 },
        },
      })
      .rpc();

    const endpoints: Record<string, string> = {};
    for (const p of publishers) endpoints[p.node.toBase58()] = edge.node.httpUrl;
    endpoints[bad.node.toBase58()] = liarUrl;
    // Nothing listens there: every probe of this node fails for the whole epoch.
    endpoints[down.node.toBase58()] = `http://127.0.0.1:${await freePort()}`;
    const adminKey = writeKeypair(tempDir(), proto.admin, "admin");
    for (let i = 0; i < 3; i++) {
      const dir = tempDir(`aegis-oracle-${i}-`);
      dirs.push(dir);
      const roles = i === 0 ? ["ingest", "prober", "oracle", "slasher", "cranker"] : ["ingest", "prober", "oracle", "slasher"];
      configs.push(
        writeConfig(dir, {
          name: `oracle-${i}`,
          roles: roles as ("ingest" | "prober" | "oracle" | "slasher" | "cranker")[],
          logLevel: process.env.AEGIS_TEST_LOG ? "info" : "warn",
          rpcUrl: net.rpcUrl,
          keypair: writeKeypair(dir, proto.oracles[i]!, "oracle"),
          dataDir: join(dir, "data"),
          tickMs: 250,
          nodeCacheMs: 1_000,
          http: { listen: "127.0.0.1:0" },
          nats: { url: nats.url, reportStream: REPORT_STREAM, durable: `oracle-${i}`, ackWaitMs: 2_000 },
          probe: { endpoints, canaryHost: CANARY_HOST, canarySecret: secret, perEpoch: PER_EPOCH, timeoutMs: 3_000 },
          oracle: { fromEpoch: 0, graceSecs: 0 },
          slasher: { slashBps: 100, minProbesForDown: 3 },
          cranker: {
            autoClaim: "opted-in",
            concurrency: 3,
            retries: 3,
            backoffMs: 100,
            priorityFeeMicroLamports: 1_000,
            assignment: { keypair: adminKey, maxZonesPerNode: 4, zones: [{ domain: CANARY_HOST, regions: ["eu-west", "us-east"], replicas: 7 }] },
          },
        }),
      );
    }
    await Promise.all([0, 1, 2].map(start));
    pub = new NatsReportPublisher(nats.url, REPORT_STREAM, testLogger());
  });

  after(async () => {
    await pub?.close();
    await Promise.all(keepers.map((k) => k?.kill("SIGKILL")));
    await edge?.close();
    await origin?.close();
    await new Promise((r) => (liar ? liar.close(r) : r(undefined)));
    await net?.stop();
    await nats?.stop();
    removeTempDirs();
  });

  /** Each publisher sends two reports inside epoch `e` (chain time), through the node's NATS publisher. */
  const publishEpoch = async (e: number) => {
    const base = (genesis + e * EPOCH) * 1000;
    for (let k = 0; k < 2; k++) {
      for (let i = 0; i < signers.length; i++) {
        const s = signers[i]!;
        const seq = s.sequence;
        const r = s.next(base + 1_000 + k * 60_000, base + 60_000 + k * 60_000, BigInt(100 * (i + 1) + e), BigInt(1_000_000 * (i + 1)));
        await pub.publish(r, { nodeAddress: s.identity.address, sequence: seq });
      }
    }
  };

  /** Live keepers hold all 10 reports of epoch e and the same, complete set of probes. */
  const inputsIn = async (e: number, live: number[], probers: number) => {
    await until(`inputs of epoch ${e}`, async () => {
      const s = await Promise.all(live.map(status));
      const reports = s.map((x) => x.store.reports[e] ?? 0);
      const probes = s.map((x) => x.store.probes[e] ?? 0);
      return reports.every((r) => r === 10) && probes.every((p) => p >= 7 * PER_EPOCH * probers && p === probes[0]);
    }, 60_000, 250);
  };

  const warpPast = async (e: number) => {
    const now = await chainNow(net);
    const target = genesis + (e + 1) * EPOCH + 1;
    if (target > now) await net.warp({ seconds: target - now });
  };

  const accepted = (e: number) => until(`root of epoch ${e} accepted`, async () => ((await rewardEpoch(e))?.acceptedAt.toNumber() ?? 0) > 0 && (await rewardEpoch(e)), 60_000, 250);

  const claimsDone = (e: number) =>
    until(`5 claims of epoch ${e}`, async () => {
      const marks = await Promise.all(publishers.map((p) => net.connection.getAccountInfo(claimMarkerKey(e, p.node)[0])));
      return marks.every(Boolean);
    }, 60_000, 250);

  it("the cranker assigns all seven active nodes to the canary zone by region", async () => {
    await until("7 assignments", async () => (await registryProgram(net.provider(proto.admin)).account.assignmentV0.all()).length === 7, 60_000, 250);
  });

  it("epoch 0: reports and probes in, 2-of-3 root accepted, all five opted-in nodes claimed by the cranker", async () => {
    await publishEpoch(0);
    await inputsIn(0, [0, 1, 2], 3);
    await warpPast(0);
    const re = (await accepted(0))!;
    expect(re.submissions.length).to.be.within(2, 3);
    await claimsDone(0);
    // Every oracle finished epoch 0 (submitted, or found it accepted and agreed).
    await until("every cursor past epoch 0", async () => (await Promise.all([0, 1, 2].map(status))).every((s) => s.oracle!.cursor >= 1));
  });

  it("the wrong-bytes node gets exactly one slash proposal with its evidence; healthy nodes none", async () => {
    const st = stakingProgram(net.provider(proto.admin));
    const proposals = await until("a proposal against the wrong-bytes node", async () => {
      const p = await st.account.slashProposalV0.all([{ memcmp: { offset: SLASH_NODE_OFFSET, bytes: bad.node.toBase58() } }]);
      return p.length ? p : undefined;
    });
    expect(proposals).to.have.length(1);
    const p = proposals[0]!.account;
    expect(p.reason).to.equal(2);
    expect(Object.keys(p.status)[0]).to.equal("pending");
    const stake = await st.account.stakeV0.fetch(stakeKey(bad.operator.publicKey)[0]);
    expect(p.amount.toString()).to.equal(((BigInt(stake.amount.toString()) * 100n) / 10_000n).toString());
    // The URI names the evidence document; its sha256 is the on-chain evidence hash.
    const cid = p.evidenceUri.replace("ipfs://", "");
    const docPath = dirs.map((d) => join(d, "data", "evidence", `${cid}.json`)).find(existsSync);
    expect(docPath, "evidence document").to.be.a("string");
    const doc = readFileSync(docPath!);
    expect(createHash("sha256").update(doc).digest("hex")).to.equal(Buffer.from(p.evidenceHash).toString("hex"));
    const ev = JSON.parse(doc.toString()) as { kind: string; node: string; facts: { probe: { result: { outcome: string; expectedSha256: string; gotSha256: string } } } };
    expect(ev.kind).to.equal("wrong_bytes");
    expect(ev.node).to.equal(bad.node.toBase58());
    expect(ev.facts.probe.result.outcome).to.equal("wrong_bytes");
    expect(ev.facts.probe.result.gotSha256).to.not.equal(ev.facts.probe.result.expectedSha256);
    for (const h of publishers) {
      expect(await st.account.slashProposalV0.all([{ memcmp: { offset: SLASH_NODE_OFFSET, bytes: h.node.toBase58() } }])).to.have.length(0);
    }
  });

  it("a node assigned but down for all of epoch 0 gets exactly one downtime proposal (reason 1)", async () => {
    const st = stakingProgram(net.provider(proto.admin));
    const proposals = await until("a downtime proposal", async () => {
      const p = await st.account.slashProposalV0.all([{ memcmp: { offset: SLASH_NODE_OFFSET, bytes: down.node.toBase58() } }]);
      return p.length ? p : undefined;
    });
    await new Promise((r) => setTimeout(r, 1_000)); // the other slashers had their chance to duplicate it
    expect(await st.account.slashProposalV0.all([{ memcmp: { offset: SLASH_NODE_OFFSET, bytes: down.node.toBase58() } }])).to.have.length(1);
    expect(proposals[0]!.account.reason).to.equal(1);
    const cid = proposals[0]!.account.evidenceUri.replace("ipfs://", "");
    const docPath = dirs.map((d) => join(d, "data", "evidence", `${cid}.json`)).find(existsSync)!;
    const ev = JSON.parse(readFileSync(docPath, "utf8")) as { kind: string; epoch: number; facts: { failed: number } };
    expect(ev).to.deep.include({ kind: "down_epoch", epoch: 0 });
    expect(ev.facts.failed).to.be.at.least(3);
  });

  it("epoch 1: one oracle SIGKILLed mid-epoch; the other two land the root; restarted, it catches up without a second submission", async () => {
    // The clock is already in epoch 1 (warped past epoch 0 above).
    await publishEpoch(1);
    expect(await keepers[2]!.kill("SIGKILL")).to.equal(null);
    const killedSubmittedEpoch0 = (await rewardEpoch(0))!.submissions.some((s) => s.oracle.equals(proto.oracles[2]!.publicKey));
    await inputsIn(1, [0, 1], 2);
    await warpPast(1);
    const re = (await accepted(1))!;
    expect(re.submissions.map((s) => s.oracle.toBase58()).sort()).to.deep.equal([proto.oracles[0]!.publicKey.toBase58(), proto.oracles[1]!.publicKey.toBase58()].sort());
    await claimsDone(1);

    await start(2);
    const s = await until("restarted oracle past epoch 1", async () => {
      const x = await status(2);
      return x.oracle!.cursor >= 2 && x;
    }, 60_000, 250);
    // Epoch 0 was finished before the kill (cursor persisted), epoch 1 was found accepted.
    expect(s.oracle!.outcomes["0"]).to.equal(undefined);
    expect(s.oracle!.outcomes["1"]).to.equal("already_accepted");
    const m = await metrics(2);
    expect(metricValue(m, "keeper_oracle_root_agreement_total", { result: "agree" })).to.equal(1);
    expect(metricValue(m, "keeper_oracle_root_agreement_total", { result: "disagree" })).to.equal(0);
    expect(metricValue(m, "keeper_tx_sent_total", { action: "submit_root" })).to.equal(0);
    expect(metricValue(m, "keeper_tx_failed_total", { action: "submit_root" })).to.equal(0);
    // The chain still shows at most one submission per oracle for epoch 0.
    const subs0 = (await rewardEpoch(0))!.submissions.map((x) => x.oracle.toBase58());
    expect(new Set(subs0).size).to.equal(subs0.length);
    expect(subs0.includes(proto.oracles[2]!.publicKey.toBase58())).to.equal(killedSubmittedEpoch0);
  });

  it("epoch 2: all three again; every epoch's total ≤ its emission, every leaf claimed, identical epoch reports on every oracle", async () => {
    await warpPast(1);
    await publishEpoch(2);
    await inputsIn(2, [0, 1, 2], 3);
    await warpPast(2);
    await accepted(2);
    await claimsDone(2);

    const tok = tokenProgram(net.provider(proto.admin));
    let emitted = 0n;
    let paid = 0n;
    const perDest = new Map<string, bigint>();
    for (let e = 0; e < 3; e++) {
      const re = (await rewardEpoch(e))!;
      const emission = BigInt((await tok.account.emissionV0.fetch(emissionKey(e)[0])).amount.toString());
      const total = BigInt(re.total.toString());
      expect(total > 0n && total <= emission, `epoch ${e} total ${total} ≤ emission ${emission}`).to.equal(true);
      expect(re.claimed.toString()).to.equal(re.total.toString());
      expect(re.claims.toNumber()).to.equal(5);
      const subs = re.submissions.map((x) => x.oracle.toBase58());
      expect(new Set(subs).size).to.equal(subs.length);
      emitted += emission;
      paid += BigInt(re.claimed.toString());
      // Same report bytes (same CID) on every oracle that computed the epoch, and it is the accepted root.
      const docs = dirs.map((d) => join(d, "data", "epochs", `${e}.json`)).filter(existsSync).map((p) => readFileSync(p, "utf8"));
      expect(docs.length).to.be.at.least(2);
      for (const d of docs) expect(d).to.equal(docs[0]);
      const doc = JSON.parse(docs[0]!) as { root: string; leaves: { destination: string; amount: string }[] };
      expect(doc.root).to.equal(Buffer.from(re.acceptedRoot).toString("hex"));
      expect(doc.leaves).to.have.length(5);
      for (const l of doc.leaves) perDest.set(l.destination, (perDest.get(l.destination) ?? 0n) + BigInt(l.amount));
    }
    expect(paid <= emitted).to.equal(true);
    // Each operator's account received exactly its leaves (it held nothing after staking).
    for (const p of publishers) {
      const ata = getAssociatedTokenAddressSync(mintKey()[0], p.operator.publicKey, true);
      expect(await proto.balance(ata)).to.equal(perDest.get(ata.toBase58()));
    }
    // Larger nodes earned more (bytes and requests grow with the publisher index).
    const amounts = publishers.map((p) => perDest.get(getAssociatedTokenAddressSync(mintKey()[0], p.operator.publicKey, true).toBase58())!);
    for (let i = 1; i < amounts.length; i++) expect(amounts[i]! > amounts[i - 1]!).to.equal(true);

    // The cranker's claim transactions carry the configured priority fee (ComputeBudget SetComputeUnitPrice = 1,000).
    const [sigInfo] = await net.connection.getSignaturesForAddress(claimMarkerKey(2, publishers[0]!.node)[0]);
    const tx = await net.connection.getTransaction(sigInfo!.signature, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
    const msg = tx!.transaction.message;
    const keys = msg.staticAccountKeys;
    const budget = msg.compiledInstructions.find((ix) => keys[ix.programIdIndex]!.equals(ComputeBudgetProgram.programId));
    expect(budget, "ComputeBudget instruction").to.not.equal(undefined);
    expect(budget!.data[0]).to.equal(3);
    expect(Buffer.from(budget!.data).readBigUInt64LE(1)).to.equal(1_000n);

    // No keeper ever hit AlreadySubmitted; the lone wrong-bytes proposal is still the only one.
    for (const i of [0, 1, 2]) expect(metricValue(await metrics(i), "keeper_tx_failed_total", { code: "AlreadySubmitted" })).to.equal(0);
    const st = stakingProgram(net.provider(proto.admin));
    expect(await st.account.slashProposalV0.all([{ memcmp: { offset: SLASH_NODE_OFFSET, bytes: bad.node.toBase58() } }])).to.have.length(1);
    // Downtime in epochs 1 and 2 is covered by the open epoch-0 proposal: still one.
    expect(await st.account.slashProposalV0.all([{ memcmp: { offset: SLASH_NODE_OFFSET, bytes: down.node.toBase58() } }])).to.have.length(1);
  });

  it("graceful shutdown on SIGTERM", async () => {
    for (const i of [0, 1, 2]) expect(await keepers[i]!.kill("SIGTERM")).to.equal(0);
  });
});
