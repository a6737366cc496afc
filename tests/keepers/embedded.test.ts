/**
 * Embedded mode (no NATS, no Redis): a keeper reads a real edge node's own report log and accepts
 * its reports (signed by the node's identity, registered on chain), resuming from its offset
 * after a restart; `--dry-run` prints what it would submit without sending anything; two oracles
 * settle the epoch from the log alone, one of them "crashing" between its submission and saving
 * its cursor (it finds its submission on chain and sends nothing again), and the cranker claims.
 */
import { expect } from "chai";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { Keypair } from "@solana/web3.js";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { claimMarkerKey, emissionKey, mintKey, nodeKey, registry, registryProgram, rewardEpochKey, rewardsProgram, staking, stakingProgram } from "../../sdk/src/index.js";
import { CURSOR_KEY } from "../../keepers/src/oracle.js";
import { signProbe } from "../../keepers/src/probeRecord.js";
import { validateConfig } from "../../keepers/src/config.js";
import { startKeeper, type KeeperHandle } from "../../keepers/src/keeper.js";
import { startLocalnet, type Localnet } from "../helpers/localnet.js";
import { startOrigin, startTestNode, type TestNode as EdgeNode, type TestOrigin, zoneFor } from "../helpers/edge.js";
import { aegis, bootstrapProtocol, type Protocol } from "../protocol/setup.js";
import { chainNow, spawnKeeper, tempDir, until, writeKeypair, removeTempDirs } from "./helpers.js";

const log = pino({ level: process.env.AEGIS_TEST_LOG ?? "silent" });

describe("keeper embedded mode (node report logs, no NATS) and --dry-run", function () {
  this.timeout(120_000);
  let net: Localnet;
  let proto: Protocol;
  let origin: TestOrigin;
  let edge: EdgeNode;
  let keeper: KeeperHandle | undefined;
  let nodeDir: string;
  let keeperDir: string;
  const identity = Keypair.generate();
  let operator: Keypair;

  before(async () => {
    nodeDir = tempDir("aegis-node-");
    keeperDir = tempDir();
    net = await startLocalnet();
    proto = await bootstrapProtocol(net, { staking: { minStake: aegis(1_000) } });
    // The node's identity key, registered on chain and activated by its operator.
    mkdirSync(nodeDir, { recursive: true });
    writeFileSync(join(nodeDir, "identity.json"), JSON.stringify([...identity.secretKey]));
    operator = await net.fundedKeypair(5);
    await registry
      .registerNode(registryProgram(net.provider(operator)), { operator: operator.publicKey, identity: identity.publicKey, metadataCid: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", region: "eu-west", capabilities: 1 })
      .signers([identity])
      .rpc();
    const src = await proto.fund(operator.publicKey, aegis(1_000));
    const st = stakingProgram(net.provider(operator));
    await staking.stake(st, { operator: operator.publicKey, source: src, amount: aegis(1_000) }).rpc();
    await staking.activateNode(st, { operator: operator.publicKey, node: nodeKey(identity.publicKey)[0] }).rpc();
    origin = await startOrigin((_q, r) => r.end("x".repeat(1_000)));
    edge = await startTestNode({ zones: [zoneFor("site.test", origin)], dataDir: nodeDir, config: { analytics: { intervalSecs: 0.3 } } });
  });
  after(async () => {
    await keeper?.stop();
    await edge?.close();
    await origin?.close();
    await net?.stop();
    removeTempDirs();
  });

  const config = () => validateConfig({ name: "embedded", roles: ["ingest"], rpcUrl: net.rpcUrl, dataDir: keeperDir, reportDirs: [join(nodeDir, "reports")], http: { listen: "127.0.0.1:0" } });

  it("accepts the edge node's own signed reports from its log file and counts the served bytes", async () => {
    for (let i = 0; i < 5; i++) expect((await edge.get(`/p${i}`)).status).to.equal(200);
    keeper = await startKeeper(config(), { log, manual: true });
    const node = nodeKey(identity.publicKey)[0].toBase58();
    await until("the 5 requests in accepted reports", async () => {
      await keeper!.tick("ingest");
      const rs = await keeper!.store.reports(0);
      return rs.reduce((a, r) => a + r.requests, 0n) === 5n;
    });
    const rs = await keeper.store.reports(0);
    expect(rs.every((r) => r.node === node)).to.equal(true);
    expect(rs.reduce((a, r) => a + r.bytes, 0n)).to.equal(5_000n);
    expect(await keeper.metrics.value("keeper_reports_rejected_total")).to.equal(0);
  });

  it("after a restart it resumes at its offset: no report is read twice", async () => {
    await keeper!.stop();
    const before = (await (keeper = await startKeeper(config(), { log, manual: true })).store.reports(0)).length;
    expect((await edge.get("/again")).status).to.equal(200);
    await until("the new request", async () => {
      await keeper!.tick("ingest");
      return (await keeper!.store.reports(0)).reduce((a, r) => a + r.requests, 0n) === 6n;
    });
    expect((await keeper.store.reports(0)).length).to.be.greaterThan(before);
    expect(await keeper.metrics.value("keeper_reports_rejected_total")).to.equal(0);
  });

  it("--dry-run prints the transactions it would send and sends none", async () => {
    const dir = tempDir();
    const k = spawnKeeper(["--roles", "cranker", "--dry-run", "--rpc-url", net.rpcUrl, "--data-dir", dir, "--listen", "127.0.0.1:0", "--tick-ms", "200", "--log-level", "warn"]);
    await k.url;
    const line = await until("a planned mint", async () => k.stdout().split("\n").find((l) => l.includes("mint_epoch_emission")));
    expect(JSON.parse(line)).to.deep.equal({ role: "cranker", action: "mint_epoch_emission", args: { epoch: 0 } });
    expect(await net.connection.getAccountInfo(emissionKey(0)[0])).to.equal(null);
    // Printed once, not at every tick.
    await new Promise((r) => setTimeout(r, 600));
    expect(k.stdout().split("\n").filter((l) => l.includes("mint_epoch_emission"))).to.have.length(1);
    expect(await k.kill("SIGTERM")).to.equal(0);
  });

  it("two oracles settle epoch 0 from the report log; one restarted between submit and cursor save sends nothing twice; the cranker claims", async () => {
    await keeper!.stop();
    keeper = undefined;
    const node = nodeKey(identity.publicKey)[0];
    const oracleConfig = (i: number, dir: string, roles: ("ingest" | "oracle" | "cranker")[]) =>
      validateConfig({
        name: `oracle-${i}`,
        roles,
        rpcUrl: net.rpcUrl,
        keypair: writeKeypair(dir, proto.oracles[i]!, "oracle"),
        dataDir: dir,
        reportDirs: [join(nodeDir, "reports")],
        http: { listen: "127.0.0.1:0" },
        oracle: { fromEpoch: 0, graceSecs: 0 },
        cranker: { autoClaim: "all" },
      });
    const dirB = tempDir();
    let a = await startKeeper(oracleConfig(0, keeperDir, ["ingest", "oracle", "cranker"]), { log, manual: true });
    const b = await startKeeper(oracleConfig(1, dirB, ["ingest", "oracle"]), { log, manual: true });
    try {
      await a.tick("ingest");
      await b.tick("ingest");
      // Three correct canary fetches in epoch 0, signed by a third oracle, as the probe stream would carry them.
      const now = await chainNow(net);
      for (let k = 0; k < 3; k++) {
        const p = signProbe({ epoch: 0, node: node.toBase58(), prober: proto.oracles[2]!.publicKey.toBase58(), ts: now, path: `/.aegis-canary/${k}0000000`, ok: true, outcome: "ok", status: 200, ttfbMs: 3, expectedSha256: "ab", gotSha256: "ab" }, proto.oracles[2]!);
        await a.store.addProbe(p);
        await b.store.addProbe(p);
      }
      await a.tick("cranker"); // mints epoch 0
      expect(await net.connection.getAccountInfo(emissionKey(0)[0])).to.not.equal(null);
      await net.warp({ seconds: 86_400 + 5 });
      await a.tick("oracle");
      expect(a.oracle!.outcomes.get(0)).to.equal("submitted");
      const rewardEpoch = () => rewardsProgram(net.provider(proto.admin)).account.rewardEpochV0.fetch(rewardEpochKey(0)[0]);
      expect((await rewardEpoch()).submissions).to.have.length(1);

      // Killed after the transaction, before the cursor was saved: the cursor is back at 0.
      await a.store.setMeta(CURSOR_KEY, "0");
      await a.stop();
      a = await startKeeper(oracleConfig(0, keeperDir, ["ingest", "oracle", "cranker"]), { log, manual: true });
      await a.tick("oracle");
      expect(a.oracle!.outcomes.get(0)).to.equal("already_submitted");
      expect(await a.metrics.value("keeper_tx_sent_total", { action: "submit_root" })).to.equal(0);
      expect(await a.metrics.value("keeper_tx_failed_total", { action: "submit_root" })).to.equal(0);
      expect((await rewardEpoch()).submissions).to.have.length(1);

      // The second oracle computes the same root from the same log: quorum 2 reached.
      await b.tick("oracle");
      expect(b.oracle!.outcomes.get(0)).to.equal("submitted");
      const re = await rewardEpoch();
      expect(re.acceptedAt.toNumber()).to.be.greaterThan(0);
      expect(re.submissions).to.have.length(2);

      await a.tick("cranker");
      expect(await net.connection.getAccountInfo(claimMarkerKey(0, node)[0])).to.not.equal(null);
      const ata = getAssociatedTokenAddressSync(mintKey()[0], operator.publicKey, true);
      expect(await proto.balance(ata)).to.equal(BigInt(re.total.toString()));
      expect(BigInt(re.total.toString()) > 0n).to.equal(true);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
