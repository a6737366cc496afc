//! Slashing: propose (oracle) → [cosign (second oracle)] → challenge window →
//! execute (anyone) | dispute (operator, bond) → resolve (governance).
#![allow(ambiguous_glob_reexports)]

pub mod cosign_slash;
pub mod dispute_slash;
pub mod execute_slash;
pub mod propose_slash;
pub mod resolve_dispute;

pub use cosign_slash::*;
pub use dispute_slash::*;
pub use execute_slash::*;
pub use propose_slash::*;
pub use resolve_dispute::*;

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, TokenAccount, Transfer};
use registry::{program::Registry, NodeStatus, NodeV0, RegistryConfigV0};

use crate::{
    constants::STAKE_SEED,
    error::StakingError,
    events::SlashStatusChanged,
    instructions::node_status::set_node_status,
    math::split_slash,
    state::{MaxVoterWeightRecord, SlashProposalV0, SlashStatus, StakeV0, StakingConfigV0, VoterWeightRecord},
};

/// Everything an executed slash touches.
pub struct SlashEffects<'a, 'info> {
    pub config: &'a StakingConfigV0,
    pub stake: &'a mut Account<'info, StakeV0>,
    pub vault: &'a Account<'info, TokenAccount>,
    pub treasury: &'a Account<'info, TokenAccount>,
    pub registry_config: &'a Account<'info, RegistryConfigV0>,
    pub node: &'a Account<'info, NodeV0>,
    pub stake_authority: &'a UncheckedAccount<'info>,
    pub registry_program: &'a Program<'info, Registry>,
    pub voter_weight_record: &'a mut Account<'info, VoterWeightRecord>,
    pub max_voter_weight_record: &'a mut Account<'info, MaxVoterWeightRecord>,
    pub token_program: &'a Program<'info, Token>,
}

/// Moves the slashed stake to the treasury, jails an Active node and lowers its reputation.
pub fn apply_slash(fx: SlashEffects, proposal: &mut Account<SlashProposalV0>) -> Result<()> {
    let (from_active, from_pending) = split_slash(fx.stake.amount, fx.stake.pending_unstake, proposal.amount);
    let taken = from_active.checked_add(from_pending).ok_or(StakingError::Overflow)?;
    let operator = fx.stake.operator;
    let seeds: &[&[u8]] = &[STAKE_SEED, operator.as_ref(), &[fx.stake.bump]];
    if taken > 0 {
        token::transfer(
            CpiContext::new_with_signer(
                fx.token_program.to_account_info(),
                Transfer { from: fx.vault.to_account_info(), to: fx.treasury.to_account_info(), authority: fx.stake.to_account_info() },
                &[seeds],
            ),
            taken,
        )?;
    }
    let stake = &mut **fx.stake;
    stake.amount -= from_active;
    stake.pending_unstake -= from_pending;
    stake.total_slashed = stake.total_slashed.checked_add(taken).ok_or(StakingError::Overflow)?;
    stake.pending_slashes = stake.pending_slashes.checked_sub(1).ok_or(StakingError::Overflow)?;
    fx.voter_weight_record.refresh(fx.config, stake);
    fx.max_voter_weight_record.unbond(from_active)?;
    let to = match fx.node.status {
        NodeStatus::Active => Some(NodeStatus::Jailed),
        NodeStatus::Exited => None,
        s => Some(s),
    };
    if let Some(to) = to {
        set_node_status(fx.registry_program, fx.stake_authority, fx.registry_config, fx.node, fx.config.stake_authority_bump, to, fx.config.reputation_penalty)?;
    }
    proposal.status = SlashStatus::Executed;
    proposal.executed_amount = taken;
    emit!(SlashStatusChanged { proposal: proposal.key(), status: SlashStatus::Executed, amount: taken });
    Ok(())
}
