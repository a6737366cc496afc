use anchor_lang::prelude::*;
use registry::{NodeV0, RegistryConfigV0};

use crate::{
    constants::*,
    error::StakingError,
    events::SlashProposed,
    math::{admit_slash, needs_cosign},
    state::{SlashProposalV0, SlashStatus, StakeV0, StakingConfigV0},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct ProposeSlashArgs {
    pub amount: u64,
    /// Reason code (docs/protocol.md): 1 downtime, 2 bad responses, 3 forged reports, …
    pub reason: u16,
    pub evidence_hash: [u8; 32],
    pub evidence_uri: String,
}

#[derive(Accounts)]
pub struct ProposeSlash<'info> {
    #[account(mut, constraint = registry_config.oracles.contains(&proposer.key()) @ StakingError::NotOracle)]
    pub proposer: Signer<'info>,
    #[account(seeds = [STAKING_CONFIG_SEED], bump = config.bump, constraint = !config.paused @ StakingError::Paused)]
    pub config: Box<Account<'info, StakingConfigV0>>,
    #[account(seeds = [registry::CONFIG_SEED], bump = registry_config.bump, seeds::program = registry::ID)]
    pub registry_config: Box<Account<'info, RegistryConfigV0>>,
    #[account(seeds = [registry::NODE_SEED, node.identity.as_ref()], bump = node.bump, seeds::program = registry::ID)]
    pub node: Box<Account<'info, NodeV0>>,
    #[account(mut, seeds = [STAKE_SEED, node.operator.as_ref()], bump = stake.bump)]
    pub stake: Box<Account<'info, StakeV0>>,
    #[account(
        init,
        payer = proposer,
        space = 8 + SlashProposalV0::INIT_SPACE,
        seeds = [SLASH_SEED, stake.key().as_ref(), &stake.slash_nonce.to_le_bytes()],
        bump,
    )]
    pub proposal: Box<Account<'info, SlashProposalV0>>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<ProposeSlash>, args: ProposeSlashArgs) -> Result<()> {
    require!(args.evidence_uri.len() <= MAX_EVIDENCE_URI_LEN, StakingError::EvidenceUriTooLong);
    let now = Clock::get()?.unix_timestamp;
    let c = &ctx.accounts.config;
    let stake = &mut ctx.accounts.stake;
    let total = stake.amount.checked_add(stake.pending_unstake).ok_or(StakingError::Overflow)?;
    let (start, used) = admit_slash(
        stake.slash_window_start,
        stake.slash_window_amount,
        now,
        c.slash_epoch_secs,
        total,
        c.max_slash_bps_per_epoch,
        args.amount,
    )?;
    let (status, window_ends_at) = if needs_cosign(args.amount, total, c.cosign_threshold_bps) {
        (SlashStatus::AwaitingCosign, 0)
    } else {
        (SlashStatus::Pending, now.checked_add(c.challenge_secs).ok_or(StakingError::Overflow)?)
    };
    let nonce = stake.slash_nonce;
    stake.slash_window_start = start;
    stake.slash_window_amount = used;
    stake.slash_nonce = nonce.checked_add(1).ok_or(StakingError::Overflow)?;
    stake.pending_slashes = stake.pending_slashes.checked_add(1).ok_or(StakingError::Overflow)?;
    ctx.accounts.proposal.set_inner(SlashProposalV0 {
        stake: stake.key(),
        node: ctx.accounts.node.key(),
        operator: stake.operator,
        proposer: ctx.accounts.proposer.key(),
        cosigner: Pubkey::default(),
        nonce,
        amount: args.amount,
        executed_amount: 0,
        reason: args.reason,
        evidence_hash: args.evidence_hash,
        evidence_uri: args.evidence_uri,
        status,
        created_at: now,
        window_ends_at,
        bond: 0,
        bump: ctx.bumps.proposal,
        reserved: [0; 32],
    });
    emit!(SlashProposed {
        proposal: ctx.accounts.proposal.key(),
        node: ctx.accounts.node.key(),
        operator: stake.operator,
        proposer: ctx.accounts.proposer.key(),
        amount: args.amount,
        reason: args.reason,
        evidence_hash: args.evidence_hash,
        status,
        window_ends_at,
    });
    Ok(())
}
