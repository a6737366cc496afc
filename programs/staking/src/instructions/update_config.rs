use anchor_lang::prelude::*;

use crate::{
    constants::{MAX_VOTER_WEIGHT_SEED, STAKING_CONFIG_SEED}, error::StakingError, events::StakingConfigUpdated,
    instructions::initialize::{validate_params, StakingParams}, state::{MaxVoterWeightRecord, StakingConfigV0},
};

/// `None` keeps a value. `authority` hands the config to a new key (the Realms protocol governance).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Default)]
pub struct UpdateStakingConfigArgs {
    pub authority: Option<Pubkey>,
    pub realm: Option<Pubkey>,
    pub pause_authority: Option<Pubkey>,
    pub min_stake: Option<u64>,
    pub cooldown_secs: Option<i64>,
    pub challenge_secs: Option<i64>,
    pub max_slash_bps_per_epoch: Option<u16>,
    pub slash_epoch_secs: Option<i64>,
    pub cosign_threshold_bps: Option<u16>,
    pub dispute_bond: Option<u64>,
    pub reputation_penalty: Option<u16>,
}

#[derive(Accounts)]
pub struct UpdateStakingConfig<'info> {
    pub authority: Signer<'info>,
    #[account(mut, seeds = [STAKING_CONFIG_SEED], bump = config.bump, has_one = authority @ StakingError::Unauthorized)]
    pub config: Account<'info, StakingConfigV0>,
    /// Follows `realm`.
    #[account(mut, seeds = [MAX_VOTER_WEIGHT_SEED], bump)]
    pub max_voter_weight_record: Account<'info, MaxVoterWeightRecord>,
}

pub fn handler(ctx: Context<UpdateStakingConfig>, a: UpdateStakingConfigArgs) -> Result<()> {
    let c = &mut ctx.accounts.config;
    if let Some(v) = a.authority { c.authority = v; }
    if let Some(v) = a.realm { c.realm = v; }
    if let Some(v) = a.pause_authority { c.pause_authority = v; }
    ctx.accounts.max_voter_weight_record.realm = c.realm;
    if let Some(v) = a.min_stake { c.min_stake = v; }
    if let Some(v) = a.cooldown_secs { c.cooldown_secs = v; }
    if let Some(v) = a.challenge_secs { c.challenge_secs = v; }
    if let Some(v) = a.max_slash_bps_per_epoch { c.max_slash_bps_per_epoch = v; }
    if let Some(v) = a.slash_epoch_secs { c.slash_epoch_secs = v; }
    if let Some(v) = a.cosign_threshold_bps { c.cosign_threshold_bps = v; }
    if let Some(v) = a.dispute_bond { c.dispute_bond = v; }
    if let Some(v) = a.reputation_penalty { c.reputation_penalty = v; }
    validate_params(&StakingParams {
        min_stake: c.min_stake,
        cooldown_secs: c.cooldown_secs,
        challenge_secs: c.challenge_secs,
        max_slash_bps_per_epoch: c.max_slash_bps_per_epoch,
        slash_epoch_secs: c.slash_epoch_secs,
        cosign_threshold_bps: c.cosign_threshold_bps,
        dispute_bond: c.dispute_bond,
        reputation_penalty: c.reputation_penalty,
    })?;
    emit!(StakingConfigUpdated {
        authority: c.authority,
        min_stake: c.min_stake,
        cooldown_secs: c.cooldown_secs,
        challenge_secs: c.challenge_secs,
        max_slash_bps_per_epoch: c.max_slash_bps_per_epoch,
    });
    Ok(())
}
