use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, TokenAccount, Transfer};
use aegis_token::{emission::epoch_start, EmissionV0, TokenConfigV0};

use crate::{
    constants::*,
    error::RewardsError,
    events::UnclaimedSwept,
    math::sweepable,
    state::{RewardEpochV0, RewardsConfigV0},
};

/// Permissionless. After the claim horizon (from root acceptance, or from the epoch's end if no
/// root was ever accepted) the epoch's unclaimed emission returns to the treasury.
#[derive(Accounts)]
#[instruction(epoch: u64)]
pub struct SweepUnclaimed<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(seeds = [REWARDS_CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, RewardsConfigV0>>,
    #[account(seeds = [aegis_token::TOKEN_CONFIG_SEED], bump = token_config.bump, seeds::program = aegis_token::ID)]
    pub token_config: Box<Account<'info, TokenConfigV0>>,
    #[account(seeds = [aegis_token::EMISSION_SEED, &epoch.to_le_bytes()], bump = emission.bump, seeds::program = aegis_token::ID)]
    pub emission: Box<Account<'info, EmissionV0>>,
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + RewardEpochV0::INIT_SPACE,
        seeds = [EPOCH_SEED, &epoch.to_le_bytes()],
        bump,
        constraint = !reward_epoch.swept @ RewardsError::ClaimWindowClosed,
    )]
    pub reward_epoch: Box<Account<'info, RewardEpochV0>>,
    #[account(mut, address = config.vault @ RewardsError::WrongAccount)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.treasury @ RewardsError::WrongAccount)]
    pub treasury: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<SweepUnclaimed>, epoch: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let tc = &ctx.accounts.token_config;
    let e = &mut ctx.accounts.reward_epoch;
    // Idempotent: the same values on creation and afterwards.
    e.epoch = epoch;
    e.emission = ctx.accounts.emission.amount;
    e.bump = ctx.bumps.reward_epoch;
    let from = if e.accepted_at != 0 {
        e.accepted_at
    } else {
        epoch_start(tc.genesis_ts, tc.epoch_length_secs, epoch.checked_add(1).ok_or(RewardsError::Overflow)?)?
    };
    let horizon = from.checked_add(ctx.accounts.config.claim_horizon_secs).ok_or(RewardsError::Overflow)?;
    require!(now >= horizon, RewardsError::HorizonNotReached);
    let amount = sweepable(e.emission, e.claimed)?;
    e.swept = true;
    if amount > 0 {
        let seeds: &[&[u8]] = &[REWARDS_CONFIG_SEED, &[ctx.accounts.config.bump]];
        token::transfer(
            CpiContext::new_with_signer(
                ctx.accounts.token_program.to_account_info(),
                Transfer {
                    from: ctx.accounts.vault.to_account_info(),
                    to: ctx.accounts.treasury.to_account_info(),
                    authority: ctx.accounts.config.to_account_info(),
                },
                &[seeds],
            ),
            amount,
        )?;
    }
    emit!(UnclaimedSwept { epoch, amount });
    Ok(())
}
