import { expect } from "chai";
import BN from "bn.js";
import { Keypair, Transaction, sendAndConfirmTransaction, type TransactionInstruction } from "@solana/web3.js";
import { createMint, getOrCreateAssociatedTokenAccount, mintTo } from "@solana/spl-token";
import {
  GovernanceConfig,
  MintMaxVoteWeightSource,
  Proposal,
  ProposalState,
  TokenOwnerRecord,
  VoteThreshold,
  VoteThresholdType,
  VoteTipping,
  VoteType,
  getAllProposals,
  getGovernanceAccounts,
  getRealm,
  pubkeyFilter,
  withCreateGovernance,
  withCreateProposal,
  withCreateRealm,
  withDepositGoverningTokens,
} from "@solana/spl-governance";
import { GOVERNANCE_PROGRAM_ID } from "../../sdk/src/index.js";
import { startLocalnet, type Localnet } from "../helpers/localnet.js";

/** spl-governance 4.0.0 is program version 3. */
const PROGRAM_VERSION = 3;

describe("localnet: SPL Governance (Realms) runs natively", function () {
  let net: Localnet;
  before(async () => {
    net = await startLocalnet();
  });
  after(async () => {
    await net?.stop();
  });

  it("creates a realm, deposits governing tokens, creates a governance and a proposal", async () => {
    const c = net.connection;
    const payer = await net.fundedKeypair(20);
    const communityMint = await createMint(c, payer, payer.publicKey, null, 6);
    const source = await getOrCreateAssociatedTokenAccount(c, payer, communityMint, payer.publicKey);
    await mintTo(c, payer, communityMint, source.address, payer, 1_000_000_000n);
    const send = async (ixs: TransactionInstruction[]): Promise<void> => {
      await sendAndConfirmTransaction(c, new Transaction().add(...ixs), [payer]);
    };

    const name = `aegis-test-${Keypair.generate().publicKey.toBase58().slice(0, 8)}`;
    let ixs: TransactionInstruction[] = [];
    const realm = await withCreateRealm(
      ixs, GOVERNANCE_PROGRAM_ID, PROGRAM_VERSION, name, payer.publicKey, communityMint, payer.publicKey,
      undefined, MintMaxVoteWeightSource.FULL_SUPPLY_FRACTION, new BN(1),
    );
    await send(ixs);

    ixs = [];
    const tokenOwnerRecord = await withDepositGoverningTokens(
      ixs, GOVERNANCE_PROGRAM_ID, PROGRAM_VERSION, realm, source.address, communityMint, payer.publicKey,
      payer.publicKey, payer.publicKey, new BN(250_000_000),
    );
    await send(ixs);

    const config = new GovernanceConfig({
      communityVoteThreshold: new VoteThreshold({ type: VoteThresholdType.YesVotePercentage, value: 60 }),
      minCommunityTokensToCreateProposal: new BN(1),
      minInstructionHoldUpTime: 0,
      baseVotingTime: 3600,
      communityVoteTipping: VoteTipping.Strict,
      minCouncilTokensToCreateProposal: new BN(1),
      councilVoteThreshold: new VoteThreshold({ type: VoteThresholdType.Disabled }),
      councilVetoVoteThreshold: new VoteThreshold({ type: VoteThresholdType.Disabled }),
      communityVetoVoteThreshold: new VoteThreshold({ type: VoteThresholdType.Disabled }),
      councilVoteTipping: VoteTipping.Disabled,
      votingCoolOffTime: 0,
      depositExemptProposalCount: 10,
    });
    ixs = [];
    const governance = await withCreateGovernance(
      ixs, GOVERNANCE_PROGRAM_ID, PROGRAM_VERSION, realm, undefined, config, tokenOwnerRecord, payer.publicKey, payer.publicKey,
    );
    await send(ixs);

    ixs = [];
    const proposal = await withCreateProposal(
      ixs, GOVERNANCE_PROGRAM_ID, PROGRAM_VERSION, realm, governance, tokenOwnerRecord, "Raise the minimum stake",
      "https://example.invalid/aip-1", communityMint, payer.publicKey, 0, VoteType.SINGLE_CHOICE, ["Approve"], true, payer.publicKey,
    );
    await send(ixs);

    const realmAccount = await getRealm(c, realm);
    expect(realmAccount.account.name).to.equal(name);
    expect(realmAccount.account.communityMint.toBase58()).to.equal(communityMint.toBase58());
    const records = await getGovernanceAccounts(c, GOVERNANCE_PROGRAM_ID, TokenOwnerRecord, [pubkeyFilter(1, realm)!]);
    expect(records).to.have.length(1);
    expect(records[0]!.account.governingTokenDepositAmount.toString()).to.equal("250000000");
    const proposals = (await getAllProposals(c, GOVERNANCE_PROGRAM_ID, realm)).flat();
    expect(proposals.map((p) => p.pubkey.toBase58())).to.deep.equal([proposal.toBase58()]);
    const p: Proposal = proposals[0]!.account;
    expect(p.name).to.equal("Raise the minimum stake");
    expect(p.state).to.equal(ProposalState.Draft);
    expect(p.governance.toBase58()).to.equal(governance.toBase58());
  });
});
