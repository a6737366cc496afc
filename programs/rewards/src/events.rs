use anchor_lang::prelude::*;

#[event]
pub struct RewardsConfigUpdated {
    pub authority: Pubkey,
    pub claim_horizon_secs: i64,
}

#[event]
pub struct RootSubmitted {
    pub epoch: u64,
    pub oracle: Pubkey,
    pub root: [u8; 32],
    pub total: u64,
    pub matching: u8,
}

#[event]
pub struct RootAccepted {
    pub epoch: u64,
    pub root: [u8; 32],
    pub total: u64,
}

#[event]
pub struct RewardClaimed {
    pub epoch: u64,
    pub node: Pubkey,
    pub destination: Pubkey,
    pub amount: u64,
}

#[event]
pub struct UnclaimedSwept {
    pub epoch: u64,
    pub amount: u64,
}

/// The emergency switch moved (`claim` refuses while paused).
#[event]
pub struct RewardsPauseSet {
    pub paused: bool,
    pub by: Pubkey,
}
