use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::{
    constants::*,
    error::TokenError,
    events::TokenInitialized,
    state::TokenConfigV0,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct InitializeTokenArgs {
    pub authority: Pubkey,
    /// SPL owner of the treasury token account (the treasury governance later).
    pub treasury_owner: Pubkey,
    pub rewards_vault: Pubkey,
    /// 0 = now.
    pub genesis_ts: i64,
    pub epoch_length_secs: i64,
    pub initial_emission: u64,
    pub decay_bps: u16,
    pub decay_period_epochs: u32,
    pub breaker_window_secs: i64,
    pub breaker_max_per_window: u64,
}

#[derive(Accounts)]
pub struct InitializeToken<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(init, payer = payer, space = 8 + TokenConfigV0::INIT_SPACE, seeds = [TOKEN_CONFIG_SEED], bump)]
    pub config: Box<Account<'info, TokenConfigV0>>,
    /// Classic SPL mint; the config PDA is the mint authority, there is no freeze authority.
    #[account(init, payer = payer, seeds = [MINT_SEED], bump, mint::decimals = DECIMALS, mint::authority = config)]
    pub mint: Box<Account<'info, Mint>>,
    /// CHECK: only recorded as the SPL owner of the treasury token account.
    pub treasury_owner: UncheckedAccount<'info>,
    #[account(init, payer = payer, seeds = [TREASURY_SEED], bump, token::mint = mint, token::authority = treasury_owner)]
    pub treasury: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
    pub rent: Sysvar<'info, Rent>,
}

pub fn validate_params(epoch_length_secs: i64, decay_bps: u16, decay_period_epochs: u32, breaker_window_secs: i64) -> Result<()> {
    require!(epoch_length_secs > 0, TokenError::InvalidParameter);
    require!(u64::from(decay_bps) <= BPS, TokenError::InvalidParameter);
    require!(decay_period_epochs > 0, TokenError::InvalidParameter);
    require!(breaker_window_secs > 0, TokenError::InvalidParameter);
    Ok(())
}

pub fn handler(ctx: Context<InitializeToken>, args: InitializeTokenArgs) -> Result<()> {
    validate_params(args.epoch_length_secs, args.decay_bps, args.decay_period_epochs, args.breaker_window_secs)?;
    require_keys_eq!(args.treasury_owner, ctx.accounts.treasury_owner.key(), TokenError::InvalidParameter);
    let now = Clock::get()?.unix_timestamp;
    let genesis_ts = if args.genesis_ts == 0 { now } else { args.genesis_ts };
    ctx.accounts.config.set_inner(TokenConfigV0 {
        authority: args.authority,
        mint: ctx.accounts.mint.key(),
        treasury: ctx.accounts.treasury.key(),
        rewards_vault: args.rewards_vault,
        genesis_ts,
        epoch_length_secs: args.epoch_length_secs,
        initial_emission: args.initial_emission,
        decay_bps: args.decay_bps,
        decay_period_epochs: args.decay_period_epochs,
        breaker_window_secs: args.breaker_window_secs,
        breaker_max_per_window: args.breaker_max_per_window,
        window_start: 0,
        window_minted: 0,
        genesis_minted: 0,
        emission_minted: 0,
        bump: ctx.bumps.config,
        mint_bump: ctx.bumps.mint,
        treasury_bump: ctx.bumps.treasury,
        reserved: [0; 64],
    });
    emit!(TokenInitialized {
        config: ctx.accounts.config.key(),
        mint: ctx.accounts.mint.key(),
        treasury: ctx.accounts.treasury.key(),
        authority: args.authority,
    });
    Ok(())
}
