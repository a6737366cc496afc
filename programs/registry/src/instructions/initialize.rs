use anchor_lang::prelude::*;

use crate::{constants::CONFIG_SEED, events::RegistryInitialized, state::RegistryConfigV0};

#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct InitializeArgs {
    pub admin: Pubkey,
}

#[derive(Accounts)]
pub struct Initialize<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(
        init,
        payer = payer,
        space = 8 + RegistryConfigV0::INIT_SPACE,
        seeds = [CONFIG_SEED],
        bump,
    )]
    pub config: Account<'info, RegistryConfigV0>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
    ctx.accounts.config.set_inner(RegistryConfigV0 {
        admin: args.admin,
        node_count: 0,
        bump: ctx.bumps.config,
        stake_authority: Pubkey::default(),
        assignment_authority: args.admin,
        oracles: vec![],
        quorum: 0,
        zone_count: 0,
        pause_authority: args.admin,
        paused: false,
        reserved: [0; 31],
    });
    emit!(RegistryInitialized {
        config: ctx.accounts.config.key(),
        admin: args.admin,
    });
    Ok(())
}
