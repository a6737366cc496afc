use anchor_lang::prelude::*;

use crate::{constants::CONFIG_SEED, error::RegistryError, events::RegistryConfigUpdated, state::RegistryConfigV0};

/// Fields left `None` keep their value; `admin` hands the registry to a new key (a Realms governance PDA).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Default)]
pub struct UpdateRegistryConfigArgs {
    pub admin: Option<Pubkey>,
    pub stake_authority: Option<Pubkey>,
    pub assignment_authority: Option<Pubkey>,
    pub pause_authority: Option<Pubkey>,
}

#[derive(Accounts)]
pub struct UpdateRegistryConfig<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ RegistryError::Unauthorized)]
    pub config: Account<'info, RegistryConfigV0>,
}

pub fn handler(ctx: Context<UpdateRegistryConfig>, args: UpdateRegistryConfigArgs) -> Result<()> {
    let c = &mut ctx.accounts.config;
    if let Some(v) = args.admin { c.admin = v; }
    if let Some(v) = args.stake_authority { c.stake_authority = v; }
    if let Some(v) = args.assignment_authority { c.assignment_authority = v; }
    if let Some(v) = args.pause_authority { c.pause_authority = v; }
    emit!(RegistryConfigUpdated {
        admin: c.admin,
        stake_authority: c.stake_authority,
        assignment_authority: c.assignment_authority,
        pause_authority: c.pause_authority,
    });
    Ok(())
}
