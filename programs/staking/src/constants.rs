use anchor_lang::prelude::*;

#[constant]
pub const STAKING_CONFIG_SEED: &[u8] = b"staking_config";
/// `[STAKE_SEED, operator]`: an operator's stake account.
#[constant]
pub const STAKE_SEED: &[u8] = b"stake";
/// `[STAKE_VAULT_SEED, operator]`: the operator's vault token account (authority: the stake PDA).
#[constant]
pub const STAKE_VAULT_SEED: &[u8] = b"stake_vault";
/// The PDA registered as the registry's `stake_authority`; signs node status changes.
#[constant]
pub const STAKE_AUTHORITY_SEED: &[u8] = b"stake_authority";
/// Holds dispute bonds (authority: the staking config PDA).
#[constant]
pub const BOND_VAULT_SEED: &[u8] = b"bond_vault";
/// `[SLASH_SEED, stake, nonce as u64 little-endian]`.
#[constant]
pub const SLASH_SEED: &[u8] = b"slash";
/// `[VOTER_WEIGHT_SEED, operator]`: the SPL Governance voter-weight record.
#[constant]
pub const VOTER_WEIGHT_SEED: &[u8] = b"voter-weight-record";

pub const MAX_EVIDENCE_URI_LEN: usize = 128;
#[constant]
pub const BPS: u64 = 10_000;

#[constant]
pub const DEFAULT_MIN_STAKE: u64 = 1_000 * 1_000_000;
#[constant]
pub const DEFAULT_COOLDOWN_SECS: i64 = 7 * 86_400;
#[constant]
pub const DEFAULT_CHALLENGE_SECS: i64 = 48 * 3_600;
#[constant]
pub const DEFAULT_MAX_SLASH_BPS_PER_EPOCH: u16 = 1_000;
#[constant]
pub const DEFAULT_SLASH_EPOCH_SECS: i64 = 86_400;
#[constant]
pub const DEFAULT_COSIGN_THRESHOLD_BPS: u16 = 500;
#[constant]
pub const DEFAULT_DISPUTE_BOND: u64 = 100 * 1_000_000;
#[constant]
pub const DEFAULT_REPUTATION_PENALTY: u16 = 2_000;
/// `[MAX_VOTER_WEIGHT_SEED]`: the SPL Governance max-voter-weight record (all bonded stake).
#[constant]
pub const MAX_VOTER_WEIGHT_SEED: &[u8] = b"max-voter-weight-record";
