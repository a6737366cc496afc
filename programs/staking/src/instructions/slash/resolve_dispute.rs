use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, TokenAccount, Transfer};
use registry::{program::Registry, NodeV0, RegistryConfigV0};

use crate::{
    constants::*,
    error::StakingError,
    events::SlashStatusChanged,
    instructions::slash::{apply_slash, SlashEffects},
    state::{MaxVoterWeightRecord, SlashProposalV0, SlashStatus, StakeV0, StakingConfigV0, VoterWeightRecord},
};

/// Governance decides a disputed slash. Uphold: the slash executes and the bond goes to the
/// treasury. Reject: nothing is slashed and the bond returns to the operator.
#[derive(Accounts)]
pub struct ResolveDispute<'info> {
    pub authority: Signer<'info>,
    #[account(seeds = [STAKING_CONFIG_SEED], bump = config.bump, has_one = authority @ StakingError::Unauthorized)]
    pub config: Box<Account<'info, StakingConfigV0>>,
    #[account(
        mut,
        seeds = [SLASH_SEED, proposal.stake.as_ref(), &proposal.nonce.to_le_bytes()], bump = proposal.bump,
        constraint = proposal.status == SlashStatus::Disputed @ StakingError::NotDisputed,
    )]
    pub proposal: Box<Account<'info, SlashProposalV0>>,
    #[account(mut, seeds = [STAKE_SEED, stake.operator.as_ref()], bump = stake.bump, constraint = proposal.stake == stake.key() @ StakingError::WrongAccount)]
    pub stake: Box<Account<'info, StakeV0>>,
    #[account(mut, seeds = [STAKE_VAULT_SEED, stake.operator.as_ref()], bump = stake.vault_bump)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.treasury @ StakingError::WrongAccount)]
    pub treasury: Box<Account<'info, TokenAccount>>,
    #[account(mut, seeds = [BOND_VAULT_SEED], bump = config.bond_vault_bump)]
    pub bond_vault: Box<Account<'info, TokenAccount>>,
    /// Receives the bond back on reject.
    #[account(mut, token::mint = config.mint, constraint = operator_token_account.owner == stake.operator @ StakingError::WrongAccount)]
    pub operator_token_account: Box<Account<'info, TokenAccount>>,
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

pub fn handler(ctx: Context<ResolveDispute>, uphold: bool) -> Result<()> {
    let a = ctx.accounts;
    let bond = a.proposal.bond;
    let bond_to = if uphold { a.treasury.to_account_info() } else { a.operator_token_account.to_account_info() };
    let seeds: &[&[u8]] = &[STAKING_CONFIG_SEED, &[a.config.bump]];
    if bond > 0 {
        token::transfer(
            CpiContext::new_with_signer(
                a.token_program.to_account_info(),
                Transfer { from: a.bond_vault.to_account_info(), to: bond_to, authority: a.config.to_account_info() },
                &[seeds],
            ),
            bond,
        )?;
    }
    if uphold {
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
    } else {
        a.stake.pending_slashes = a.stake.pending_slashes.checked_sub(1).ok_or(StakingError::Overflow)?;
        a.proposal.status = SlashStatus::Rejected;
        emit!(SlashStatusChanged { proposal: a.proposal.key(), status: SlashStatus::Rejected, amount: bond });
        Ok(())
    }
}
