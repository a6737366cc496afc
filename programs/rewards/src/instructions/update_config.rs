use anchor_lang::prelude::*;

use crate::{constants::REWARDS_CONFIG_SEED, error::RewardsError, events::RewardsConfigUpdated, state::RewardsConfigV0};

/// `None` keeps a value; `authority` hands the config to a new key (the Realms protocol governance).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Default)]
pub struct UpdateRewardsConfigArgs {
    pub authority: Option<Pubkey>,
    pub claim_horizon_secs: Option<i64>,
    pub pause_authority: Option<Pubkey>,
}

#[derive(Accounts)]
pub struct UpdateRewardsConfig<'info> {
    pub authority: Signer<'info>,
    #[account(mut, seeds = [REWARDS_CONFIG_SEED], bump = config.bump, has_one = authority @ RewardsError::Unauthorized)]
    pub config: Account<'info, RewardsConfigV0>,
}

pub fn handler(ctx: Context<UpdateRewardsConfig>, args: UpdateRewardsConfigArgs) -> Result<()> {
    let c = &mut ctx.accounts.config;
    if let Some(v) = args.authority { c.authority = v; }
    if let Some(v) = args.pause_authority { c.pause_authority = v; }
    if let Some(v) = args.claim_horizon_secs {
        require!(v > 0, RewardsError::InvalidParameter);
        c.claim_horizon_secs = v;
    }
    emit!(RewardsConfigUpdated { authority: c.authority, claim_horizon_secs: c.claim_horizon_secs });
    Ok(())
}
