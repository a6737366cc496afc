use anchor_lang::prelude::*;
use registry::RegistryConfigV0;

use crate::{
    constants::*,
    error::StakingError,
    events::SlashStatusChanged,
    state::{SlashProposalV0, SlashStatus, StakingConfigV0},
};

/// A second, different oracle co-signs a slash above the co-sign threshold; the challenge
/// window starts now. Must happen within `challenge_secs` of the proposal.
#[derive(Accounts)]
pub struct CosignSlash<'info> {
    #[account(constraint = registry_config.oracles.contains(&cosigner.key()) @ StakingError::NotOracle)]
    pub cosigner: Signer<'info>,
    #[account(seeds = [STAKING_CONFIG_SEED], bump = config.bump, constraint = !config.paused @ StakingError::Paused)]
    pub config: Box<Account<'info, StakingConfigV0>>,
    #[account(seeds = [registry::CONFIG_SEED], bump = registry_config.bump, seeds::program = registry::ID)]
    pub registry_config: Box<Account<'info, RegistryConfigV0>>,
    #[account(
        mut,
        seeds = [SLASH_SEED, proposal.stake.as_ref(), &proposal.nonce.to_le_bytes()], bump = proposal.bump,
        constraint = proposal.status == SlashStatus::AwaitingCosign @ StakingError::NotAwaitingCosign,
        constraint = proposal.proposer != cosigner.key() @ StakingError::SameOracle,
    )]
    pub proposal: Box<Account<'info, SlashProposalV0>>,
}

pub fn handler(ctx: Context<CosignSlash>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let challenge = ctx.accounts.config.challenge_secs;
    let p = &mut ctx.accounts.proposal;
    require!(now < p.created_at.checked_add(challenge).ok_or(StakingError::Overflow)?, StakingError::CosignExpired);
    p.cosigner = ctx.accounts.cosigner.key();
    p.status = SlashStatus::Pending;
    p.window_ends_at = now.checked_add(challenge).ok_or(StakingError::Overflow)?;
    emit!(SlashStatusChanged { proposal: p.key(), status: SlashStatus::Pending, amount: p.amount });
    Ok(())
}
