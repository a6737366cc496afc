/**
 * AEGIS governance on SPL Governance (Realms): the realm's addresses and the instruction
 * sequences a token holder runs. Voting power is bonded stake: every proposal or vote by a
 * community member carries the staking program's `update_voter_weight_record` first, then the
 * spl-governance instruction with that voter-weight record (and the realm's max-voter-weight
 * record), exactly as Realms' plugin flow does.
 */
import { createHash } from "node:crypto";
import BN from "bn.js";
import type { Program } from "@coral-xyz/anchor";
import { PublicKey, type TransactionInstruction } from "@solana/web3.js";
import {
  Vote,
  VoteType,
  YesNoVote,
  createInstructionData,
  getNativeTreasuryAddress,
  getTokenOwnerRecordAddress,
  withCastVote,
  withCreateProposal,
  withFinalizeVote,
  withInsertTransaction,
  withSignOffProposal,
} from "@solana/spl-governance";
import { GOVERNANCE_PROGRAM_ID } from "./constants.js";
import { maxVoterWeightRecordKey, voterWeightRecordKey } from "./pdas.js";
import type { Staking } from "./programs.js";
import { updateVoterWeightRecord } from "./functions/staking.js";

/** spl-governance 4.0.0 is program version 3. */
export const GOVERNANCE_PROGRAM_VERSION = 3;

/** The three governances of the AEGIS realm and what each owns. */
export const GOVERNANCE_NAMES = ["protocol", "treasury", "emergency"] as const;
export type GovernanceName = (typeof GOVERNANCE_NAMES)[number];

/**
 * The seed account of a governance (spl-governance v3 derives a governance from
 * `[b"account-governance", realm, governed]`; the governed key is only a seed).
 * AEGIS uses sha256("aegis:governance:<name>") so every cluster has the same seeds.
 */
export function governedSeed(name: GovernanceName): PublicKey {
  return new PublicKey(createHash("sha256").update(`aegis:governance:${name}`).digest());
}

export function realmKey(name: string): PublicKey {
  return PublicKey.findProgramAddressSync([Buffer.from("governance"), Buffer.from(name)], GOVERNANCE_PROGRAM_ID)[0];
}

export function governanceKey(realm: PublicKey, name: GovernanceName): PublicKey {
  return PublicKey.findProgramAddressSync(
    [Buffer.from("account-governance"), realm.toBuffer(), governedSeed(name).toBuffer()],
    GOVERNANCE_PROGRAM_ID,
  )[0];
}

export async function nativeTreasuryKey(governance: PublicKey): Promise<PublicKey> {
  return getNativeTreasuryAddress(GOVERNANCE_PROGRAM_ID, governance);
}

export async function tokenOwnerRecordKey(realm: PublicKey, mint: PublicKey, owner: PublicKey): Promise<PublicKey> {
  return getTokenOwnerRecordAddress(GOVERNANCE_PROGRAM_ID, realm, mint, owner);
}

export interface ProposalArgs {
  realm: PublicKey;
  governance: PublicKey;
  /** The community ($AEGIS) or the council mint: who votes on it. */
  governingTokenMint: PublicKey;
  proposer: PublicKey;
  name: string;
  descriptionLink: string;
  /** Run by the governance PDA when the proposal passes, in order, one transaction each. */
  instructions: TransactionInstruction[];
  holdUpSecs: number;
  /** Staking program when `governingTokenMint` is the community mint (voting power is stake). */
  staking?: Program<Staking>;
}

export interface ProposalPlan {
  proposal: PublicKey;
  /** Send in order: create, one per inserted instruction, sign-off. */
  transactions: TransactionInstruction[][];
}

/** Builds a proposal that, when it passes, executes `instructions` signed by the governance. */
export async function planProposal(a: ProposalArgs): Promise<ProposalPlan> {
  const v = GOVERNANCE_PROGRAM_VERSION;
  const tor = await tokenOwnerRecordKey(a.realm, a.governingTokenMint, a.proposer);
  const create: TransactionInstruction[] = [];
  let voterWeightRecord: PublicKey | undefined;
  if (a.staking) {
    create.push(await updateVoterWeightRecord(a.staking, { operator: a.proposer }).instruction());
    voterWeightRecord = voterWeightRecordKey(a.proposer)[0];
  }
  const proposal = await withCreateProposal(
    create, GOVERNANCE_PROGRAM_ID, v, a.realm, a.governance, tor, a.name, a.descriptionLink, a.governingTokenMint,
    a.proposer, undefined, VoteType.SINGLE_CHOICE, ["Approve"], true, a.proposer, voterWeightRecord,
  );
  const transactions: TransactionInstruction[][] = [create];
  for (const [index, ix] of a.instructions.entries()) {
    const insert: TransactionInstruction[] = [];
    await withInsertTransaction(
      insert, GOVERNANCE_PROGRAM_ID, v, a.governance, proposal, tor, a.proposer, index, 0, a.holdUpSecs,
      [createInstructionData(ix)], a.proposer,
    );
    transactions.push(insert);
  }
  const signOff: TransactionInstruction[] = [];
  withSignOffProposal(signOff, GOVERNANCE_PROGRAM_ID, v, a.realm, a.governance, proposal, a.proposer, undefined, tor);
  transactions.push(signOff);
  return { proposal, transactions };
}

export interface VoteArgs {
  realm: PublicKey;
  governance: PublicKey;
  proposal: PublicKey;
  /** The proposer's token owner record. */
  proposalOwnerRecord: PublicKey;
  governingTokenMint: PublicKey;
  voter: PublicKey;
  approve: boolean;
  /** Set for community votes: weight = the voter's bonded stake, refreshed in the same transaction. */
  staking?: Program<Staking>;
}

/** One transaction: refresh the voter's weight from stake (community), then cast the vote. */
export async function voteInstructions(a: VoteArgs): Promise<TransactionInstruction[]> {
  const ixs: TransactionInstruction[] = [];
  let voterWeightRecord: PublicKey | undefined;
  let maxVoterWeightRecord: PublicKey | undefined;
  if (a.staking) {
    ixs.push(await updateVoterWeightRecord(a.staking, { operator: a.voter }).instruction());
    voterWeightRecord = voterWeightRecordKey(a.voter)[0];
    maxVoterWeightRecord = maxVoterWeightRecordKey()[0];
  }
  const tor = await tokenOwnerRecordKey(a.realm, a.governingTokenMint, a.voter);
  const vote = Vote.fromYesNoVote(a.approve ? YesNoVote.Yes : YesNoVote.No);
  await withCastVote(
    ixs, GOVERNANCE_PROGRAM_ID, GOVERNANCE_PROGRAM_VERSION, a.realm, a.governance, a.proposal, a.proposalOwnerRecord,
    tor, a.voter, a.governingTokenMint, vote, a.voter, voterWeightRecord, maxVoterWeightRecord,
  );
  return ixs;
}

/** Ends voting after the voting time (the max-voter-weight record is passed for community votes). */
export async function finalizeInstructions(a: Omit<VoteArgs, "voter" | "approve">): Promise<TransactionInstruction[]> {
  const ixs: TransactionInstruction[] = [];
  await withFinalizeVote(
    ixs, GOVERNANCE_PROGRAM_ID, GOVERNANCE_PROGRAM_VERSION, a.realm, a.governance, a.proposal, a.proposalOwnerRecord,
    a.governingTokenMint, a.staking ? maxVoterWeightRecordKey()[0] : undefined,
  );
  return ixs;
}

export { BN };
