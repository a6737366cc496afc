use anchor_lang::prelude::*;

use crate::constants::MAX_SUBMISSIONS;

#[account]
#[derive(InitSpace)]
pub struct RewardsConfigV0 {
    pub authority: Pubkey,
    pub mint: Pubkey,
    pub vault: Pubkey,
    pub treasury: Pubkey,
    pub claim_horizon_secs: i64,
    pub bump: u8,
    pub vault_bump: u8,
    /// May pause and unpause (the Realms emergency governance after bootstrap).
    pub pause_authority: Pubkey,
    /// While set, `claim` fails with `Paused`.
    pub paused: bool,
    pub reserved: [u8; 31],
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub struct RootSubmission {
    pub oracle: Pubkey,
    pub root: [u8; 32],
    pub total: u64,
}

/// One epoch's reward state: fixed size, whatever the number of nodes.
#[account]
#[derive(InitSpace)]
pub struct RewardEpochV0 {
    pub epoch: u64,
    #[max_len(MAX_SUBMISSIONS)]
    pub submissions: Vec<RootSubmission>,
    /// Zero until m-of-n oracles submitted the same (root, total).
    pub accepted_root: [u8; 32],
    pub total: u64,
    /// The epoch's minted emission (the token program's EmissionV0).
    pub emission: u64,
    pub accepted_at: i64,
    pub claimed: u64,
    pub claims: u64,
    pub swept: bool,
    pub bump: u8,
    pub reserved: [u8; 32],
}

#[account]
#[derive(InitSpace)]
pub struct ClaimMarkerV0 {
    pub epoch: u64,
    pub node: Pubkey,
    pub amount: u64,
    pub claimed_at: i64,
    pub bump: u8,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pinned in sdk/src/constants.ts ACCOUNT_SIZES and docs/protocol.md.
    #[test]
    fn account_sizes() {
        assert_eq!(8 + RewardsConfigV0::INIT_SPACE, 210);
        assert_eq!(8 + RewardEpochV0::INIT_SPACE, 1278);
        assert_eq!(8 + ClaimMarkerV0::INIT_SPACE, 65);
    }
}
