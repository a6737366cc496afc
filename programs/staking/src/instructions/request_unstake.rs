use anchor_lang::prelude::*;

use crate::{
    constants::*,
    error::StakingError,
    events::UnstakeRequested,
    math::required_stake,
    state::{MaxVoterWeightRecord, StakeV0, StakingConfigV0, VoterWeightRecord},
};

/// Moves `amount` from bonded to unbonding; withdrawable after `cooldown_secs` (a new request
/// restarts the cooldown for the whole unbonding amount).
#[derive(Accounts)]
pub struct RequestUnstake<'info> {
    pub operator: Signer<'info>,
    #[account(seeds = [STAKING_CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, StakingConfigV0>>,
    #[account(mut, seeds = [STAKE_SEED, stake.operator.as_ref()], bump = stake.bump, has_one = operator @ StakingError::Unauthorized)]
    pub stake: Box<Account<'info, StakeV0>>,
    #[account(mut, seeds = [VOTER_WEIGHT_SEED, stake.operator.as_ref()], bump)]
    pub voter_weight_record: Box<Account<'info, VoterWeightRecord>>,
    #[account(mut, seeds = [MAX_VOTER_WEIGHT_SEED], bump)]
    pub max_voter_weight_record: Box<Account<'info, MaxVoterWeightRecord>>,
}

pub fn handler(ctx: Context<RequestUnstake>, amount: u64) -> Result<()> {
    let config = &ctx.accounts.config;
    let stake = &mut ctx.accounts.stake;
    require!(amount > 0 && amount <= stake.amount, StakingError::InvalidAmount);
    let remaining = stake.amount - amount;
    require!(remaining >= required_stake(config.min_stake, stake.bonded_nodes)?, StakingError::InsufficientStake);
    let now = Clock::get()?.unix_timestamp;
    stake.amount = remaining;
    stake.pending_unstake = stake.pending_unstake.checked_add(amount).ok_or(StakingError::Overflow)?;
    stake.unstake_ready_at = now.checked_add(config.cooldown_secs).ok_or(StakingError::Overflow)?;
    ctx.accounts.voter_weight_record.refresh(config, stake);
    ctx.accounts.max_voter_weight_record.unbond(amount)?;
    emit!(UnstakeRequested { operator: stake.operator, amount, pending: stake.pending_unstake, ready_at: stake.unstake_ready_at });
    Ok(())
}
