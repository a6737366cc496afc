/**
 * The protocol's lifecycle through localnet with the Anchor client, in order: emission, node
 * registration and staking, a zone and its assignment, a quorum-accepted reward root and its
 * claims, unstaking, slashing (cap, challenge window, co-signature, disputes), node exit and
 * the sweep of unclaimed rewards.
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { Keypair, PublicKey } from "@solana/web3.js";
import { zonePolicySchema } from "../../node/src/policy/schema.js";
import {
  ACCOUNT_SIZES,
  DEFAULTS,
  RewardTree,
  claimMarkerKey,
  registryConfigKey,
  rewardsConfigKey,
  stakingConfigKey,
  tokenConfigKey,
  assignmentKey,
  emissionKey,
  nodeKey,
  registry,
  registryProgram,
  rewardEpochKey,
  rewards,
  rewardsProgram,
  rewardsVaultKey,
  routeToArgs,
  slashProposalKey,
  stakeKey,
  staking,
  stakingProgram,
  token,
  tokenProgram,
  voterWeightRecordKey,
  zoneKey,
  zonePolicyFromAccount,
  type RewardLeaf,
} from "../../sdk/src/index.js";
import { startLocalnet, type Localnet } from "../helpers/localnet.js";
import { aegis, bootstrapProtocol, expectError, type Protocol } from "./setup.js";

const CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
const DAY = 86_400;

describe("protocol lifecycle through localnet", function () {
  this.timeout(120_000);
  let net: Localnet;
  let proto: Protocol;
  const operator = Keypair.generate();
  const identity = Keypair.generate();
  const [node] = nodeKey(identity.publicKey);
  const operator2 = Keypair.generate();
  const identity2 = Keypair.generate();
  const [node2] = nodeKey(identity2.publicKey);
  let operatorAta: PublicKey;
  let operator2Ata: PublicKey;
  let tree: RewardTree;
  const domain = "shop.example.com";

  const nodeStatus = async (n: PublicKey) => (await registryProgram(net.provider(proto.admin)).account.nodeV0.fetch(n)).status;
  const stakeOf = async () => stakingProgram(net.provider(proto.admin)).account.stakeV0.fetch(stakeKey(operator.publicKey)[0]);
  const asOp = () => stakingProgram(net.provider(operator));
  const asOracle = (i: number) => stakingProgram(net.provider(proto.oracles[i]!));

  before(async () => {
    net = await startLocalnet();
    proto = await bootstrapProtocol(net);
    for (const kp of [operator, operator2]) {
      const sig = await net.connection.requestAirdrop(kp.publicKey, 10e9);
      await net.connection.confirmTransaction({ signature: sig, ...(await net.connection.getLatestBlockhash()) }, "confirmed");
    }
    operatorAta = await proto.fund(operator.publicKey, aegis(3_000));
    operator2Ata = await proto.ata(operator2.publicKey);
  });
  after(async () => {
    await net?.stop();
  });

  it("mints the epoch-0 emission into the rewards vault once; a second mint for epoch 0 fails", async () => {
    const keeper = await net.fundedKeypair(2);
    const program = tokenProgram(net.provider(keeper));
    await token.mintEpochEmission(program, { payer: keeper.publicKey, epoch: 0 }).rpc();
    expect(await proto.balance(rewardsVaultKey()[0])).to.equal(DEFAULTS.initialEmission);
    const emission = await program.account.emissionV0.fetch(emissionKey(0)[0]);
    expect(BigInt(emission.amount.toString())).to.equal(DEFAULTS.initialEmission);
    // A second keeper (a distinct transaction) tries the same epoch.
    const keeper2 = await net.fundedKeypair(2);
    const program2 = tokenProgram(net.provider(keeper2));
    await expectError(token.mintEpochEmission(program2, { payer: keeper2.publicKey, epoch: 0 }).rpc(), "token", "EpochAlreadyMinted");
    await expectError(token.mintEpochEmission(program, { payer: keeper.publicKey, epoch: 1 }).rpc(), "token", "EpochNotStarted");
    expect(await proto.balance(rewardsVaultKey()[0])).to.equal(DEFAULTS.initialEmission);
  });

  it("registers a node and stakes: Registered → Active once the stake covers the minimum", async () => {
    const reg = registryProgram(net.provider(operator));
    await registry
      .registerNode(reg, { operator: operator.publicKey, identity: identity.publicKey, metadataCid: CID, region: "eu-west", capabilities: 31 })
      .signers([identity])
      .rpc();
    await registry.updateNode(reg, { operator: operator.publicKey, node, rewardDestination: operatorAta }).rpc();
    expect(await nodeStatus(node)).to.deep.equal({ registered: {} });

    await staking.stake(asOp(), { operator: operator.publicKey, source: operatorAta, amount: aegis(500) }).rpc();
    await expectError(staking.activateNode(asOp(), { operator: operator.publicKey, node }).rpc(), "staking", "InsufficientStake");
    await staking.stake(asOp(), { operator: operator.publicKey, source: operatorAta, amount: aegis(1_500) }).rpc();
    await staking.activateNode(asOp(), { operator: operator.publicKey, node }).rpc();
    expect(await nodeStatus(node)).to.deep.equal({ active: {} });
    const s = await stakeOf();
    expect(s.amount.toString()).to.equal(aegis(2_000).toString());
    expect(s.bondedNodes).to.equal(1);
    expect(await proto.balance(operatorAta)).to.equal(aegis(1_000));

    // The voter-weight record carries the SPL Governance add-in discriminator and the bonded stake.
    const [vwr] = voterWeightRecordKey(operator.publicKey);
    const raw = await net.connection.getAccountInfo(vwr);
    expect(raw!.data.subarray(0, 8).toString("hex")).to.equal("2ef99b4b99f87409");
    const rec = await asOp().account.voterWeightRecord.fetch(vwr);
    expect(rec.voterWeight.toString()).to.equal(aegis(2_000).toString());
    expect(rec.governingTokenOwner.toBase58()).to.equal(operator.publicKey.toBase58());
    expect(rec.governingTokenMint.toBase58()).to.equal(proto.mint.toBase58());
    expect(rec.voterWeightExpiry).to.equal(null);

    // A bonded node cannot leave through the registry's deactivate_node.
    await expectError(registry.deactivateNode(reg, { operator: operator.publicKey, node }).rpc(), "registry", "NodeBonded");
  });

  it("registers a zone with a full policy and reads it back in the edge node's policy shape", async () => {
    const owner = await net.fundedKeypair(5);
    const reg = registryProgram(net.provider(owner));
    const policy = {
      origins: [
        { url: "https://origin-a.shop.example.com", weight: 3 },
        { url: "http://10.0.0.7:8080", weight: 1 },
      ],
      cache: { enabled: true, defaultTtlSecs: 300, honourOriginHeaders: true, staleWhileRevalidateSecs: 60, staleIfErrorSecs: 3_600 },
      waf: {
        mode: { block: {} },
        paranoia: 2,
        inboundThreshold: 7,
        outboundThreshold: 4,
        responseRules: true,
        excludedRuleIds: [920350, 942100],
        excludedTags: ["attack-lfi"],
      },
      ddos: { sensitivity: 4 },
      rateLimit: { requests: 600, windowSecs: 60, burst: 50 },
      bots: { mode: { enforce: {} }, challengeAt: 55, blockAt: 85 },
    };
    await registry.registerZone(reg, { owner: owner.publicKey, domain, policy }).rpc();
    const [zone] = zoneKey(domain);
    const routeA = { pattern: "/api/*", methods: ["GET", "POST"], modules: [CID], failMode: "closed" as const, timeoutMs: 20, fuel: 5_000_000, fetchAllow: ["api.shop.example.com"] };
    const routeB = { pattern: "re:^/img/.*\\.png$", modules: [CID, "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq"] };
    await registry.setZoneRoute(reg, { owner: owner.publicKey, zone, index: 0, route: routeToArgs(routeB) }).rpc();
    await registry.setZoneRoute(reg, { owner: owner.publicKey, zone, index: 0, route: routeToArgs(routeA) }).rpc();
    await expectError(
      registry.setZoneRoute(reg, { owner: owner.publicKey, zone, index: 5, route: routeToArgs(routeA) }).rpc(),
      "registry",
      "InvalidRouteIndex",
    );
    await registry.updateZonePolicy(reg, { owner: owner.publicKey, zone, policy: { ...policy, ddos: { sensitivity: 5 } } }).rpc();

    const account = await reg.account.zoneV0.fetch(zone);
    expect(account.owner.toBase58()).to.equal(owner.publicKey.toBase58());
    expect(account.policyVersion.toNumber()).to.equal(4);
    const parsed = zonePolicySchema.parse(zonePolicyFromAccount(account));
    expect(parsed.domain).to.equal(domain);
    expect(parsed.policyVersion).to.equal(4);
    expect(parsed.origins).to.deep.equal(policy.origins);
    expect(parsed.cache).to.deep.equal(policy.cache);
    expect(parsed.waf).to.deep.equal({
      mode: "block", paranoia: 2, inboundThreshold: 7, outboundThreshold: 4, responseRules: true,
      excludedRuleIds: [920350, 942100], excludedTags: ["attack-lfi"],
    });
    expect(parsed.ddos.sensitivity).to.equal(5);
    expect(parsed.rateLimit).to.deep.equal(policy.rateLimit);
    expect(parsed.bots).to.deep.equal({ mode: "enforce", challengeAt: 55, blockAt: 85 });
    expect(parsed.functions.map((f) => f.pattern)).to.deep.equal(["/api/*", "re:^/img/.*\\.png$"]);
    expect(parsed.functions[0]).to.deep.include({ methods: ["GET", "POST"], failMode: "closed", timeoutMs: 20, fuel: 5_000_000 });
    expect(parsed.functions[0]!.fetchAllow).to.deep.equal(["api.shop.example.com"]);
    expect(parsed.functions[1]!.modules).to.have.length(2);
    expect(parsed.functions[1]!.methods).to.deep.equal([]);
  });

  it("assigns the active node to the zone; the node lists its zones with one memcmp query", async () => {
    const reg = registryProgram(net.provider(proto.admin));
    const [zone] = zoneKey(domain);
    await registry.assignNode(reg, { assignmentAuthority: proto.admin.publicKey, node, zone }).rpc();
    const mine = await registry.assignmentsOf(registryProgram(net.provider(operator)), node);
    expect(mine.map((a) => a.publicKey.toBase58())).to.deep.equal([assignmentKey(node, zone)[0].toBase58()]);
    expect(mine[0]!.account.zone.toBase58()).to.equal(zone.toBase58());

    // A node that is only Registered cannot be assigned.
    await registry
      .registerNode(registryProgram(net.provider(operator2)), {
        operator: operator2.publicKey, identity: identity2.publicKey, metadataCid: CID, region: "us-east", capabilities: 1,
      })
      .signers([identity2])
      .rpc();
    await expectError(registry.assignNode(reg, { assignmentAuthority: proto.admin.publicKey, node: node2, zone }).rpc(), "registry", "NodeNotActive");
  });

  it("three oracles, quorum 2: two identical roots are accepted, a different root and an over-emission total are not", async () => {
    const leaves: RewardLeaf[] = [
      { node, destination: operatorAta, amount: aegis(1_234.5), metricsHash: randomBytes(32) },
      { node: node2, destination: operator2Ata, amount: aegis(2_000), metricsHash: randomBytes(32) },
      ...Array.from({ length: 5 }, () => ({ node: Keypair.generate().publicKey, destination: Keypair.generate().publicKey, amount: aegis(100), metricsHash: randomBytes(32) })),
    ];
    tree = new RewardTree(leaves);
    const other = new RewardTree(leaves.map((l, i) => (i === 0 ? { ...l, amount: l.amount * 2n } : l)));
    const sub = (i: number, t: RewardTree, total = t.total) =>
      rewards.submitRoot(rewardsProgram(net.provider(proto.oracles[i]!)), { oracle: proto.oracles[i]!.publicKey, epoch: 0, root: t.root, total }).rpc();

    await expectError(sub(0, tree), "rewards", "EpochNotEnded");
    await net.warp({ seconds: DAY + 5 });
    await expectError(sub(2, tree, DEFAULTS.initialEmission + 1n), "rewards", "TotalAboveEmission");
    const outsider = await net.fundedKeypair(1);
    await expectError(
      rewards.submitRoot(rewardsProgram(net.provider(outsider)), { oracle: outsider.publicKey, epoch: 0, root: tree.root, total: tree.total }).rpc(),
      "rewards",
      "NotOracle",
    );
    const fetchEpoch = () => rewardsProgram(net.provider(proto.admin)).account.rewardEpochV0.fetch(rewardEpochKey(0)[0]);
    await sub(0, tree);
    await sub(2, other);
    expect((await fetchEpoch()).acceptedAt.toNumber()).to.equal(0);
    await expectError(sub(0, new RewardTree(leaves.slice(1))), "rewards", "AlreadySubmitted");
    await sub(1, tree);
    const epoch = await fetchEpoch();
    expect(epoch.acceptedAt.toNumber()).to.be.greaterThan(0);
    expect(Buffer.from(epoch.acceptedRoot).equals(tree.root)).to.equal(true);
    expect(epoch.total.toString()).to.equal(tree.total.toString());
    expect(epoch.submissions).to.have.length(3);
  });

  it("anyone claims for the node with its proof; a double claim, another node's proof and an inflated amount fail", async () => {
    const claimer = await net.fundedKeypair(2);
    const program = rewardsProgram(net.provider(claimer));
    const i = tree.indexOf(node);
    const leaf = tree.leaves[i]!;
    const claim = (over: Partial<Parameters<typeof rewards.claim>[1]> = {}) =>
      rewards
        .claim(program, { payer: claimer.publicKey, epoch: 0, node, destination: leaf.destination, amount: leaf.amount, metricsHash: leaf.metricsHash, proof: tree.proof(i), ...over })
        .rpc();

    const j = tree.indexOf(node2);
    const leaf2 = tree.leaves[j]!;
    // node2's leaf and proof presented for node2 but with an inflated amount.
    await expectError(
      rewards.claim(program, { payer: claimer.publicKey, epoch: 0, node: node2, destination: operator2Ata, amount: leaf2.amount + 1n, metricsHash: leaf2.metricsHash, proof: tree.proof(j) }).rpc(),
      "rewards",
      "InvalidProof",
    );
    // node2's proof presented for the first node (to redirect node2's reward).
    await expectError(
      rewards.claim(program, { payer: claimer.publicKey, epoch: 0, node, destination: operator2Ata, amount: leaf2.amount, metricsHash: leaf2.metricsHash, proof: tree.proof(j) }).rpc(),
      "rewards",
      "InvalidProof",
    );
    expect(await proto.balance(operator2Ata)).to.equal(0n);

    await expectError(claim({ amount: leaf.amount + 1n }), "rewards", "InvalidProof");
    await expectError(claim({ proof: tree.proof(i).slice(1) }), "rewards", "InvalidProof");

    const before = await proto.balance(operatorAta);
    await claim();
    expect((await proto.balance(operatorAta)) - before).to.equal(leaf.amount);
    // The same claim again, sent by someone else (a distinct transaction).
    const other = await net.fundedKeypair(1);
    await expectError(
      rewards
        .claim(rewardsProgram(net.provider(other)), { payer: other.publicKey, epoch: 0, node, destination: leaf.destination, amount: leaf.amount, metricsHash: leaf.metricsHash, proof: tree.proof(i) })
        .rpc(),
      "rewards",
      "AlreadyClaimed",
    );
    const epoch = await program.account.rewardEpochV0.fetch(rewardEpochKey(0)[0]);
    expect(epoch.claimed.toString()).to.equal(leaf.amount.toString());
    expect(epoch.claims.toNumber()).to.equal(1);
  });

  it("enforces the unstake cooldown", async () => {
    await expectError(
      staking.requestUnstake(asOp(), { operator: operator.publicKey, amount: aegis(1_000.000001) }).rpc(),
      "staking",
      "InsufficientStake",
    );
    await staking.requestUnstake(asOp(), { operator: operator.publicKey, amount: aegis(500) }).rpc();
    await expectError(staking.withdraw(asOp(), { operator: operator.publicKey, destination: operatorAta }).rpc(), "staking", "CooldownActive");
    const rec = await asOp().account.voterWeightRecord.fetch(voterWeightRecordKey(operator.publicKey)[0]);
    expect(rec.voterWeight.toString()).to.equal(aegis(1_500).toString());
    await net.warp({ seconds: DEFAULTS.cooldownSecs + 5 });
  });

  it("rejects a slash above the cap, blocks withdrawal while a slash is pending, executes it after the window", async () => {
    const [stake] = stakeKey(operator.publicKey);
    const total = aegis(2_000); // 1,500 bonded + 500 unbonding
    const cap = (total * BigInt(DEFAULTS.maxSlashBpsPerEpoch)) / 10_000n;
    const propose = (i: number, amount: bigint, nonce: number) =>
      staking
        .proposeSlash(asOracle(i), {
          proposer: proto.oracles[i]!.publicKey, node, operator: operator.publicKey, nonce, amount, reason: 1,
          evidenceHash: randomBytes(32), evidenceUri: "ipfs://bafkreievidence",
        })
        .rpc();
    await expectError(propose(0, cap + 1n, 0), "staking", "SlashAboveCap");
    const amount = aegis(40); // 2 %: below the co-sign threshold
    await propose(0, amount, 0);
    const [proposal] = slashProposalKey(stake, 0);
    const p = await asOp().account.slashProposalV0.fetch(proposal);
    expect(p.status).to.deep.equal({ pending: {} });

    // The unstake cooldown has passed, but a slash is pending.
    await expectError(staking.withdraw(asOp(), { operator: operator.publicKey, destination: operatorAta }).rpc(), "staking", "SlashPending");
    const anyone = await net.fundedKeypair(1);
    const exec = () => staking.executeSlash(stakingProgram(net.provider(anyone)), { operator: operator.publicKey, proposal, node }).rpc();
    await expectError(exec(), "staking", "ChallengeWindowOpen");

    await net.warp({ seconds: DEFAULTS.challengeSecs + 5 });
    const treasuryBefore = await proto.balance(proto.treasury);
    await exec();
    expect((await proto.balance(proto.treasury)) - treasuryBefore).to.equal(amount);
    expect(await nodeStatus(node)).to.deep.equal({ jailed: {} });
    const n = await registryProgram(net.provider(operator)).account.nodeV0.fetch(node);
    expect(n.reputation).to.equal(10_000 - DEFAULTS.reputationPenalty);
    const s = await stakeOf();
    expect(s.amount.toString()).to.equal((aegis(1_500) - amount).toString());
    expect(s.pendingSlashes).to.equal(0);
    const rec = await asOp().account.voterWeightRecord.fetch(voterWeightRecordKey(operator.publicKey)[0]);
    expect(rec.voterWeight.toString()).to.equal(s.amount.toString());
    await expectError(
      staking.executeSlash(stakingProgram(net.provider(operator)), { operator: operator.publicKey, proposal, node }).rpc(),
      "staking",
      "NotExecutable",
    );

    // Now the matured unstake can be withdrawn.
    const before = await proto.balance(operatorAta);
    await staking.withdraw(asOp(), { operator: operator.publicKey, destination: operatorAta }).rpc();
    expect((await proto.balance(operatorAta)) - before).to.equal(aegis(500));
  });

  it("disputes: a co-signed slash is rejected by governance (bond returned), another is upheld (bond to the treasury)", async () => {
    // Jailed → Active again (stake still covers the minimum, no slash pending).
    await staking.activateNode(asOp(), { operator: operator.publicKey, node }).rpc();
    expect(await nodeStatus(node)).to.deep.equal({ active: {} });

    const [stake] = stakeKey(operator.publicKey);
    const gov = stakingProgram(net.provider(proto.admin));
    const bond = DEFAULTS.disputeBond;
    const propose = (i: number, amount: bigint, nonce: number) =>
      staking
        .proposeSlash(asOracle(i), {
          proposer: proto.oracles[i]!.publicKey, node, operator: operator.publicKey, nonce, amount, reason: 2,
          evidenceHash: randomBytes(32), evidenceUri: "ipfs://bafkreievidence2",
        })
        .rpc();

    // 100 AEGIS of 1,460 is 6.8 %: above the 5 % co-sign threshold.
    await propose(1, aegis(100), 1);
    const [p1] = slashProposalKey(stake, 1);
    expect((await gov.account.slashProposalV0.fetch(p1)).status).to.deep.equal({ awaitingCosign: {} });
    await expectError(
      staking.disputeSlash(asOp(), { operator: operator.publicKey, proposal: p1, source: operatorAta }).rpc(),
      "staking",
      "NotDisputable",
    );
    await expectError(staking.cosignSlash(asOracle(1), { cosigner: proto.oracles[1]!.publicKey, proposal: p1 }).rpc(), "staking", "SameOracle");
    await staking.cosignSlash(asOracle(2), { cosigner: proto.oracles[2]!.publicKey, proposal: p1 }).rpc();
    expect((await gov.account.slashProposalV0.fetch(p1)).status).to.deep.equal({ pending: {} });

    let opBalance = await proto.balance(operatorAta);
    await staking.disputeSlash(asOp(), { operator: operator.publicKey, proposal: p1, source: operatorAta }).rpc();
    expect(opBalance - (await proto.balance(operatorAta))).to.equal(bond);
    const stakeBefore = (await stakeOf()).amount.toString();
    await staking
      .resolveDispute(gov, { authority: proto.admin.publicKey, operator: operator.publicKey, proposal: p1, node, operatorTokenAccount: operatorAta, uphold: false })
      .rpc();
    expect(await proto.balance(operatorAta)).to.equal(opBalance);
    expect((await stakeOf()).amount.toString()).to.equal(stakeBefore);
    expect((await gov.account.slashProposalV0.fetch(p1)).status).to.deep.equal({ rejected: {} });
    expect(await nodeStatus(node)).to.deep.equal({ active: {} });

    // Second proposal: disputed, upheld.
    await propose(0, aegis(40), 2);
    const [p2] = slashProposalKey(stake, 2);
    opBalance = await proto.balance(operatorAta);
    await staking.disputeSlash(asOp(), { operator: operator.publicKey, proposal: p2, source: operatorAta }).rpc();
    const treasuryBefore = await proto.balance(proto.treasury);
    await staking
      .resolveDispute(gov, { authority: proto.admin.publicKey, operator: operator.publicKey, proposal: p2, node, operatorTokenAccount: operatorAta, uphold: true })
      .rpc();
    expect((await proto.balance(proto.treasury)) - treasuryBefore).to.equal(aegis(40) + bond);
    expect(await proto.balance(operatorAta)).to.equal(opBalance - bond);
    expect((await stakeOf()).amount.toString()).to.equal((BigInt(stakeBefore) - aegis(40)).toString());
    expect((await gov.account.slashProposalV0.fetch(p2)).status).to.deep.equal({ executed: {} });
    expect(await nodeStatus(node)).to.deep.equal({ jailed: {} });
  });

  it("exits the node: Jailed → Exiting → Exited after the cooldown, then the whole stake can unbond", async () => {
    await staking.beginExit(asOp(), { operator: operator.publicKey, node }).rpc();
    expect(await nodeStatus(node)).to.deep.equal({ exiting: {} });
    await expectError(staking.completeExit(asOp(), { operator: operator.publicKey, node }).rpc(), "staking", "ExitCooldownActive");
    await net.warp({ seconds: DEFAULTS.cooldownSecs + 5 });
    await staking.completeExit(asOp(), { operator: operator.publicKey, node }).rpc();
    expect(await nodeStatus(node)).to.deep.equal({ exited: {} });
    const s = await stakeOf();
    expect(s.bondedNodes).to.equal(0);
    await staking.requestUnstake(asOp(), { operator: operator.publicKey, amount: BigInt(s.amount.toString()) }).rpc();
    expect((await stakeOf()).amount.toNumber()).to.equal(0);
  });

  it("returns unclaimed rewards to the treasury after the claim horizon", async () => {
    const payer = await net.fundedKeypair(1);
    const program = rewardsProgram(net.provider(payer));
    await expectError(rewards.sweepUnclaimed(program, { payer: payer.publicKey, epoch: 0 }).rpc(), "rewards", "HorizonNotReached");
    await net.warp({ seconds: DEFAULTS.claimHorizonSecs + 5 });
    const epoch = await program.account.rewardEpochV0.fetch(rewardEpochKey(0)[0]);
    const unclaimed = DEFAULTS.initialEmission - BigInt(epoch.claimed.toString());
    const before = await proto.balance(proto.treasury);
    await rewards.sweepUnclaimed(program, { payer: payer.publicKey, epoch: 0 }).rpc();
    expect((await proto.balance(proto.treasury)) - before).to.equal(unclaimed);
    expect(await proto.balance(rewardsVaultKey()[0])).to.equal(0n);
    // node2 never claimed in time: its valid proof is now refused.
    const j = tree.indexOf(node2);
    const leaf2 = tree.leaves[j]!;
    await expectError(
      rewards.claim(program, { payer: payer.publicKey, epoch: 0, node: node2, destination: operator2Ata, amount: leaf2.amount, metricsHash: leaf2.metricsHash, proof: tree.proof(j) }).rpc(),
      "rewards",
      "ClaimWindowClosed",
    );
    expect(await proto.balance(operator2Ata)).to.equal(0n);
  });

  it("every account has the size the SDK and docs/protocol.md state", async () => {
    const size = async (k: PublicKey) => (await net.connection.getAccountInfo(k))!.data.length;
    const [stake] = stakeKey(operator.publicKey);
    const expected: Array<[PublicKey, number]> = [
      [tokenConfigKey()[0], ACCOUNT_SIZES.tokenConfigV0],
      [emissionKey(0)[0], ACCOUNT_SIZES.emissionV0],
      [registryConfigKey()[0], ACCOUNT_SIZES.registryConfigV0],
      [node, ACCOUNT_SIZES.nodeV0],
      [zoneKey(domain)[0], ACCOUNT_SIZES.zoneV0],
      [assignmentKey(node, zoneKey(domain)[0])[0], ACCOUNT_SIZES.assignmentV0],
      [stakingConfigKey()[0], ACCOUNT_SIZES.stakingConfigV0],
      [stake, ACCOUNT_SIZES.stakeV0],
      [slashProposalKey(stake, 0)[0], ACCOUNT_SIZES.slashProposalV0],
      [voterWeightRecordKey(operator.publicKey)[0], ACCOUNT_SIZES.voterWeightRecord],
      [rewardsConfigKey()[0], ACCOUNT_SIZES.rewardsConfigV0],
      [rewardEpochKey(0)[0], ACCOUNT_SIZES.rewardEpochV0],
      [claimMarkerKey(0, node)[0], ACCOUNT_SIZES.claimMarkerV0],
      [rewardsVaultKey()[0], ACCOUNT_SIZES.splTokenAccount],
      [proto.mint, ACCOUNT_SIZES.splMint],
    ];
    for (const [k, n] of expected) expect(await size(k), k.toBase58()).to.equal(n);
  });
});
