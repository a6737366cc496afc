use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::{constants::*, error::RewardsError, events::RewardsConfigUpdated, state::RewardsConfigV0};

#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct InitializeRewardsArgs {
    pub authority: Pubkey,
    pub claim_horizon_secs: i64,
}

#[derive(Accounts)]
pub struct InitializeRewards<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(init, payer = payer, space = 8 + RewardsConfigV0::INIT_SPACE, seeds = [REWARDS_CONFIG_SEED], bump)]
    pub config: Box<Account<'info, RewardsConfigV0>>,
    #[account(seeds = [aegis_token::TOKEN_CONFIG_SEED], bump = token_config.bump, seeds::program = aegis_token::ID, has_one = mint, has_one = treasury)]
    pub token_config: Box<Account<'info, aegis_token::TokenConfigV0>>,
    pub mint: Box<Account<'info, Mint>>,
    pub treasury: Box<Account<'info, TokenAccount>>,
    #[account(init, payer = payer, seeds = [REWARDS_VAULT_SEED], bump, token::mint = mint, token::authority = config)]
    pub vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
    pub rent: Sysvar<'info, Rent>,
}

pub fn handler(ctx: Context<InitializeRewards>, args: InitializeRewardsArgs) -> Result<()> {
    require!(args.claim_horizon_secs > 0, RewardsError::InvalidParameter);
    ctx.accounts.config.set_inner(RewardsConfigV0 {
        authority: args.authority,
        mint: ctx.accounts.mint.key(),
        vault: ctx.accounts.vault.key(),
        treasury: ctx.accounts.treasury.key(),
        claim_horizon_secs: args.claim_horizon_secs,
        bump: ctx.bumps.config,
        vault_bump: ctx.bumps.vault,
        pause_authority: args.authority,
        paused: false,
        reserved: [0; 31],
    });
    emit!(RewardsConfigUpdated { authority: args.authority, claim_horizon_secs: args.claim_horizon_secs });
    Ok(())
}
