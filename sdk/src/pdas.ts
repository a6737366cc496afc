/**
 * Every PDA the AEGIS programs use, derived in one place. Seeds mirror the `#[constant]`s in
 * each program's constants.rs; tests compare them with the constants in the generated IDLs.
 */
import { PublicKey } from "@solana/web3.js";
import { sha256 } from "@noble/hashes/sha256";
import { AEGIS_TOKEN_PROGRAM_ID, REGISTRY_PROGRAM_ID, REWARDS_PROGRAM_ID, STAKING_PROGRAM_ID } from "./constants.js";

export const SEEDS = {
  // registry
  registryConfig: "config",
  node: "node",
  zone: "zone",
  assignment: "assignment",
  module: "module",
  // token
  tokenConfig: "token_config",
  mint: "mint",
  treasury: "treasury",
  emission: "emission",
  // staking
  stakingConfig: "staking_config",
  stake: "stake",
  stakeVault: "stake_vault",
  stakeAuthority: "stake_authority",
  bondVault: "bond_vault",
  slash: "slash",
  voterWeight: "voter-weight-record",
  maxVoterWeight: "max-voter-weight-record",
  // rewards
  rewardsConfig: "rewards_config",
  rewardsVault: "rewards_vault",
  rewardEpoch: "reward_epoch",
  claim: "claim",
} as const;

const utf8 = (s: string): Buffer => Buffer.from(s, "utf8");
const u64 = (n: number | bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
const pda = (seeds: Buffer[], programId: PublicKey): [PublicKey, number] => PublicKey.findProgramAddressSync(seeds, programId);

// ── registry ─────────────────────────────────────────────────────────────────
export function registryConfigKey(programId: PublicKey = REGISTRY_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.registryConfig)], programId);
}

/** A node account is keyed by the node's identity (hot) key. */
export function nodeKey(identity: PublicKey, programId: PublicKey = REGISTRY_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.node), identity.toBuffer()], programId);
}

/** sha256 of the domain: zone seeds cannot hold a 253-byte name. */
export function domainHash(domain: string): Buffer {
  return Buffer.from(sha256(utf8(domain)));
}

export function zoneKey(domain: string, programId: PublicKey = REGISTRY_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.zone), domainHash(domain)], programId);
}

export function assignmentKey(node: PublicKey, zone: PublicKey, programId: PublicKey = REGISTRY_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.assignment), node.toBuffer(), zone.toBuffer()], programId);
}

/** An edge-function module published by `owner` under `name`. */
export function moduleKey(owner: PublicKey, name: string, programId: PublicKey = REGISTRY_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.module), owner.toBuffer(), utf8(name)], programId);
}

// ── token ────────────────────────────────────────────────────────────────────
export function tokenConfigKey(programId: PublicKey = AEGIS_TOKEN_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.tokenConfig)], programId);
}

/** The $AEGIS mint. */
export function mintKey(programId: PublicKey = AEGIS_TOKEN_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.mint)], programId);
}

export function treasuryKey(programId: PublicKey = AEGIS_TOKEN_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.treasury)], programId);
}

export function emissionKey(epoch: number | bigint, programId: PublicKey = AEGIS_TOKEN_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.emission), u64(epoch)], programId);
}

// ── staking ──────────────────────────────────────────────────────────────────
export function stakingConfigKey(programId: PublicKey = STAKING_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.stakingConfig)], programId);
}

export function stakeKey(operator: PublicKey, programId: PublicKey = STAKING_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.stake), operator.toBuffer()], programId);
}

export function stakeVaultKey(operator: PublicKey, programId: PublicKey = STAKING_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.stakeVault), operator.toBuffer()], programId);
}

/** Registered as the registry's `stake_authority`. */
export function stakeAuthorityKey(programId: PublicKey = STAKING_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.stakeAuthority)], programId);
}

export function bondVaultKey(programId: PublicKey = STAKING_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.bondVault)], programId);
}

export function slashProposalKey(stake: PublicKey, nonce: number | bigint, programId: PublicKey = STAKING_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.slash), stake.toBuffer(), u64(nonce)], programId);
}

/** The SPL Governance voter-weight record of an operator. */
/** The realm-wide max-voter-weight record: the sum of all bonded stake. */
export function maxVoterWeightRecordKey(programId: PublicKey = STAKING_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.maxVoterWeight)], programId);
}

export function voterWeightRecordKey(operator: PublicKey, programId: PublicKey = STAKING_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.voterWeight), operator.toBuffer()], programId);
}

// ── rewards ──────────────────────────────────────────────────────────────────
export function rewardsConfigKey(programId: PublicKey = REWARDS_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.rewardsConfig)], programId);
}

export function rewardsVaultKey(programId: PublicKey = REWARDS_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.rewardsVault)], programId);
}

export function rewardEpochKey(epoch: number | bigint, programId: PublicKey = REWARDS_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.rewardEpoch), u64(epoch)], programId);
}

export function claimMarkerKey(epoch: number | bigint, node: PublicKey, programId: PublicKey = REWARDS_PROGRAM_ID): [PublicKey, number] {
  return pda([utf8(SEEDS.claim), u64(epoch), node.toBuffer()], programId);
}
