use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, TokenAccount, Transfer};
use registry::NodeV0;

use crate::{
    constants::*,
    error::RewardsError,
    events::RewardClaimed,
    math::admit_claim,
    merkle::{leaf_hash, verify},
    state::{ClaimMarkerV0, RewardEpochV0, RewardsConfigV0},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct ClaimArgs {
    pub amount: u64,
    pub metrics_hash: [u8; 32],
    pub proof: Vec<[u8; 32]>,
}

/// Anyone may claim on a node's behalf: the leaf fixes the destination token account.
#[derive(Accounts)]
#[instruction(epoch: u64)]
pub struct Claim<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(seeds = [REWARDS_CONFIG_SEED], bump = config.bump, constraint = !config.paused @ RewardsError::Paused)]
    pub config: Box<Account<'info, RewardsConfigV0>>,
    #[account(
        mut,
        seeds = [EPOCH_SEED, &epoch.to_le_bytes()], bump = reward_epoch.bump,
        constraint = reward_epoch.accepted_at != 0 @ RewardsError::RootNotAccepted,
        constraint = !reward_epoch.swept @ RewardsError::ClaimWindowClosed,
    )]
    pub reward_epoch: Box<Account<'info, RewardEpochV0>>,
    #[account(seeds = [registry::NODE_SEED, node.identity.as_ref()], bump = node.bump, seeds::program = registry::ID)]
    pub node: Box<Account<'info, NodeV0>>,
    #[account(mut, token::mint = config.mint)]
    pub destination: Box<Account<'info, TokenAccount>>,
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + ClaimMarkerV0::INIT_SPACE,
        seeds = [CLAIM_SEED, &epoch.to_le_bytes(), node.key().as_ref()],
        bump,
        constraint = marker.claimed_at == 0 @ RewardsError::AlreadyClaimed,
    )]
    pub marker: Box<Account<'info, ClaimMarkerV0>>,
    #[account(mut, address = config.vault @ RewardsError::WrongAccount)]
    pub vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<Claim>, epoch: u64, args: ClaimArgs) -> Result<()> {
    require!(args.proof.len() <= MAX_PROOF_LEN, RewardsError::ProofTooLong);
    let now = Clock::get()?.unix_timestamp;
    let e = &ctx.accounts.reward_epoch;
    let horizon = e.accepted_at.checked_add(ctx.accounts.config.claim_horizon_secs).ok_or(RewardsError::Overflow)?;
    require!(now < horizon, RewardsError::ClaimWindowClosed);
    let node = ctx.accounts.node.key();
    let destination = ctx.accounts.destination.key();
    let leaf = leaf_hash(&node, &destination, args.amount, &args.metrics_hash);
    require!(verify(&args.proof, &e.accepted_root, leaf), RewardsError::InvalidProof);
    let claimed = admit_claim(e.total, e.claimed, args.amount)?;
    let seeds: &[&[u8]] = &[REWARDS_CONFIG_SEED, &[ctx.accounts.config.bump]];
    token::transfer(
        CpiContext::new_with_signer(
            ctx.accounts.token_program.to_account_info(),
            Transfer {
                from: ctx.accounts.vault.to_account_info(),
                to: ctx.accounts.destination.to_account_info(),
                authority: ctx.accounts.config.to_account_info(),
            },
            &[seeds],
        ),
        args.amount,
    )?;
    let e = &mut ctx.accounts.reward_epoch;
    e.claimed = claimed;
    e.claims = e.claims.checked_add(1).ok_or(RewardsError::Overflow)?;
    ctx.accounts.marker.set_inner(ClaimMarkerV0 { epoch, node, amount: args.amount, claimed_at: now, bump: ctx.bumps.marker });
    emit!(RewardClaimed { epoch, node, destination, amount: args.amount });
    Ok(())
}
