use anchor_lang::prelude::*;

use crate::{constants::STAKING_CONFIG_SEED, error::StakingError, events::StakingPauseSet, state::StakingConfigV0};

/// Emergency switch: only the pause authority (the Realms emergency governance after bootstrap).
#[derive(Accounts)]
pub struct SetStakingPaused<'info> {
    pub pause_authority: Signer<'info>,
    #[account(mut, seeds = [STAKING_CONFIG_SEED], bump = config.bump, has_one = pause_authority @ StakingError::NotPauseAuthority)]
    pub config: Account<'info, StakingConfigV0>,
}

pub fn handler(ctx: Context<SetStakingPaused>, paused: bool) -> Result<()> {
    ctx.accounts.config.paused = paused;
    emit!(StakingPauseSet { paused, by: ctx.accounts.pause_authority.key() });
    Ok(())
}
