use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, TokenAccount, Transfer};

use crate::{
    constants::*,
    error::StakingError,
    events::Withdrawn,
    state::{StakeV0, StakingConfigV0},
};

#[derive(Accounts)]
pub struct Withdraw<'info> {
    pub operator: Signer<'info>,
    #[account(seeds = [STAKING_CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, StakingConfigV0>>,
    #[account(mut, seeds = [STAKE_SEED, stake.operator.as_ref()], bump = stake.bump, has_one = operator @ StakingError::Unauthorized)]
    pub stake: Box<Account<'info, StakeV0>>,
    #[account(mut, seeds = [STAKE_VAULT_SEED, stake.operator.as_ref()], bump = stake.vault_bump)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = config.mint)]
    pub destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<Withdraw>) -> Result<()> {
    let stake = &ctx.accounts.stake;
    let amount = stake.pending_unstake;
    require!(amount > 0, StakingError::NothingToWithdraw);
    require!(stake.pending_slashes == 0, StakingError::SlashPending);
    require!(Clock::get()?.unix_timestamp >= stake.unstake_ready_at, StakingError::CooldownActive);
    let operator = stake.operator;
    let seeds: &[&[u8]] = &[STAKE_SEED, operator.as_ref(), &[stake.bump]];
    token::transfer(
        CpiContext::new_with_signer(
            ctx.accounts.token_program.to_account_info(),
            Transfer {
                from: ctx.accounts.vault.to_account_info(),
                to: ctx.accounts.destination.to_account_info(),
                authority: ctx.accounts.stake.to_account_info(),
            },
            &[seeds],
        ),
        amount,
    )?;
    ctx.accounts.stake.pending_unstake = 0;
    emit!(Withdrawn { operator, amount });
    Ok(())
}
