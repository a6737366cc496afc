import { PublicKey } from "@solana/web3.js";

/** Program ids, as declared by `declare_id!` in each program. */
export const REGISTRY_PROGRAM_ID = new PublicKey("8pxc4cdJ4eZkMWvZCdWDU6PNqBMeyfKGZbi973KYnHLS");
export const AEGIS_TOKEN_PROGRAM_ID = new PublicKey("HqFz4ZoQPzqyXo5nGybNu1RsvoDXMmN8rtD6C7hRtQsU");
export const STAKING_PROGRAM_ID = new PublicKey("86xswHPUdpHtDK2GZTFsdsuQh5x2hXiyKDvVp6FrkzHx");
export const REWARDS_PROGRAM_ID = new PublicKey("G5EuSPHFkVYsRN3GkTBfwWa74kBhLV88p2pN5Vxm7FcD");

/** SPL Governance (Realms), mainnet deployment. */
export const GOVERNANCE_PROGRAM_ID = new PublicKey("GovER5Lthms3bLBqWub97yVrMmEogzX7xNjdXpPPCVZw");
/** Metaplex Token Metadata (devnet and mainnet-beta; localnet does not run it). */
export const TOKEN_METADATA_PROGRAM_ID = new PublicKey("metaqbxxUerdq28cj1RbAWkYQm3ybzjb6a8bt518x1s");

/** Registry limits, mirrored from programs/registry/src/constants.rs (checked against the IDL by tests). */
export const MAX_METADATA_CID_LEN = 64;
export const MAX_REGION_LEN = 16;

export const Capability = {
  Cache: 1 << 0,
  Waf: 1 << 1,
  Xdp: 1 << 2,
  EdgeFunctions: 1 << 3,
  Tls: 1 << 4,
} as const;
export const CAPABILITIES_ALL = Object.values(Capability).reduce((a, b) => a | b, 0);

/** Zone policy and oracle bounds (programs/registry/src/constants.rs). */
export const MAX_ORACLES = 16;
export const MAX_DOMAIN_LEN = 253;
export const MAX_ORIGINS = 4;
export const MAX_ORIGIN_URL_LEN = 96;
export const MAX_ROUTES = 8;
export const MAX_REPUTATION = 10_000;

/** Route `methods` bits (0 = every method). */
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"] as const;

/** $AEGIS (programs/token/src/constants.rs). */
export const AEGIS_DECIMALS = 6;
export const ONE_AEGIS = 1_000_000n;
export const MAX_SUPPLY = 1_000_000_000n * ONE_AEGIS;
export const GENESIS_ALLOCATION = 400_000_000n * ONE_AEGIS;

/** Parameter defaults (docs/protocol.md). */
export const DEFAULTS = {
  epochLengthSecs: 86_400,
  initialEmission: 400_000n * ONE_AEGIS,
  decayBps: 200,
  decayPeriodEpochs: 30,
  breakerWindowSecs: 86_400,
  breakerMaxPerWindow: 800_000n * ONE_AEGIS,
  minStake: 1_000n * ONE_AEGIS,
  cooldownSecs: 7 * 86_400,
  challengeSecs: 48 * 3_600,
  maxSlashBpsPerEpoch: 1_000,
  slashEpochSecs: 86_400,
  cosignThresholdBps: 500,
  disputeBond: 100n * ONE_AEGIS,
  reputationPenalty: 2_000,
  claimHorizonSecs: 90 * 86_400,
} as const;

/**
 * Account sizes in bytes (8-byte discriminator + Anchor InitSpace), pinned by the programs'
 * `account_sizes` unit tests and checked against live accounts by tests/protocol/lifecycle.test.ts.
 */
export const ACCOUNT_SIZES = {
  tokenConfigV0: 281,
  emissionV0: 49,
  registryConfigV0: 702,
  nodeV0: 280,
  zoneV0: 6755,
  assignmentV0: 97,
  moduleV0: 257,
  stakingConfigV0: 249,
  stakeV0: 170,
  slashProposalV0: 416,
  voterWeightRecord: 164,
  maxVoterWeightRecord: 97,
  rewardsConfigV0: 210,
  rewardEpochV0: 1278,
  claimMarkerV0: 65,
  /** SPL Token account and mint (vaults, treasury, the $AEGIS mint). */
  splTokenAccount: 165,
  splMint: 82,
} as const;
