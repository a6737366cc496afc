use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, TokenAccount, Transfer};

use crate::{
    constants::*,
    error::StakingError,
    events::SlashStatusChanged,
    state::{SlashProposalV0, SlashStatus, StakeV0, StakingConfigV0},
};

/// The operator disputes a pending slash inside the challenge window, posting `dispute_bond`.
#[derive(Accounts)]
pub struct DisputeSlash<'info> {
    pub operator: Signer<'info>,
    #[account(seeds = [STAKING_CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, StakingConfigV0>>,
    #[account(seeds = [STAKE_SEED, stake.operator.as_ref()], bump = stake.bump, has_one = operator @ StakingError::Unauthorized)]
    pub stake: Box<Account<'info, StakeV0>>,
    #[account(
        mut,
        seeds = [SLASH_SEED, proposal.stake.as_ref(), &proposal.nonce.to_le_bytes()], bump = proposal.bump,
        constraint = proposal.stake == stake.key() @ StakingError::Unauthorized,
        constraint = proposal.status == SlashStatus::Pending @ StakingError::NotDisputable,
    )]
    pub proposal: Box<Account<'info, SlashProposalV0>>,
    #[account(mut, token::mint = config.mint, constraint = source.owner == operator.key() @ StakingError::Unauthorized)]
    pub source: Box<Account<'info, TokenAccount>>,
    #[account(mut, seeds = [BOND_VAULT_SEED], bump = config.bond_vault_bump)]
    pub bond_vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<DisputeSlash>) -> Result<()> {
    require!(Clock::get()?.unix_timestamp < ctx.accounts.proposal.window_ends_at, StakingError::ChallengeWindowClosed);
    let bond = ctx.accounts.config.dispute_bond;
    token::transfer(
        CpiContext::new(
            ctx.accounts.token_program.to_account_info(),
            Transfer {
                from: ctx.accounts.source.to_account_info(),
                to: ctx.accounts.bond_vault.to_account_info(),
                authority: ctx.accounts.operator.to_account_info(),
            },
        ),
        bond,
    )?;
    let p = &mut ctx.accounts.proposal;
    p.bond = bond;
    p.status = SlashStatus::Disputed;
    emit!(SlashStatusChanged { proposal: p.key(), status: SlashStatus::Disputed, amount: bond });
    Ok(())
}
