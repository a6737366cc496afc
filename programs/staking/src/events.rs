use anchor_lang::prelude::*;

use crate::state::SlashStatus;

#[event]
pub struct StakingConfigUpdated {
    pub authority: Pubkey,
    pub min_stake: u64,
    pub cooldown_secs: i64,
    pub challenge_secs: i64,
    pub max_slash_bps_per_epoch: u16,
}

#[event]
pub struct Staked {
    pub operator: Pubkey,
    pub amount: u64,
    pub total: u64,
}

#[event]
pub struct UnstakeRequested {
    pub operator: Pubkey,
    pub amount: u64,
    pub pending: u64,
    pub ready_at: i64,
}

#[event]
pub struct Withdrawn {
    pub operator: Pubkey,
    pub amount: u64,
}

#[event]
pub struct NodeBondChanged {
    pub operator: Pubkey,
    pub node: Pubkey,
    pub bonded_nodes: u32,
}

#[event]
pub struct SlashProposed {
    pub proposal: Pubkey,
    pub node: Pubkey,
    pub operator: Pubkey,
    pub proposer: Pubkey,
    pub amount: u64,
    pub reason: u16,
    pub evidence_hash: [u8; 32],
    pub status: SlashStatus,
    pub window_ends_at: i64,
}

#[event]
pub struct SlashStatusChanged {
    pub proposal: Pubkey,
    pub status: SlashStatus,
    /// Tokens moved to the treasury (slash) or bond posted / returned.
    pub amount: u64,
}

#[event]
pub struct VoterWeightUpdated {
    pub operator: Pubkey,
    pub realm: Pubkey,
    pub voter_weight: u64,
}

/// The emergency switch moved (stake and slashing refuse while paused; withdrawals do not).
#[event]
pub struct StakingPauseSet {
    pub paused: bool,
    pub by: Pubkey,
}
