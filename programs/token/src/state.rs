use anchor_lang::prelude::*;

#[account]
#[derive(InitSpace)]
pub struct TokenConfigV0 {
    /// May change the parameters below; handed to the Realms protocol governance later.
    pub authority: Pubkey,
    pub mint: Pubkey,
    pub treasury: Pubkey,
    /// The rewards program's vault: every epoch emission is minted here.
    pub rewards_vault: Pubkey,
    /// Start of epoch 0 (unix seconds); epoch `e` starts at `genesis_ts + e * epoch_length_secs`.
    pub genesis_ts: i64,
    pub epoch_length_secs: i64,
    /// Emission of epoch 0, in base units.
    pub initial_emission: u64,
    /// The emission drops by `decay_bps` every `decay_period_epochs` epochs (geometric decay).
    pub decay_bps: u16,
    pub decay_period_epochs: u32,
    /// Circuit breaker: at most `breaker_max_per_window` minted per `breaker_window_secs`.
    pub breaker_window_secs: i64,
    pub breaker_max_per_window: u64,
    pub window_start: i64,
    pub window_minted: u64,
    pub genesis_minted: u64,
    pub emission_minted: u64,
    pub bump: u8,
    pub mint_bump: u8,
    pub treasury_bump: u8,
    pub reserved: [u8; 64],
}

/// Marks an epoch's emission as minted; its existence makes a second mint fail.
#[account]
#[derive(InitSpace)]
pub struct EmissionV0 {
    pub epoch: u64,
    pub amount: u64,
    pub minted_at: i64,
    pub bump: u8,
    pub reserved: [u8; 16],
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pinned in sdk/src/constants.ts ACCOUNT_SIZES and docs/protocol.md.
    #[test]
    fn account_sizes() {
        assert_eq!(8 + TokenConfigV0::INIT_SPACE, 281);
        assert_eq!(8 + EmissionV0::INIT_SPACE, 49);
    }
}
