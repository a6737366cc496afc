use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, MintTo, Token, TokenAccount};

use crate::{
    constants::*,
    emission::{breaker_admit, capped_to_supply, epoch_start, scheduled_emission},
    error::TokenError,
    events::EpochEmissionMinted,
    state::{EmissionV0, TokenConfigV0},
};

#[derive(Accounts)]
#[instruction(epoch: u64)]
pub struct MintEpochEmission<'info> {
    /// Anyone (a keeper) may trigger the mint and pays the marker's rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(mut, seeds = [TOKEN_CONFIG_SEED], bump = config.bump, has_one = mint, has_one = rewards_vault @ TokenError::WrongRewardsVault)]
    pub config: Box<Account<'info, TokenConfigV0>>,
    #[account(mut)]
    pub mint: Box<Account<'info, Mint>>,
    #[account(mut)]
    pub rewards_vault: Box<Account<'info, TokenAccount>>,
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + EmissionV0::INIT_SPACE,
        seeds = [EMISSION_SEED, &epoch.to_le_bytes()],
        bump,
        constraint = emission.minted_at == 0 @ TokenError::EpochAlreadyMinted,
    )]
    pub emission: Box<Account<'info, EmissionV0>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<MintEpochEmission>, epoch: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let c = &ctx.accounts.config;
    require!(epoch_start(c.genesis_ts, c.epoch_length_secs, epoch)? <= now, TokenError::EpochNotStarted);
    let scheduled = scheduled_emission(c.initial_emission, c.decay_bps, c.decay_period_epochs, epoch)?;
    let minted_total = c.genesis_minted.checked_add(c.emission_minted).ok_or(TokenError::Overflow)?;
    let amount = capped_to_supply(scheduled, minted_total, MAX_SUPPLY)?;
    let (window_start, window_minted) =
        breaker_admit(c.window_start, c.window_minted, now, c.breaker_window_secs, c.breaker_max_per_window, amount)?;
    let seeds: &[&[u8]] = &[TOKEN_CONFIG_SEED, &[c.bump]];
    token::mint_to(
        CpiContext::new_with_signer(
            ctx.accounts.token_program.to_account_info(),
            MintTo {
                mint: ctx.accounts.mint.to_account_info(),
                to: ctx.accounts.rewards_vault.to_account_info(),
                authority: ctx.accounts.config.to_account_info(),
            },
            &[seeds],
        ),
        amount,
    )?;
    let c = &mut ctx.accounts.config;
    c.window_start = window_start;
    c.window_minted = window_minted;
    c.emission_minted = c.emission_minted.checked_add(amount).ok_or(TokenError::Overflow)?;
    ctx.accounts.emission.set_inner(EmissionV0 { epoch, amount, minted_at: now, bump: ctx.bumps.emission, reserved: [0; 16] });
    emit!(EpochEmissionMinted { epoch, amount, emission_minted: c.emission_minted });
    Ok(())
}
