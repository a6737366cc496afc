use anchor_lang::prelude::*;

use crate::{constants::REWARDS_CONFIG_SEED, error::RewardsError, events::RewardsPauseSet, state::RewardsConfigV0};

/// Emergency switch: only the pause authority (the Realms emergency governance after bootstrap).
#[derive(Accounts)]
pub struct SetRewardsPaused<'info> {
    pub pause_authority: Signer<'info>,
    #[account(mut, seeds = [REWARDS_CONFIG_SEED], bump = config.bump, has_one = pause_authority @ RewardsError::NotPauseAuthority)]
    pub config: Account<'info, RewardsConfigV0>,
}

pub fn handler(ctx: Context<SetRewardsPaused>, paused: bool) -> Result<()> {
    ctx.accounts.config.paused = paused;
    emit!(RewardsPauseSet { paused, by: ctx.accounts.pause_authority.key() });
    Ok(())
}
