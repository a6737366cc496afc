use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};
use registry::{program::Registry, NodeV0, RegistryConfigV0};

use crate::{
    constants::*,
    error::StakingError,
    events::SlashStatusChanged,
    instructions::slash::{apply_slash, SlashEffects},
    state::{MaxVoterWeightRecord, SlashProposalV0, SlashStatus, StakeV0, StakingConfigV0, VoterWeightRecord},
};

/// Permissionless. A Pending proposal whose challenge window has passed is executed; a
/// proposal still awaiting a co-signature after `challenge_secs` expires (and unblocks withdrawals).
#[derive(Accounts)]
pub struct ExecuteSlash<'info> {
    #[account(seeds = [STAKING_CONFIG_SEED], bump = config.bump, constraint = !config.paused @ StakingError::Paused)]
    pub config: Box<Account<'info, StakingConfigV0>>,
    #[account(mut, seeds = [SLASH_SEED, proposal.stake.as_ref(), &proposal.nonce.to_le_bytes()], bump = proposal.bump)]
    pub proposal: Box<Account<'info, SlashProposalV0>>,
    #[account(mut, seeds = [STAKE_SEED, stake.operator.as_ref()], bump = stake.bump, constraint = proposal.stake == stake.key() @ StakingError::WrongAccount)]
    pub stake: Box<Account<'info, StakeV0>>,
    #[account(mut, seeds = [STAKE_VAULT_SEED, stake.operator.as_ref()], bump = stake.vault_bump)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.treasury @ StakingError::WrongAccount)]
    pub treasury: Box<Account<'info, TokenAccount>>,
    #[account(seeds = [registry::CONFIG_SEED], bump = registry_config.bump, seeds::program = registry::ID)]
    pub registry_config: Box<Account<'info, RegistryConfigV0>>,
    #[account(mut, address = proposal.node @ StakingError::WrongAccount)]
    pub node: Box<Account<'info, NodeV0>>,
    /// CHECK: PDA that signs the registry CPI.
    #[account(seeds = [STAKE_AUTHORITY_SEED], bump = config.stake_authority_bump)]
    pub stake_authority: UncheckedAccount<'info>,
    #[account(mut, seeds = [VOTER_WEIGHT_SEED, stake.operator.as_ref()], bump)]
    pub voter_weight_record: Box<Account<'info, VoterWeightRecord>>,
    #[account(mut, seeds = [MAX_VOTER_WEIGHT_SEED], bump)]
    pub max_voter_weight_record: Box<Account<'info, MaxVoterWeightRecord>>,
    pub registry_program: Program<'info, Registry>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<ExecuteSlash>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = ctx.accounts;
    match a.proposal.status {
        SlashStatus::AwaitingCosign => {
            let expiry = a.proposal.created_at.checked_add(a.config.challenge_secs).ok_or(StakingError::Overflow)?;
            require!(now >= expiry, StakingError::ChallengeWindowOpen);
            a.stake.pending_slashes = a.stake.pending_slashes.checked_sub(1).ok_or(StakingError::Overflow)?;
            a.proposal.status = SlashStatus::Expired;
            emit!(SlashStatusChanged { proposal: a.proposal.key(), status: SlashStatus::Expired, amount: 0 });
            Ok(())
        }
        SlashStatus::Pending => {
            require!(now >= a.proposal.window_ends_at, StakingError::ChallengeWindowOpen);
            apply_slash(
                SlashEffects {
                    config: &a.config,
                    stake: &mut a.stake,
                    vault: &a.vault,
                    treasury: &a.treasury,
                    registry_config: &a.registry_config,
                    node: &a.node,
                    stake_authority: &a.stake_authority,
                    registry_program: &a.registry_program,
                    voter_weight_record: &mut a.voter_weight_record,
                max_voter_weight_record: &mut a.max_voter_weight_record,
                    token_program: &a.token_program,
                },
                &mut a.proposal,
            )
        }
        _ => err!(StakingError::NotExecutable),
    }
}
