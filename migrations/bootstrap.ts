/**
 * Deploy-time bootstrap, in two steps:
 * 1. `initProtocol`: initialise token, rewards, staking and registry with the deployer as the
 *    temporary authority, set the oracle set, mint the genesis allocation into the treasury.
 * 2. `bootstrapRealm`: create the AEGIS realm on SPL Governance (community mint $AEGIS with the
 *    staking program as voter-weight and max-voter-weight add-in, a council mint), the three
 *    governances, and hand every authority to them. Afterwards no single key changes a parameter.
 * Both are used by `npm start` (scripts/up.ts), by tests and by deploys to devnet.
 */
import BN from "bn.js";
import { AnchorProvider, Wallet } from "@coral-xyz/anchor";
import { Keypair, PublicKey, Transaction, sendAndConfirmTransaction, type Connection, type TransactionInstruction } from "@solana/web3.js";
import {
  AuthorityType,
  createMint,
  createSetAuthorityInstruction,
  getOrCreateAssociatedTokenAccount,
  mintTo,
} from "@solana/spl-token";
import {
  GovernanceConfig,
  GoverningTokenConfigAccountArgs,
  GoverningTokenType,
  MintMaxVoteWeightSource,
  SetRealmAuthorityAction,
  VoteThreshold,
  VoteThresholdType,
  VoteTipping,
  withCreateGovernance,
  withCreateNativeTreasury,
  withCreateRealm,
  withCreateTokenOwnerRecord,
  withDepositGoverningTokens,
  withSetRealmAuthority,
} from "@solana/spl-governance";
import {
  DEFAULTS,
  GENESIS_ALLOCATION,
  GOVERNANCE_PROGRAM_ID,
  GOVERNANCE_PROGRAM_VERSION,
  STAKING_PROGRAM_ID,
  governanceKey,
  governedSeed,
  mintKey,
  nativeTreasuryKey,
  registry,
  registryProgram,
  rewards,
  rewardsProgram,
  stakeAuthorityKey,
  staking,
  stakingProgram,
  token,
  tokenConfigKey,
  tokenOwnerRecordKey,
  tokenProgram,
  treasuryKey,
  type GovernanceName,
} from "../sdk/src/index.js";
import type { StakingParams } from "../sdk/src/functions/staking.js";
import type { InitializeTokenArgs } from "../sdk/src/functions/token.js";

const U64_MAX = new BN("18446744073709551615");

export interface ProtocolOptions {
  oracles: PublicKey[];
  quorum: number;
  /** Writes node ↔ zone assignments (a keeper key); the deployer when omitted. */
  assignmentAuthority?: PublicKey;
  token?: Partial<Omit<InitializeTokenArgs, "payer" | "authority" | "treasuryOwner">>;
  staking?: Partial<StakingParams>;
  claimHorizonSecs?: number;
  /** Minted into the treasury at genesis (base units); the whole GENESIS_ALLOCATION when omitted. */
  genesisAmount?: bigint;
}

export interface ProtocolAddresses {
  mint: PublicKey;
  treasury: PublicKey;
}

/** True once `initProtocol` ran on this cluster (the token config exists). */
export async function protocolInitialized(connection: Connection): Promise<boolean> {
  return (await connection.getAccountInfo(tokenConfigKey()[0])) !== null;
}

/** Step 1: the four programs, with `deployer` as every authority until `bootstrapRealm`. */
export async function initProtocol(connection: Connection, deployer: Keypair, o: ProtocolOptions): Promise<ProtocolAddresses> {
  const p = providerFor(connection, deployer);
  const a = deployer.publicKey;
  await token.initializeToken(tokenProgram(p), { payer: a, authority: a, treasuryOwner: a, ...o.token }).rpc();
  await rewards.initializeRewards(rewardsProgram(p), { payer: a, authority: a, claimHorizonSecs: o.claimHorizonSecs }).rpc();
  await staking.initializeStaking(stakingProgram(p), { payer: a, authority: a, params: o.staking }).rpc();
  const reg = registryProgram(p);
  await registry.initializeRegistry(reg, { payer: a, admin: a }).rpc();
  await registry
    .updateRegistryConfig(reg, { admin: a, stakeAuthority: stakeAuthorityKey()[0], assignmentAuthority: o.assignmentAuthority ?? a })
    .rpc();
  await registry.setOracles(reg, { admin: a, oracles: o.oracles, quorum: o.quorum }).rpc();
  await token.mintGenesis(tokenProgram(p), { authority: a, amount: o.genesisAmount ?? GENESIS_ALLOCATION }).rpc();
  return { mint: mintKey()[0], treasury: treasuryKey()[0] };
}

export interface GovernanceTiming {
  /** How long a proposal is open for votes. */
  votingSecs: number;
  /** Minimum wait between a proposal passing and its instructions running. */
  holdUpSecs: number;
  /** Yes votes needed, as a percentage of the maximum voter weight. */
  yesPercent: number;
}

export interface RealmOptions {
  name: string;
  /** Council members; each receives one council token, deposited in the realm. */
  council: Keypair[];
  /** Community ($AEGIS stake) governances: protocol parameters and the treasury. */
  community?: Partial<GovernanceTiming>;
  /** Council-only emergency governance: pause and unpause. */
  emergency?: Partial<GovernanceTiming>;
  /** Bonded stake needed to create a community proposal (default: the minimum stake). */
  minStakeToPropose?: bigint;
}

export interface RealmAddresses {
  realm: PublicKey;
  communityMint: PublicKey;
  councilMint: PublicKey;
  governances: Record<GovernanceName, PublicKey>;
  /** The treasury governance's native treasury: owner of the $AEGIS treasury token account. */
  treasuryOwner: PublicKey;
}

export const DEFAULT_COMMUNITY_TIMING: GovernanceTiming = { votingSecs: 3 * 86_400, holdUpSecs: 86_400, yesPercent: 50 };
export const DEFAULT_EMERGENCY_TIMING: GovernanceTiming = { votingSecs: 3_600, holdUpSecs: 0, yesPercent: 60 };

/** Step 2: the realm and its governances; every authority the deployer held moves to them. */
export async function bootstrapRealm(connection: Connection, deployer: Keypair, o: RealmOptions): Promise<RealmAddresses> {
  const v = GOVERNANCE_PROGRAM_VERSION;
  const a = deployer.publicKey;
  const send = (ixs: TransactionInstruction[], ...extra: Keypair[]) =>
    sendAndConfirmTransaction(connection, new Transaction().add(...ixs), [deployer, ...extra], { commitment: "confirmed" });
  const community = { ...DEFAULT_COMMUNITY_TIMING, ...o.community };
  const emergency = { ...DEFAULT_EMERGENCY_TIMING, ...o.emergency };
  if (o.council.length === 0) throw new Error("bootstrapRealm: the council needs at least one member");
  const communityMint = mintKey()[0];

  // Council mint: one token per member, whole units.
  const councilMint = await createMint(connection, deployer, a, null, 0, undefined, { commitment: "confirmed" });
  const councilAccounts: PublicKey[] = [];
  for (const m of o.council) {
    const ata = await getOrCreateAssociatedTokenAccount(connection, deployer, councilMint, m.publicKey, false, "confirmed");
    await mintTo(connection, deployer, councilMint, ata.address, deployer, 1, [], { commitment: "confirmed" });
    councilAccounts.push(ata.address);
  }

  let ixs: TransactionInstruction[] = [];
  const realm = await withCreateRealm(
    ixs, GOVERNANCE_PROGRAM_ID, v, o.name, a, communityMint, a, councilMint,
    MintMaxVoteWeightSource.FULL_SUPPLY_FRACTION, U64_MAX,
    new GoverningTokenConfigAccountArgs({
      voterWeightAddin: STAKING_PROGRAM_ID,
      maxVoterWeightAddin: STAKING_PROGRAM_ID,
      tokenType: GoverningTokenType.Dormant,
    }),
    new GoverningTokenConfigAccountArgs({ voterWeightAddin: undefined, maxVoterWeightAddin: undefined, tokenType: GoverningTokenType.Membership }),
  );
  await send(ixs);

  for (const [i, m] of o.council.entries()) {
    ixs = [];
    await withDepositGoverningTokens(
      ixs, GOVERNANCE_PROGRAM_ID, v, realm, councilAccounts[i]!, councilMint, m.publicKey, m.publicKey, a, new BN(1),
    );
    await send(ixs, m);
  }

  // Voter-weight records name the realm from now on.
  const p = providerFor(connection, deployer);
  await staking.updateStakingConfig(stakingProgram(p), { authority: a, realm }).rpc();

  const firstCouncilRecord = await tokenOwnerRecordKey(realm, councilMint, o.council[0]!.publicKey);
  const communityConfig = (t: GovernanceTiming) =>
    new GovernanceConfig({
      communityVoteThreshold: new VoteThreshold({ type: VoteThresholdType.YesVotePercentage, value: t.yesPercent }),
      minCommunityTokensToCreateProposal: new BN((o.minStakeToPropose ?? DEFAULTS.minStake).toString()),
      minInstructionHoldUpTime: t.holdUpSecs,
      baseVotingTime: t.votingSecs,
      communityVoteTipping: VoteTipping.Strict,
      minCouncilTokensToCreateProposal: U64_MAX,
      councilVoteThreshold: new VoteThreshold({ type: VoteThresholdType.Disabled }),
      councilVetoVoteThreshold: new VoteThreshold({ type: VoteThresholdType.Disabled }),
      communityVetoVoteThreshold: new VoteThreshold({ type: VoteThresholdType.Disabled }),
      councilVoteTipping: VoteTipping.Disabled,
      votingCoolOffTime: 0,
      depositExemptProposalCount: 10,
    });
  const emergencyConfig = new GovernanceConfig({
    communityVoteThreshold: new VoteThreshold({ type: VoteThresholdType.Disabled }),
    minCommunityTokensToCreateProposal: U64_MAX,
    minInstructionHoldUpTime: emergency.holdUpSecs,
    baseVotingTime: emergency.votingSecs,
    communityVoteTipping: VoteTipping.Disabled,
    minCouncilTokensToCreateProposal: new BN(1),
    councilVoteThreshold: new VoteThreshold({ type: VoteThresholdType.YesVotePercentage, value: emergency.yesPercent }),
    councilVetoVoteThreshold: new VoteThreshold({ type: VoteThresholdType.Disabled }),
    communityVetoVoteThreshold: new VoteThreshold({ type: VoteThresholdType.Disabled }),
    councilVoteTipping: VoteTipping.Early,
    votingCoolOffTime: 0,
    depositExemptProposalCount: 10,
  });
  const configs: Record<GovernanceName, GovernanceConfig> = {
    protocol: communityConfig(community),
    treasury: communityConfig(community),
    emergency: emergencyConfig,
  };
  const governances = {} as Record<GovernanceName, PublicKey>;
  for (const name of ["protocol", "treasury", "emergency"] as const) {
    ixs = [];
    governances[name] = await withCreateGovernance(
      ixs, GOVERNANCE_PROGRAM_ID, v, realm, governedSeed(name), configs[name], firstCouncilRecord, a, a,
    );
    if (!governances[name].equals(governanceKey(realm, name))) throw new Error(`governance address mismatch for ${name}`);
    await send(ixs);
  }
  ixs = [];
  const treasuryOwner = await withCreateNativeTreasury(ixs, GOVERNANCE_PROGRAM_ID, v, governances.treasury, a);
  await send(ixs);

  // Hand over: parameters to `protocol`, the pause switch to `emergency`, the treasury to
  // `treasury`, the council mint and the realm itself to `protocol`.
  const protocol = governances.protocol;
  const pause = governances.emergency;
  await token.updateTokenConfig(tokenProgram(p), { authority: a, newAuthority: protocol }).rpc();
  await registry.updateRegistryConfig(registryProgram(p), { admin: a, newAdmin: protocol, pauseAuthority: pause }).rpc();
  await staking.updateStakingConfig(stakingProgram(p), { authority: a, newAuthority: protocol, pauseAuthority: pause }).rpc();
  await rewards.updateRewardsConfig(rewardsProgram(p), { authority: a, newAuthority: protocol, pauseAuthority: pause }).rpc();
  ixs = [
    createSetAuthorityInstruction(treasuryKey()[0], a, AuthorityType.AccountOwner, treasuryOwner),
    createSetAuthorityInstruction(councilMint, a, AuthorityType.MintTokens, protocol),
  ];
  withSetRealmAuthority(ixs, GOVERNANCE_PROGRAM_ID, v, realm, a, protocol, SetRealmAuthorityAction.SetChecked);
  await send(ixs);
  return { realm, communityMint, councilMint, governances, treasuryOwner };
}

/**
 * A community member's token owner record (needed once before proposing or voting; the
 * realm's community token is Dormant, so it is created without a deposit).
 */
export async function joinRealm(connection: Connection, member: Keypair, realm: PublicKey): Promise<PublicKey> {
  const record = await tokenOwnerRecordKey(realm, mintKey()[0], member.publicKey);
  if (await connection.getAccountInfo(record)) return record;
  const ixs: TransactionInstruction[] = [];
  await withCreateTokenOwnerRecord(ixs, GOVERNANCE_PROGRAM_ID, GOVERNANCE_PROGRAM_VERSION, realm, member.publicKey, mintKey()[0], member.publicKey);
  await sendAndConfirmTransaction(connection, new Transaction().add(...ixs), [member], { commitment: "confirmed" });
  return record;
}

function providerFor(connection: Connection, payer: Keypair): AnchorProvider {
  return new AnchorProvider(connection, new Wallet(payer), { commitment: "confirmed", preflightCommitment: "confirmed" });
}
