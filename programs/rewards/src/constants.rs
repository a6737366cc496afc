use anchor_lang::prelude::*;

#[constant]
pub const REWARDS_CONFIG_SEED: &[u8] = b"rewards_config";
/// The vault every epoch emission is minted into (authority: the rewards config PDA).
#[constant]
pub const REWARDS_VAULT_SEED: &[u8] = b"rewards_vault";
/// `[EPOCH_SEED, epoch as u64 little-endian]`.
#[constant]
pub const EPOCH_SEED: &[u8] = b"reward_epoch";
/// `[CLAIM_SEED, epoch as u64 little-endian, node]`: a node's claim marker.
#[constant]
pub const CLAIM_SEED: &[u8] = b"claim";
/// Domain separation of Merkle leaves and inner nodes.
#[constant]
pub const LEAF_PREFIX: u8 = 0;
#[constant]
pub const INNER_PREFIX: u8 = 1;
/// Longest proof accepted (2^24 leaves).
pub const MAX_PROOF_LEN: usize = 24;
/// Bound of the per-epoch submission list (= registry MAX_ORACLES).
pub const MAX_SUBMISSIONS: usize = 16;
/// Unclaimed rewards return to the treasury this long after the root was accepted (90 days).
#[constant]
pub const DEFAULT_CLAIM_HORIZON_SECS: i64 = 90 * 86_400;
