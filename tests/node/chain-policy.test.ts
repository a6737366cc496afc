/**
 * The edge node reading zone policies and edge-function modules from the registry program, on a
 * real localnet: a policy change applied within 2 s, a malformed policy rejected while the
 * previous one (and the other zones) keep serving, modules and rollback from ModuleV0, and a
 * restart with the chain down serving the last known good set.
 */
import { expect } from "chai";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Keypair } from "@solana/web3.js";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { moduleKey, nodeKey, registry, registryProgram, staking, stakingProgram, zoneKey } from "../../sdk/src/index.js";
import type { ZonePolicyArgs } from "../../sdk/src/functions/registry.js";
import { startChain } from "../../node/src/assembly/chain.js";
import type { ModuleRecord } from "../../node/src/functions/registry.js";
import { sleep, startOrigin, startTestNode, tempDir, testLogger, type TestNode, type TestOrigin } from "../helpers/edge.js";
import { startLocalnet, type Localnet } from "../helpers/localnet.js";
import { aegis, bootstrapProtocol, type Protocol } from "../protocol/setup.js";

async function until(check: () => boolean | Promise<boolean>, ms = 5_000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(10);
  }
  throw new Error(`${what} not met in ${ms} ms`);
}

const policyFor = (url: string): ZonePolicyArgs => ({
  origins: [{ url, weight: 1 }],
  cache: { enabled: false, defaultTtlSecs: 0, honourOriginHeaders: true, staleWhileRevalidateSecs: 0, staleIfErrorSecs: 0 },
  waf: { mode: { off: {} }, paranoia: 1, inboundThreshold: 5, outboundThreshold: 0, responseRules: false, excludedRuleIds: [], excludedTags: [] },
  ddos: { sensitivity: 0 },
  rateLimit: { requests: 0, windowSecs: 60, burst: 0 },
  bots: { mode: { off: {} }, challengeAt: 60, blockAt: 90 },
});

const cidOf = async (text: string): Promise<string> => CID.create(1, raw.code, await sha256.digest(new TextEncoder().encode(text))).toString();

describe("node policies and modules from chain (registry program, localnet)", function () {
  this.timeout(60_000);
  let net: Localnet;
  let proto: Protocol;
  let a: TestOrigin;
  let b: TestOrigin;
  let other: TestOrigin;
  let edge: TestNode | undefined;
  const dataDir = tempDir("aegis-chain-");
  const identity = Keypair.generate();
  const operator = Keypair.generate();
  const zoneOwner = Keypair.generate();
  const [node] = nodeKey(identity.publicKey);
  const domain = "shop.chain.test";
  const otherDomain = "blog.chain.test";
  const [zone] = zoneKey(domain);
  const owner = () => registryProgram(net.provider(zoneOwner));
  const chainConfig = () => ({ chain: { rpcUrl: net.rpcUrl, wsUrl: net.wsUrl, reconcileSecs: 5 } });
  const rejected = async () => (await edge!.node.metrics.policyRejected.get()).values.filter((v) => v.labels.source === "chain").reduce((s, v) => s + v.value, 0);

  before(async () => {
    [a, b, other] = await Promise.all([startOrigin((_q, r) => r.end("origin-a")), startOrigin((_q, r) => r.end("origin-b")), startOrigin((_q, r) => r.end("other"))]);
    net = await startLocalnet();
    proto = await bootstrapProtocol(net);
    for (const kp of [operator, zoneOwner]) {
      const sig = await net.connection.requestAirdrop(kp.publicKey, 10e9);
      await net.connection.confirmTransaction({ signature: sig, ...(await net.connection.getLatestBlockhash()) }, "confirmed");
    }
    // An active node whose identity key is the edge node's identity.json.
    const ata = await proto.fund(operator.publicKey, aegis(2_000));
    await registry
      .registerNode(registryProgram(net.provider(operator)), { operator: operator.publicKey, identity: identity.publicKey, metadataCid: await cidOf("meta"), region: "eu", capabilities: 31 })
      .signers([identity])
      .rpc();
    await staking.stake(stakingProgram(net.provider(operator)), { operator: operator.publicKey, source: ata, amount: aegis(1_500) }).rpc();
    await staking.activateNode(stakingProgram(net.provider(operator)), { operator: operator.publicKey, node }).rpc();
    writeFileSync(join(dataDir, "identity.json"), JSON.stringify([...identity.secretKey]));
    // Two zones assigned to it.
    const admin = registryProgram(net.provider(proto.admin));
    for (const [d, o] of [[domain, a], [otherDomain, other]] as const) {
      await registry.registerZone(owner(), { owner: zoneOwner.publicKey, domain: d, policy: policyFor(o.url) }).rpc();
      await registry.assignNode(admin, { assignmentAuthority: proto.admin.publicKey, node, zone: zoneKey(d)[0] }).rpc();
    }
    edge = await startTestNode({ zones: [], skipPolicyWrite: true, dataDir, config: chainConfig() });
  });

  after(async () => {
    await edge?.close();
    await net?.stop();
    await Promise.all([a, b, other].map((o) => o?.close()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("serves its assigned zones and applies an on-chain policy change within 2 s", async () => {
    expect((await edge!.get("/", { host: domain })).text).to.equal("origin-a");
    expect((await edge!.get("/", { host: otherDomain })).text).to.equal("other");
    const before = edge!.node.policies.get(domain)!.policyVersion;

    const t0 = performance.now();
    await registry.updateZonePolicy(owner(), { owner: zoneOwner.publicKey, zone, policy: policyFor(b.url) }).rpc();
    const confirmed = performance.now();
    await until(() => edge!.node.policies.get(domain)?.policyVersion === before + 1, 5_000, "policy applied");
    const applied = performance.now();
    console.log(`      chain policy change applied ${Math.round(applied - t0)} ms after sending (${Math.round(applied - confirmed)} ms after confirmation)`);
    expect(applied - t0).to.be.below(2_000);
    expect((await edge!.get("/", { host: domain })).text).to.equal("origin-b");
  });

  it("rejects a malformed policy on chain (origin URL the program accepts, zod does not) and keeps the previous one", async () => {
    const applied = edge!.node.policies.get(domain)!;
    const rejectedBefore = await rejected();
    // The program checks only the scheme prefix and the length; `new URL("http://bad host")` throws.
    await registry.updateZonePolicy(owner(), { owner: zoneOwner.publicKey, zone, policy: policyFor("http://bad host:8080") }).rpc();
    const onChain = await owner().account.zoneV0.fetch(zone);
    expect(onChain.policyVersion.toNumber()).to.equal(applied.policyVersion + 1);
    await until(async () => (await rejected()) > rejectedBefore, 5_000, "rejection counted");
    expect(edge!.node.policies.get(domain)).to.deep.equal(applied);
    expect((await edge!.get("/", { host: domain })).text).to.equal("origin-b");
    // A full reconcile neither applies it nor blanks the zone or the other one.
    await edge!.node.policies.reconcile(await chainSourceOf(edge!));
    expect(edge!.node.policies.get(domain)).to.deep.equal(applied);
    expect((await edge!.get("/", { host: otherDomain })).text).to.equal("other");
  });

  it("reads modules from ModuleV0: a published version is served, rollback returns the previous CID", async () => {
    const [v1, v2] = [await cidOf("module v1"), await cidOf("module v2")];
    const chain = startChain({ rpcUrl: net.rpcUrl, wsUrl: net.wsUrl, reconcileSecs: 5, commitment: "confirmed" }, identity.publicKey.toBytes(), testLogger());
    const seen: (ModuleRecord | undefined)[] = [];
    chain.modules.onChange((z, name, rec) => z === domain && name === "rewrite" && seen.push(rec));
    try {
      await chain.policies.load(); // tells the registry the zones and their owner
      await registry.publishModule(owner(), { owner: zoneOwner.publicKey, name: "rewrite", cid: v1 }).rpc();
      await until(() => chain.modules.get(domain, "rewrite")?.current.cid === v1, 5_000, "v1 seen");
      await registry.publishModule(owner(), { owner: zoneOwner.publicKey, name: "rewrite", cid: v2 }).rpc();
      await until(() => chain.modules.get(domain, "rewrite")?.current.cid === v2, 5_000, "v2 seen");
      expect(chain.modules.get(domain, "rewrite")!.previous.map((p) => p.cid)).to.deep.equal([v1]);
      // The same module serves every zone of that owner.
      expect(chain.modules.get(otherDomain, "rewrite")?.current.cid).to.equal(v2);

      await registry.rollbackModule(owner(), { owner: zoneOwner.publicKey, module: moduleKey(zoneOwner.publicKey, "rewrite")[0] }).rpc();
      await until(() => chain.modules.get(domain, "rewrite")?.current.cid === v1, 5_000, "rollback seen");
      const rec = chain.modules.get(domain, "rewrite")!;
      expect(rec.current.version).to.equal(3);
      expect(rec.previous.map((p) => p.cid)).to.deep.equal([v2]);
      expect(seen.map((r) => r?.current.cid)).to.deep.equal([v1, v2, v1]);

      // A full read from scratch agrees with what the notifications built.
      const fresh = startChain({ rpcUrl: net.rpcUrl, wsUrl: net.wsUrl, reconcileSecs: 5, commitment: "confirmed" }, identity.publicKey.toBytes(), testLogger());
      try {
        await fresh.policies.load();
        await fresh.modules.refresh();
        expect(fresh.modules.list().filter((r) => r.zone === domain)).to.deep.equal([rec]);
      } finally {
        await fresh.close();
      }
    } finally {
      await chain.close();
    }
  });

  it("restarts with the chain down and serves the last known good policies", async () => {
    const applied = edge!.node.policies.get(domain)!;
    await edge!.close();
    edge = undefined;
    await net.stop();
    edge = await startTestNode({ zones: [], skipPolicyWrite: true, dataDir, config: chainConfig() });
    expect(edge.node.policies.get(domain)).to.deep.equal(applied);
    expect((await edge.get("/", { host: domain })).text).to.equal("origin-b");
    expect((await edge.get("/", { host: otherDomain })).text).to.equal("other");
    expect(await rejected()).to.be.greaterThan(0); // the unreachable chain was noticed and reported
  });
});

/** The running node's chain policy source (the handle does not expose it; a second one reads the same chain). */
async function chainSourceOf(edge: TestNode) {
  const { ChainPolicySource } = await import("../../node/src/policy/chainSource.js");
  const { Connection, PublicKey } = await import("@solana/web3.js");
  const c = edge.node.config.chain!;
  return new ChainPolicySource({ connection: new Connection(c.rpcUrl, "confirmed"), identity: new PublicKey(edge.node.identity.publicKey), logger: testLogger() });
}
