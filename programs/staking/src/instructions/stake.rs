use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount, Transfer};

use crate::{
    constants::*,
    error::StakingError,
    events::Staked,
    state::{MaxVoterWeightRecord, StakeV0, StakingConfigV0, VoterWeightRecord},
};

#[derive(Accounts)]
pub struct Stake<'info> {
    #[account(mut)]
    pub operator: Signer<'info>,
    #[account(seeds = [STAKING_CONFIG_SEED], bump = config.bump, has_one = mint @ StakingError::WrongAccount, constraint = !config.paused @ StakingError::Paused)]
    pub config: Box<Account<'info, StakingConfigV0>>,
    pub mint: Box<Account<'info, Mint>>,
    #[account(init_if_needed, payer = operator, space = 8 + StakeV0::INIT_SPACE, seeds = [STAKE_SEED, operator.key().as_ref()], bump)]
    pub stake: Box<Account<'info, StakeV0>>,
    #[account(init_if_needed, payer = operator, seeds = [STAKE_VAULT_SEED, operator.key().as_ref()], bump, token::mint = mint, token::authority = stake)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = mint, constraint = source.owner == operator.key() @ StakingError::Unauthorized)]
    pub source: Box<Account<'info, TokenAccount>>,
    #[account(init_if_needed, payer = operator, space = 8 + VoterWeightRecord::INIT_SPACE, seeds = [VOTER_WEIGHT_SEED, operator.key().as_ref()], bump)]
    pub voter_weight_record: Box<Account<'info, VoterWeightRecord>>,
    #[account(mut, seeds = [MAX_VOTER_WEIGHT_SEED], bump)]
    pub max_voter_weight_record: Box<Account<'info, MaxVoterWeightRecord>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<Stake>, amount: u64) -> Result<()> {
    require!(amount > 0, StakingError::InvalidAmount);
    token::transfer(
        CpiContext::new(
            ctx.accounts.token_program.to_account_info(),
            Transfer {
                from: ctx.accounts.source.to_account_info(),
                to: ctx.accounts.vault.to_account_info(),
                authority: ctx.accounts.operator.to_account_info(),
            },
        ),
        amount,
    )?;
    let stake = &mut ctx.accounts.stake;
    if stake.operator == Pubkey::default() {
        stake.operator = ctx.accounts.operator.key();
        stake.bump = ctx.bumps.stake;
        stake.vault_bump = ctx.bumps.vault;
    }
    stake.amount = stake.amount.checked_add(amount).ok_or(StakingError::Overflow)?;
    ctx.accounts.voter_weight_record.refresh(&ctx.accounts.config, stake);
    ctx.accounts.max_voter_weight_record.bond(amount)?;
    emit!(Staked { operator: stake.operator, amount, total: stake.amount });
    Ok(())
}
