/**
 * Every instruction that has an authority rejects a wrong signer with the program's own error
 * code. Permissionless instructions (mint_epoch_emission, execute_slash, claim,
 * sweep_unclaimed) are checked against wrong accounts instead; register_node, register_zone,
 * stake and the initializers make the signer the owner of what they create.
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import BN from "bn.js";
import { Keypair, PublicKey } from "@solana/web3.js";
import {
  DEFAULTS,
  REGISTRY_PROGRAM_ID,
  assignmentKey,
  moduleKey,
  nodeKey,
  registry,
  registryConfigKey,
  registryProgram,
  rewards,
  rewardsProgram,
  slashProposalKey,
  stakeKey,
  staking,
  stakingProgram,
  token,
  tokenProgram,
  voterWeightRecordKey,
  zoneKey,
} from "../../sdk/src/index.js";
import { startLocalnet, type Localnet } from "../helpers/localnet.js";
import { aegis, bootstrapProtocol, expectError, type Protocol } from "./setup.js";

const CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
const DAY = 86_400;
const POLICY = {
  origins: [{ url: "http://127.0.0.1:8080", weight: 1 }],
  cache: { enabled: true, defaultTtlSecs: 0, honourOriginHeaders: true, staleWhileRevalidateSecs: 0, staleIfErrorSecs: 0 },
  waf: { mode: { detect: {} }, paranoia: 1, inboundThreshold: 5, outboundThreshold: 0, responseRules: false, excludedRuleIds: [], excludedTags: [] },
  ddos: { sensitivity: 2 },
  rateLimit: { requests: 0, windowSecs: 60, burst: 0 },
  bots: { mode: { off: {} }, challengeAt: 60, blockAt: 90 },
};
const ROUTE = {
  pattern: "/*", methods: 0, modules: [CID], failMode: { open: {} }, timeoutMs: 0, memoryMb: 0,
  fuel: new BN(0), fetchAllow: [], fetchTimeoutMs: 0,
};

describe("protocol: wrong signers and authorities are rejected with the program's error", function () {
  this.timeout(120_000);
  let net: Localnet;
  let proto: Protocol;
  let mallory: Keypair;
  let malloryAta: PublicKey;
  const operator = Keypair.generate();
  const identity = Keypair.generate();
  const [node] = nodeKey(identity.publicKey);
  let operatorAta: PublicKey;
  const zoneOwner = Keypair.generate();
  const domain = "authz.example.org";
  const [zone] = zoneKey(domain);

  before(async () => {
    net = await startLocalnet();
    proto = await bootstrapProtocol(net, { token: { breakerWindowSecs: 10 * DAY, breakerMaxPerWindow: 2n * DEFAULTS.initialEmission } });
    mallory = await net.fundedKeypair(10);
    for (const kp of [operator, zoneOwner]) {
      const sig = await net.connection.requestAirdrop(kp.publicKey, 10e9);
      await net.connection.confirmTransaction({ signature: sig, ...(await net.connection.getLatestBlockhash()) }, "confirmed");
    }
    operatorAta = await proto.fund(operator.publicKey, aegis(2_000));
    malloryAta = await proto.fund(mallory.publicKey, aegis(2_000));
    await registry
      .registerNode(registryProgram(net.provider(operator)), { operator: operator.publicKey, identity: identity.publicKey, metadataCid: CID, region: "eu", capabilities: 1 })
      .signers([identity])
      .rpc();
    await staking.stake(stakingProgram(net.provider(operator)), { operator: operator.publicKey, source: operatorAta, amount: aegis(1_500) }).rpc();
    await staking.activateNode(stakingProgram(net.provider(operator)), { operator: operator.publicKey, node }).rpc();
    await registry.registerZone(registryProgram(net.provider(zoneOwner)), { owner: zoneOwner.publicKey, domain, policy: POLICY }).rpc();
    // Mallory has a stake of her own, so account resolution succeeds and the program decides.
    await staking.stake(stakingProgram(net.provider(mallory)), { operator: mallory.publicKey, source: malloryAta, amount: aegis(10) }).rpc();
  });
  after(async () => {
    await net?.stop();
  });

  it("registry: config, oracles, node status, node, zone and assignment instructions", async () => {
    const m = registryProgram(net.provider(mallory));
    const me = mallory.publicKey;
    await expectError(registry.updateRegistryConfig(m, { admin: me, newAdmin: me }).rpc(), "registry", "Unauthorized");
    await expectError(registry.setPaused(m, { pauseAuthority: me, paused: true }).rpc(), "registry", "NotPauseAuthority");
    await expectError(registry.setOracles(m, { admin: me, oracles: [me], quorum: 1 }).rpc(), "registry", "Unauthorized");
    await expectError(
      registry.setOracles(registryProgram(net.provider(proto.admin)), { admin: proto.admin.publicKey, oracles: [me, me], quorum: 1 }).rpc(),
      "registry",
      "InvalidOracleSet",
    );
    await expectError(
      m.methods.setNodeStatus({ status: { jailed: {} }, reputationPenalty: 0 }).accountsPartial({ stakeAuthority: me, config: registryConfigKey()[0], node }).rpc(),
      "registry",
      "NotStakeAuthority",
    );
    await expectError(registry.updateNode(m, { operator: me, node, region: "evil" }).rpc(), "registry", "Unauthorized");
    await expectError(registry.deactivateNode(m, { operator: me, node }).rpc(), "registry", "Unauthorized");
    await expectError(registry.updateZonePolicy(m, { owner: me, zone, policy: POLICY }).rpc(), "registry", "Unauthorized");
    await expectError(registry.setZoneRoute(m, { owner: me, zone, index: 0, route: ROUTE }).rpc(), "registry", "Unauthorized");
    await expectError(registry.assignNode(m, { assignmentAuthority: me, node, zone }).rpc(), "registry", "NotAssignmentAuthority");
    await registry.assignNode(registryProgram(net.provider(proto.admin)), { assignmentAuthority: proto.admin.publicKey, node, zone }).rpc();
    const [assignment] = assignmentKey(node, zone);
    await expectError(registry.unassignNode(m, { assignmentAuthority: me, assignment }).rpc(), "registry", "NotAssignmentAuthority");
    await registry.unassignNode(registryProgram(net.provider(proto.admin)), { assignmentAuthority: proto.admin.publicKey, assignment }).rpc();
    expect(await net.connection.getAccountInfo(assignment)).to.equal(null);
    // Edge-function modules (issue 11): publish, update, roll back; only the owner.
    const zo = registryProgram(net.provider(zoneOwner));
    const v1 = CID;
    const v2 = "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq";
    await registry.publishModule(zo, { owner: zoneOwner.publicKey, name: "rewrite", cid: v1 }).rpc();
    const [mod] = moduleKey(zoneOwner.publicKey, "rewrite");
    await expectError(registry.rollbackModule(zo, { owner: zoneOwner.publicKey, module: mod }).rpc(), "registry", "NoPreviousVersion");
    await registry.publishModule(zo, { owner: zoneOwner.publicKey, name: "rewrite", cid: v2 }).rpc();
    let md = await zo.account.moduleV0.fetch(mod);
    expect([md.cid, md.previousCid, md.version]).to.deep.equal([v2, v1, 2]);
    await expectError(registry.rollbackModule(m, { owner: me, module: mod }).rpc(), "registry", "Unauthorized");
    await registry.rollbackModule(zo, { owner: zoneOwner.publicKey, module: mod }).rpc();
    md = await zo.account.moduleV0.fetch(mod);
    expect([md.cid, md.previousCid, md.version]).to.deep.equal([v1, v2, 3]);
    // Publishing under the same name from another wallet creates that wallet's own module.
    await registry.publishModule(m, { owner: me, name: "rewrite", cid: v2 }).rpc();
    expect((await zo.account.moduleV0.fetch(mod)).cid).to.equal(v1);

    // A zone's PDA is bound to sha256(domain).
    const forged = randomBytes(32);
    const [forgedZone] = PublicKey.findProgramAddressSync([Buffer.from("zone"), forged], REGISTRY_PROGRAM_ID);
    await expectError(
      m.methods
        .registerZone({ domain: "other.example.org", domainHash: [...forged], policy: POLICY })
        .accountsPartial({ owner: me, config: registryConfigKey()[0], zone: forgedZone })
        .rpc(),
      "registry",
      "DomainHashMismatch",
    );
  });

  it("token: config and genesis need the authority; emission goes only to the rewards vault and trips the breaker", async () => {
    const m = tokenProgram(net.provider(mallory));
    const me = mallory.publicKey;
    await expectError(token.updateTokenConfig(m, { authority: me, newAuthority: me }).rpc(), "token", "Unauthorized");
    await expectError(token.mintGenesis(m, { authority: me, amount: 1n }).rpc(), "token", "Unauthorized");
    await expectError(token.mintEpochEmission(m, { payer: me, epoch: 0, rewardsVault: malloryAta }).rpc(), "token", "WrongRewardsVault");
    // Circuit breaker: at most 2 epochs' emission per 10-day window.
    await token.mintEpochEmission(m, { payer: me, epoch: 0 }).rpc();
    await net.warp({ seconds: 2 * DAY + 5 });
    await token.mintEpochEmission(m, { payer: me, epoch: 1 }).rpc();
    await expectError(token.mintEpochEmission(m, { payer: me, epoch: 2 }).rpc(), "token", "CircuitBreakerTripped");
    // The authority can hand the config over (to a governance PDA); the old key then fails.
    const gov = Keypair.generate().publicKey;
    await token.updateTokenConfig(tokenProgram(net.provider(proto.admin)), { authority: proto.admin.publicKey, newAuthority: gov }).rpc();
    await expectError(
      token.updateTokenConfig(tokenProgram(net.provider(proto.admin)), { authority: proto.admin.publicKey, decayBps: 1 }).rpc(),
      "token",
      "Unauthorized",
    );
  });

  it("staking: every operator, oracle and governance instruction checks its signer", async () => {
    const m = stakingProgram(net.provider(mallory));
    const me = mallory.publicKey;
    const victimStake = stakeKey(operator.publicKey)[0];
    await expectError(staking.updateStakingConfig(m, { authority: me, newAuthority: me }).rpc(), "staking", "Unauthorized");
    await expectError(staking.setPaused(m, { pauseAuthority: me, paused: true }).rpc(), "staking", "NotPauseAuthority");
    // Paying from someone else's token account.
    await expectError(staking.stake(m, { operator: me, source: operatorAta, amount: 1n }).rpc(), "staking", "Unauthorized");
    // Acting on the operator's stake.
    await expectError(staking.requestUnstake(m, { operator: me, amount: 1n }).accountsPartial({ stake: victimStake }).rpc(), "staking", "Unauthorized");
    await expectError(staking.withdraw(m, { operator: me, destination: malloryAta }).accountsPartial({ stake: victimStake }).rpc(), "staking", "Unauthorized");
    await expectError(staking.activateNode(m, { operator: me, node }).accountsPartial({ stake: victimStake }).rpc(), "staking", "Unauthorized");
    // Acting on the operator's node with her own stake.
    await expectError(staking.activateNode(m, { operator: me, node }).rpc(), "staking", "WrongNodeOperator");
    await expectError(staking.beginExit(m, { operator: me, node }).rpc(), "staking", "WrongNodeOperator");
    await expectError(staking.completeExit(m, { operator: me, node }).rpc(), "staking", "WrongNodeOperator");
    // Slashing: only oracles propose and co-sign; only the operator disputes; only governance resolves.
    const propose = (signer: Keypair, amount: bigint, nonce: number) =>
      staking
        .proposeSlash(stakingProgram(net.provider(signer)), {
          proposer: signer.publicKey, node, operator: operator.publicKey, nonce, amount, reason: 1, evidenceHash: randomBytes(32), evidenceUri: "ipfs://x",
        })
        .rpc();
    await expectError(propose(mallory, aegis(10), 0), "staking", "NotOracle");
    await propose(proto.oracles[0]!, aegis(100), 0); // 6.7 % of 1,500: needs a co-signature
    const [proposal] = slashProposalKey(victimStake, 0);
    await expectError(staking.cosignSlash(m, { cosigner: me, proposal }).rpc(), "staking", "NotOracle");
    await staking.cosignSlash(stakingProgram(net.provider(proto.oracles[1]!)), { cosigner: proto.oracles[1]!.publicKey, proposal }).rpc();
    await expectError(
      staking.disputeSlash(m, { operator: me, proposal, source: malloryAta }).accountsPartial({ stake: victimStake }).rpc(),
      "staking",
      "Unauthorized",
    );
    await staking.disputeSlash(stakingProgram(net.provider(operator)), { operator: operator.publicKey, proposal, source: operatorAta }).rpc();
    await expectError(
      staking.resolveDispute(m, { authority: me, operator: operator.publicKey, proposal, node, operatorTokenAccount: operatorAta, uphold: true }).rpc(),
      "staking",
      "Unauthorized",
    );
    // execute_slash is permissionless but refuses a disputed proposal.
    await expectError(staking.executeSlash(m, { operator: operator.publicKey, proposal, node }).rpc(), "staking", "NotExecutable");
    await staking
      .resolveDispute(stakingProgram(net.provider(proto.admin)), {
        authority: proto.admin.publicKey, operator: operator.publicKey, proposal, node, operatorTokenAccount: operatorAta, uphold: false,
      })
      .rpc();
    // Voter weight: after governance sets the realm, anyone refreshes the record.
    const realm = Keypair.generate().publicKey;
    await expectError(staking.updateStakingConfig(m, { authority: me, realm }).rpc(), "staking", "Unauthorized");
    await staking.updateStakingConfig(stakingProgram(net.provider(proto.admin)), { authority: proto.admin.publicKey, realm }).rpc();
    await staking.updateVoterWeightRecord(m, { operator: operator.publicKey }).rpc();
    const rec = await m.account.voterWeightRecord.fetch(voterWeightRecordKey(operator.publicKey)[0]);
    expect(rec.realm.toBase58()).to.equal(realm.toBase58());
    expect(rec.voterWeight.toString()).to.equal(aegis(1_500).toString());

    // Active → Exiting straight from Active.
    await staking.beginExit(stakingProgram(net.provider(operator)), { operator: operator.publicKey, node }).rpc();
    const n = await registryProgram(net.provider(operator)).account.nodeV0.fetch(node);
    expect(n.status).to.deep.equal({ exiting: {} });
  });

  it("rewards: config needs the authority, roots need an oracle", async () => {
    const m = rewardsProgram(net.provider(mallory));
    const me = mallory.publicKey;
    await expectError(rewards.updateRewardsConfig(m, { authority: me, newAuthority: me }).rpc(), "rewards", "Unauthorized");
    await expectError(rewards.setPaused(m, { pauseAuthority: me, paused: true }).rpc(), "rewards", "NotPauseAuthority");
    await expectError(rewards.submitRoot(m, { oracle: me, epoch: 0, root: randomBytes(32), total: 1n }).rpc(), "rewards", "NotOracle");
    await expectError(rewards.sweepUnclaimed(m, { payer: me, epoch: 0 }).rpc(), "rewards", "HorizonNotReached");
  });
});
