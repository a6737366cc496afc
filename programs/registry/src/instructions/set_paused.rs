use anchor_lang::prelude::*;

use crate::{constants::CONFIG_SEED, error::RegistryError, events::RegistryPauseSet, state::RegistryConfigV0};

/// Emergency switch: only the pause authority (the Realms emergency governance after bootstrap).
#[derive(Accounts)]
pub struct SetRegistryPaused<'info> {
    pub pause_authority: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = pause_authority @ RegistryError::NotPauseAuthority)]
    pub config: Account<'info, RegistryConfigV0>,
}

pub fn handler(ctx: Context<SetRegistryPaused>, paused: bool) -> Result<()> {
    ctx.accounts.config.paused = paused;
    emit!(RegistryPauseSet { paused, by: ctx.accounts.pause_authority.key() });
    Ok(())
}
