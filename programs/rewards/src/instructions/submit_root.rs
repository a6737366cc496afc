use anchor_lang::prelude::*;
use aegis_token::{emission::epoch_start, EmissionV0, TokenConfigV0};
use registry::RegistryConfigV0;

use crate::{
    constants::*,
    error::RewardsError,
    events::{RootAccepted, RootSubmitted},
    state::{RewardEpochV0, RootSubmission},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct SubmitRootArgs {
    pub root: [u8; 32],
    pub total: u64,
}

#[derive(Accounts)]
#[instruction(epoch: u64)]
pub struct SubmitRoot<'info> {
    #[account(mut, constraint = registry_config.oracles.contains(&oracle.key()) @ RewardsError::NotOracle)]
    pub oracle: Signer<'info>,
    #[account(seeds = [registry::CONFIG_SEED], bump = registry_config.bump, seeds::program = registry::ID)]
    pub registry_config: Box<Account<'info, RegistryConfigV0>>,
    #[account(seeds = [aegis_token::TOKEN_CONFIG_SEED], bump = token_config.bump, seeds::program = aegis_token::ID)]
    pub token_config: Box<Account<'info, TokenConfigV0>>,
    /// The epoch's emission must be minted before its rewards are distributed.
    #[account(seeds = [aegis_token::EMISSION_SEED, &epoch.to_le_bytes()], bump = emission.bump, seeds::program = aegis_token::ID)]
    pub emission: Box<Account<'info, EmissionV0>>,
    #[account(
        init_if_needed,
        payer = oracle,
        space = 8 + RewardEpochV0::INIT_SPACE,
        seeds = [EPOCH_SEED, &epoch.to_le_bytes()],
        bump,
    )]
    pub reward_epoch: Box<Account<'info, RewardEpochV0>>,
    pub system_program: Program<'info, System>,
}

/// An oracle submits its (root, total) for a finished epoch; m-of-n identical submissions
/// from current oracles accept the root.
pub fn handler(ctx: Context<SubmitRoot>, epoch: u64, args: SubmitRootArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let tc = &ctx.accounts.token_config;
    let next = epoch.checked_add(1).ok_or(RewardsError::Overflow)?;
    require!(now >= epoch_start(tc.genesis_ts, tc.epoch_length_secs, next)?, RewardsError::EpochNotEnded);
    require!(args.total <= ctx.accounts.emission.amount, RewardsError::TotalAboveEmission);
    let oracle = ctx.accounts.oracle.key();
    let oracles = &ctx.accounts.registry_config.oracles;
    let quorum = ctx.accounts.registry_config.quorum;
    let e = &mut ctx.accounts.reward_epoch;
    // Idempotent: the same values on creation and afterwards.
    e.epoch = epoch;
    e.emission = ctx.accounts.emission.amount;
    e.bump = ctx.bumps.reward_epoch;
    require!(e.accepted_at == 0, RewardsError::AlreadyAccepted);
    require!(!e.submissions.iter().any(|s| s.oracle == oracle), RewardsError::AlreadySubmitted);
    require!(e.submissions.len() < MAX_SUBMISSIONS, RewardsError::AlreadySubmitted);
    e.submissions.push(RootSubmission { oracle, root: args.root, total: args.total });
    let matching = e
        .submissions
        .iter()
        .filter(|s| s.root == args.root && s.total == args.total && oracles.contains(&s.oracle))
        .count();
    let matching = u8::try_from(matching).map_err(|_| error!(RewardsError::Overflow))?;
    emit!(RootSubmitted { epoch, oracle, root: args.root, total: args.total, matching });
    if quorum > 0 && matching >= quorum {
        e.accepted_root = args.root;
        e.total = args.total;
        e.accepted_at = now;
        emit!(RootAccepted { epoch, root: args.root, total: args.total });
    }
    Ok(())
}
