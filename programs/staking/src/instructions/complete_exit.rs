use anchor_lang::prelude::*;
use registry::{program::Registry, NodeStatus, NodeV0, RegistryConfigV0};

use crate::{
    constants::*,
    error::StakingError,
    events::NodeBondChanged,
    instructions::node_status::set_node_status,
    state::{StakeV0, StakingConfigV0},
};

/// Exiting → Exited after `cooldown_secs` (and no pending slash): the node's bond is released.
#[derive(Accounts)]
pub struct CompleteExit<'info> {
    pub operator: Signer<'info>,
    #[account(seeds = [STAKING_CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, StakingConfigV0>>,
    #[account(mut, seeds = [STAKE_SEED, stake.operator.as_ref()], bump = stake.bump, has_one = operator @ StakingError::Unauthorized)]
    pub stake: Box<Account<'info, StakeV0>>,
    #[account(seeds = [registry::CONFIG_SEED], bump = registry_config.bump, seeds::program = registry::ID)]
    pub registry_config: Box<Account<'info, RegistryConfigV0>>,
    #[account(
        mut,
        seeds = [registry::NODE_SEED, node.identity.as_ref()], bump = node.bump, seeds::program = registry::ID,
        constraint = node.operator == operator.key() @ StakingError::WrongNodeOperator,
        constraint = node.status == NodeStatus::Exiting @ StakingError::InvalidNodeStatus,
    )]
    pub node: Box<Account<'info, NodeV0>>,
    /// CHECK: PDA that signs the registry CPI.
    #[account(seeds = [STAKE_AUTHORITY_SEED], bump = config.stake_authority_bump)]
    pub stake_authority: UncheckedAccount<'info>,
    pub registry_program: Program<'info, Registry>,
}

pub fn handler(ctx: Context<CompleteExit>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let ready = ctx.accounts.node.updated_at.checked_add(ctx.accounts.config.cooldown_secs).ok_or(StakingError::Overflow)?;
    require!(now >= ready, StakingError::ExitCooldownActive);
    let stake = &mut ctx.accounts.stake;
    require!(stake.pending_slashes == 0, StakingError::SlashPending);
    stake.bonded_nodes = stake.bonded_nodes.checked_sub(1).ok_or(StakingError::Overflow)?;
    set_node_status(
        &ctx.accounts.registry_program,
        &ctx.accounts.stake_authority,
        &ctx.accounts.registry_config,
        &ctx.accounts.node,
        ctx.accounts.config.stake_authority_bump,
        NodeStatus::Exited,
        0,
    )?;
    emit!(NodeBondChanged { operator: stake.operator, node: ctx.accounts.node.key(), bonded_nodes: stake.bonded_nodes });
    Ok(())
}
