/**
 * DAO governance through SPL Governance 4.0.0 (Realms) on localnet: the realm from
 * migrations/bootstrap.ts, voting power from bonded stake (staking program add-in), parameter
 * changes, the treasury and slash disputes as proposals, and the council's emergency pause.
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { Keypair, PublicKey, Transaction, sendAndConfirmTransaction, type TransactionInstruction } from "@solana/web3.js";
import { createTransferInstruction, transfer } from "@solana/spl-token";
import {
  Governance,
  ProposalState,
  RealmConfigAccount,
  VoteRecord,
  createInstructionData,
  getAllProposals,
  getGovernanceAccount,
  getGovernanceAccounts,
  getProposal,
  getProposalTransactionAddress,
  getRealm,
  getRealmConfigAddress,
  getVoteRecordAddress,
  pubkeyFilter,
  withExecuteTransaction,
} from "@solana/spl-governance";
import {
  GOVERNANCE_PROGRAM_ID,
  GOVERNANCE_PROGRAM_VERSION,
  STAKING_PROGRAM_ID,
  RewardTree,
  nodeKey,
  planProposal,
  registry,
  registryProgram,
  rewards,
  rewardsProgram,
  slashProposalKey,
  stakeKey,
  staking,
  stakingConfigKey,
  stakingProgram,
  token,
  tokenOwnerRecordKey,
  tokenProgram,
  voteInstructions,
} from "../../sdk/src/index.js";
import { bootstrapRealm, joinRealm, type RealmAddresses } from "../../migrations/bootstrap.js";
import { startLocalnet, type Localnet } from "../helpers/localnet.js";
import { aegis, bootstrapProtocol, expectError, type Protocol } from "../protocol/setup.js";

const VOTING = 3_600;
const HOLD_UP = 600;
const COOLDOWN = 600;
const CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

/** Asserts an spl-governance instruction failed with GovernanceError `code`. */
async function expectGovError(p: Promise<unknown>, code: number): Promise<void> {
  try {
    await p;
  } catch (e) {
    const text = `${String(e)} ${((e as { logs?: string[] }).logs ?? []).join("\n")}`;
    expect(text).to.include(`custom program error: 0x${code.toString(16)}`);
    return;
  }
  expect.fail(`expected spl-governance error ${code}`);
}

describe("governance through Realms (SPL Governance)", function () {
  this.timeout(240_000);
  let net: Localnet;
  let proto: Protocol;
  let dao: RealmAddresses;
  const council = [Keypair.generate(), Keypair.generate(), Keypair.generate()];
  const [alice, bob, carol, dave, eve] = Array.from({ length: 5 }, () => Keypair.generate()) as [Keypair, Keypair, Keypair, Keypair, Keypair];
  const ata = new Map<string, PublicKey>();
  const identity = Keypair.generate();
  const [aliceNode] = nodeKey(identity.publicKey);
  let tree: RewardTree;

  const send = (ixs: TransactionInstruction[], signers: Keypair[]) =>
    sendAndConfirmTransaction(net.connection, new Transaction().add(...ixs), signers, { commitment: "confirmed" });
  const stakeAs = (kp: Keypair) => stakingProgram(net.provider(kp));
  const ataOf = (kp: Keypair) => ata.get(kp.publicKey.toBase58())!;
  const config = () => stakeAs(proto.admin).account.stakingConfigV0.fetch(stakingConfigKey()[0]);

  /** Proposes `instructions` on a governance; community proposals carry the proposer's stake weight. */
  async function propose(governance: PublicKey, proposer: Keypair, name: string, instructions: TransactionInstruction[], holdUpSecs: number) {
    const community = !governance.equals(dao.governances.emergency);
    const plan = await planProposal({
      realm: dao.realm,
      governance,
      governingTokenMint: community ? dao.communityMint : dao.councilMint,
      proposer: proposer.publicKey,
      name,
      descriptionLink: `https://forum.aegis.example/${name.toLowerCase().replaceAll(" ", "-")}`,
      instructions,
      holdUpSecs,
      staking: community ? stakeAs(proposer) : undefined,
    });
    for (const tx of plan.transactions) await send(tx, [proposer]);
    return plan.proposal;
  }

  async function vote(governance: PublicKey, proposal: PublicKey, proposer: Keypair, voter: Keypair, approve: boolean) {
    const community = !governance.equals(dao.governances.emergency);
    const mint = community ? dao.communityMint : dao.councilMint;
    const ixs = await voteInstructions({
      realm: dao.realm,
      governance,
      proposal,
      proposalOwnerRecord: await tokenOwnerRecordKey(dao.realm, mint, proposer.publicKey),
      governingTokenMint: mint,
      voter: voter.publicKey,
      approve,
      staking: community ? stakeAs(voter) : undefined,
    });
    await send(ixs, [voter]);
  }

  /** Runs every inserted transaction of a passed proposal (anyone may). */
  async function execute(governance: PublicKey, proposal: PublicKey, instructions: TransactionInstruction[]) {
    const payer = await net.fundedKeypair(1);
    for (const [i, ix] of instructions.entries()) {
      const address = await getProposalTransactionAddress(GOVERNANCE_PROGRAM_ID, GOVERNANCE_PROGRAM_VERSION, proposal, 0, i);
      const ixs: TransactionInstruction[] = [];
      await withExecuteTransaction(ixs, GOVERNANCE_PROGRAM_ID, GOVERNANCE_PROGRAM_VERSION, governance, proposal, address, [createInstructionData(ix)]);
      await send(ixs, [payer]);
    }
  }

  const state = async (proposal: PublicKey) => (await getProposal(net.connection, proposal)).account.state;

  before(async () => {
    net = await startLocalnet();
    proto = await bootstrapProtocol(net, { staking: { cooldownSecs: COOLDOWN } });
    for (const kp of [alice, bob, carol, dave, eve, ...council]) {
      const sig = await net.connection.requestAirdrop(kp.publicKey, 10e9);
      await net.connection.confirmTransaction({ signature: sig, ...(await net.connection.getLatestBlockhash()) }, "confirmed");
    }
    const stakes: Array<[Keypair, number]> = [[alice, 3_000], [bob, 1_000], [carol, 1_500], [dave, 1_000], [eve, 2_000]];
    for (const [kp, amount] of stakes) {
      ata.set(kp.publicKey.toBase58(), await proto.fund(kp.publicKey, aegis(amount + 500)));
      await staking.stake(stakeAs(kp), { operator: kp.publicKey, source: ataOf(kp), amount: aegis(amount) }).rpc();
    }
    // Alice runs an Active node with an accepted epoch-0 reward (claimed during the pause test).
    await registry
      .registerNode(registryProgram(net.provider(alice)), { operator: alice.publicKey, identity: identity.publicKey, metadataCid: CID, region: "eu-west", capabilities: 31 })
      .signers([identity])
      .rpc();
    await staking.activateNode(stakeAs(alice), { operator: alice.publicKey, node: aliceNode }).rpc();
    await token.mintEpochEmission(tokenProgram(net.provider(proto.admin)), { payer: proto.admin.publicKey, epoch: 0 }).rpc();
    tree = new RewardTree([{ node: aliceNode, destination: ataOf(alice), amount: aegis(1_000), metricsHash: randomBytes(32) }]);
    await net.warp({ seconds: 86_400 + 5 });
    for (const o of proto.oracles.slice(0, 2)) {
      await rewards.submitRoot(rewardsProgram(net.provider(o)), { oracle: o.publicKey, epoch: 0, root: tree.root, total: tree.total }).rpc();
    }
    // Carol unbonds everything; Dave unbonds and withdraws; Eve unbonds (her withdrawal matures later).
    for (const kp of [carol, dave, eve]) {
      const amount = (await stakeAs(kp).account.stakeV0.fetch(stakeKey(kp.publicKey)[0])).amount;
      await staking.requestUnstake(stakeAs(kp), { operator: kp.publicKey, amount: BigInt(amount.toString()) }).rpc();
    }
    await net.warp({ seconds: COOLDOWN + 1 });
    await staking.withdraw(stakeAs(dave), { operator: dave.publicKey, destination: ataOf(dave) }).rpc();

    dao = await bootstrapRealm(net.connection, proto.admin, {
      name: `AEGIS-${randomBytes(3).toString("hex")}`,
      council,
      community: { votingSecs: VOTING, holdUpSecs: HOLD_UP, yesPercent: 50 },
      emergency: { votingSecs: VOTING, holdUpSecs: 0, yesPercent: 60 },
    });
    for (const kp of [alice, bob, carol, dave]) await joinRealm(net.connection, kp, dao.realm);
  });
  after(async () => {
    await net?.stop();
  });

  it("full cycle: a stake-weighted proposal raises the minimum stake after the hold-up; the former admin key no longer can", async () => {
    const protocol = dao.governances.protocol;
    const change = await staking
      .updateStakingConfig(stakeAs(proto.admin), { authority: protocol, params: { minStake: aegis(2_000) } })
      .instruction();
    const proposal = await propose(protocol, alice, "Raise the minimum stake to 2000", [change], HOLD_UP);
    expect(await state(proposal)).to.equal(ProposalState.Voting);

    await vote(protocol, proposal, alice, alice, true);
    const p = (await getProposal(net.connection, proposal)).account;
    // Alice's weight is her bonded stake: 3,000 of the 4,000 bonded in total (max voter weight).
    expect(p.options[0]!.voteWeight.toString()).to.equal(aegis(3_000).toString());
    expect(p.maxVoteWeight!.toString()).to.equal(aegis(4_000).toString());
    expect(p.state).to.equal(ProposalState.Succeeded);

    await expectGovError(execute(protocol, proposal, [change]), 525); // CannotExecuteTransactionWithinHoldUpTime
    expect((await config()).minStake.toString()).to.equal(aegis(1_000).toString());
    await net.warp({ seconds: HOLD_UP + 1 });
    await execute(protocol, proposal, [change]);
    expect((await config()).minStake.toString()).to.equal(aegis(2_000).toString());
    expect(await state(proposal)).to.equal(ProposalState.Completed);

    await expectError(
      staking.updateStakingConfig(stakeAs(proto.admin), { authority: proto.admin.publicKey, params: { minStake: aegis(1) } }).rpc(),
      "staking",
      "Unauthorized",
    );
    await expectError(
      registry.updateRegistryConfig(registryProgram(net.provider(proto.admin)), { admin: proto.admin.publicKey, newAdmin: proto.admin.publicKey }).rpc(),
      "registry",
      "Unauthorized",
    );
  });

  it("a defeated proposal changes nothing; unbonded and withdrawn stake vote with zero weight; double voting fails", async () => {
    const protocol = dao.governances.protocol;
    const change = await staking
      .updateStakingConfig(stakeAs(proto.admin), { authority: protocol, params: { minStake: aegis(5_000) } })
      .instruction();
    const proposal = await propose(protocol, alice, "Raise the minimum stake to 5000", [change], HOLD_UP);

    await vote(protocol, proposal, alice, carol, true); // unbonded
    await vote(protocol, proposal, alice, dave, true); // withdrawn
    await vote(protocol, proposal, alice, bob, true);
    await net.nextBlockhash();
    await expectGovError(vote(protocol, proposal, alice, bob, true), 519); // VoteAlreadyExists
    for (const [kp, weight] of [[carol, 0n], [dave, 0n], [bob, aegis(1_000)]] as const) {
      const tor = await tokenOwnerRecordKey(dao.realm, dao.communityMint, kp.publicKey);
      const record = await getGovernanceAccount(net.connection, await getVoteRecordAddress(GOVERNANCE_PROGRAM_ID, proposal, tor), VoteRecord);
      expect(record.account.voterWeight!.toString(), kp.publicKey.toBase58()).to.equal(weight.toString());
    }
    expect((await getProposal(net.connection, proposal)).account.options[0]!.voteWeight.toString()).to.equal(aegis(1_000).toString());

    await vote(protocol, proposal, alice, alice, false);
    const p = (await getProposal(net.connection, proposal)).account;
    expect(p.state).to.equal(ProposalState.Defeated);
    expect(p.denyVoteWeight!.toString()).to.equal(aegis(3_000).toString());
    await net.warp({ seconds: HOLD_UP + 1 });
    await expectGovError(execute(protocol, proposal, [change]), 524); // InvalidStateCannotExecuteTransaction
    expect((await config()).minStake.toString()).to.equal(aegis(2_000).toString());
  });

  it("moves treasury funds only through a passed proposal", async () => {
    const amount = aegis(5_000);
    // The former owner's signature no longer moves treasury funds (SPL Token OwnerMismatch, 0x4).
    const direct = await transfer(net.connection, proto.admin, proto.treasury, ataOf(bob), proto.admin, amount).then(() => "sent", (e: unknown) => String(e));
    expect(direct).to.include("custom program error: 0x4");
    const treasury = dao.governances.treasury;
    const pay = createTransferInstruction(proto.treasury, ataOf(bob), dao.treasuryOwner, amount);
    const proposal = await propose(treasury, alice, "Grant 5000 AEGIS to bob", [pay], HOLD_UP);
    await vote(treasury, proposal, alice, alice, true);
    expect(await state(proposal)).to.equal(ProposalState.Succeeded);
    const before = await proto.balance(ataOf(bob));
    await net.warp({ seconds: HOLD_UP + 1 });
    await execute(treasury, proposal, [pay]);
    expect((await proto.balance(ataOf(bob))) - before).to.equal(amount);
  });

  it("resolves a slash dispute by proposal: rejected, the bond returns to the operator", async () => {
    const oracle = proto.oracles[0]!;
    const [stake] = stakeKey(alice.publicKey);
    await staking
      .proposeSlash(stakeAs(oracle), {
        proposer: oracle.publicKey, node: aliceNode, operator: alice.publicKey, nonce: 0, amount: aegis(10), reason: 1,
        evidenceHash: randomBytes(32), evidenceUri: "ipfs://bafkreievidence",
      })
      .rpc();
    const [slash] = slashProposalKey(stake, 0);
    const bondPaid = await proto.balance(ataOf(alice));
    await staking.disputeSlash(stakeAs(alice), { operator: alice.publicKey, proposal: slash, source: ataOf(alice) }).rpc();
    const resolve = await staking
      .resolveDispute(stakeAs(proto.admin), {
        authority: dao.governances.protocol, operator: alice.publicKey, proposal: slash, node: aliceNode, operatorTokenAccount: ataOf(alice), uphold: false,
      })
      .instruction();
    const proposal = await propose(dao.governances.protocol, alice, "Reject slash 0 of alice", [resolve], HOLD_UP);
    await vote(dao.governances.protocol, proposal, alice, alice, true);
    await net.warp({ seconds: HOLD_UP + 1 });
    await execute(dao.governances.protocol, proposal, [resolve]);
    expect((await stakeAs(alice).account.slashProposalV0.fetch(slash)).status).to.deep.equal({ rejected: {} });
    expect(await proto.balance(ataOf(alice))).to.equal(bondPaid);
  });

  it("emergency: the council pauses stakes, claims, registrations and slashes; a matured withdrawal still works; the council unpauses", async () => {
    const emergency = dao.governances.emergency;
    const switches = (paused: boolean) =>
      Promise.all([
        registry.setPaused(registryProgram(net.provider(proto.admin)), { pauseAuthority: emergency, paused }).instruction(),
        staking.setPaused(stakeAs(proto.admin), { pauseAuthority: emergency, paused }).instruction(),
        rewards.setPaused(rewardsProgram(net.provider(proto.admin)), { pauseAuthority: emergency, paused }).instruction(),
      ]);
    // No single key: the former admin cannot pause, nor can a council member alone.
    await expectError(staking.setPaused(stakeAs(proto.admin), { pauseAuthority: proto.admin.publicKey, paused: true }).rpc(), "staking", "NotPauseAuthority");

    const pause = await switches(true);
    const proposal = await propose(emergency, council[0]!, "Emergency pause", pause, 0);
    await vote(emergency, proposal, council[0]!, council[0]!, true);
    expect(await state(proposal)).to.equal(ProposalState.Voting); // 1 of 3 is below 60 %
    await vote(emergency, proposal, council[0]!, council[1]!, true);
    expect(await state(proposal)).to.equal(ProposalState.Succeeded);
    // A zero hold-up still means "after the second the vote completed" (spl-governance compares with >=).
    await net.warp({ seconds: 1 });
    await execute(emergency, proposal, pause);

    const claim = () =>
      rewards
        .claim(rewardsProgram(net.provider(bob)), {
          payer: bob.publicKey, epoch: 0, node: aliceNode, destination: ataOf(alice), amount: aegis(1_000), metricsHash: tree.leaves[0]!.metricsHash, proof: tree.proof(0),
        })
        .rpc();
    await expectError(staking.stake(stakeAs(bob), { operator: bob.publicKey, source: ataOf(bob), amount: aegis(1) }).rpc(), "staking", "Paused");
    await expectError(claim(), "rewards", "Paused");
    const newcomer = Keypair.generate();
    await expectError(
      registry.registerNode(registryProgram(net.provider(bob)), { operator: bob.publicKey, identity: newcomer.publicKey, metadataCid: CID, region: "us-east", capabilities: 1 }).signers([newcomer]).rpc(),
      "registry",
      "Paused",
    );
    const oracle = proto.oracles[1]!;
    await expectError(
      staking
        .proposeSlash(stakeAs(oracle), {
          proposer: oracle.publicKey, node: aliceNode, operator: alice.publicKey, nonce: 1, amount: aegis(1), reason: 1, evidenceHash: randomBytes(32), evidenceUri: "ipfs://x",
        })
        .rpc(),
      "staking",
      "Paused",
    );
    const eveBefore = await proto.balance(ataOf(eve));
    await staking.withdraw(stakeAs(eve), { operator: eve.publicKey, destination: ataOf(eve) }).rpc();
    expect((await proto.balance(ataOf(eve))) - eveBefore).to.equal(aegis(2_000));

    const unpause = await switches(false);
    const proposal2 = await propose(emergency, council[2]!, "Emergency unpause", unpause, 0);
    await vote(emergency, proposal2, council[2]!, council[2]!, true);
    await vote(emergency, proposal2, council[2]!, council[0]!, true);
    await net.warp({ seconds: 1 });
    await execute(emergency, proposal2, unpause);
    const aliceBefore = await proto.balance(ataOf(alice));
    await claim();
    expect((await proto.balance(ataOf(alice))) - aliceBefore).to.equal(aegis(1_000));
    await staking.stake(stakeAs(bob), { operator: bob.publicKey, source: ataOf(bob), amount: aegis(1) }).rpc();
  });

  it("reads the realm, its governances and proposals back the way Realms does", async () => {
    const realm = await getRealm(net.connection, dao.realm);
    expect(realm.account.communityMint.toBase58()).to.equal(dao.communityMint.toBase58());
    expect(realm.account.config.councilMint!.toBase58()).to.equal(dao.councilMint.toBase58());
    expect(realm.account.authority!.toBase58()).to.equal(dao.governances.protocol.toBase58());

    const realmConfig = await getGovernanceAccount(net.connection, await getRealmConfigAddress(GOVERNANCE_PROGRAM_ID, dao.realm), RealmConfigAccount);
    expect(realmConfig.account.communityTokenConfig.voterWeightAddin!.toBase58()).to.equal(STAKING_PROGRAM_ID.toBase58());
    expect(realmConfig.account.communityTokenConfig.maxVoterWeightAddin!.toBase58()).to.equal(STAKING_PROGRAM_ID.toBase58());

    const governances = await getGovernanceAccounts(net.connection, GOVERNANCE_PROGRAM_ID, Governance, [pubkeyFilter(1, dao.realm)!]);
    const byKey = new Map(governances.map((g) => [g.pubkey.toBase58(), g.account]));
    expect(byKey.size).to.equal(3);
    const emergency = byKey.get(dao.governances.emergency.toBase58())!;
    expect(emergency.config.councilVoteThreshold.value).to.equal(60);
    expect(emergency.config.minInstructionHoldUpTime).to.equal(0);
    expect(byKey.get(dao.governances.protocol.toBase58())!.config.communityVoteThreshold.value).to.equal(50);

    const proposals = (await getAllProposals(net.connection, GOVERNANCE_PROGRAM_ID, dao.realm)).flat();
    const states = proposals.map((p) => `${p.account.name}: ${ProposalState[p.account.state]}`).sort();
    expect(states).to.deep.equal([
      "Emergency pause: Completed",
      "Emergency unpause: Completed",
      "Grant 5000 AEGIS to bob: Completed",
      "Raise the minimum stake to 2000: Completed",
      "Raise the minimum stake to 5000: Defeated",
      "Reject slash 0 of alice: Completed",
    ]);
  });
});
