use anchor_lang::prelude::*;
use registry::{program::Registry, NodeStatus, NodeV0, RegistryConfigV0};

use crate::{
    constants::*,
    error::StakingError,
    events::NodeBondChanged,
    instructions::node_status::set_node_status,
    state::{StakeV0, StakingConfigV0},
};

/// Active | Jailed → Exiting. The node stops being assigned; the bond is released by
/// `complete_exit` after the cooldown.
#[derive(Accounts)]
pub struct BeginExit<'info> {
    pub operator: Signer<'info>,
    #[account(seeds = [STAKING_CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, StakingConfigV0>>,
    #[account(seeds = [STAKE_SEED, stake.operator.as_ref()], bump = stake.bump, has_one = operator @ StakingError::Unauthorized)]
    pub stake: Box<Account<'info, StakeV0>>,
    #[account(seeds = [registry::CONFIG_SEED], bump = registry_config.bump, seeds::program = registry::ID)]
    pub registry_config: Box<Account<'info, RegistryConfigV0>>,
    #[account(
        mut,
        seeds = [registry::NODE_SEED, node.identity.as_ref()], bump = node.bump, seeds::program = registry::ID,
        constraint = node.operator == operator.key() @ StakingError::WrongNodeOperator,
        constraint = matches!(node.status, NodeStatus::Active | NodeStatus::Jailed) @ StakingError::InvalidNodeStatus,
    )]
    pub node: Box<Account<'info, NodeV0>>,
    /// CHECK: PDA that signs the registry CPI.
    #[account(seeds = [STAKE_AUTHORITY_SEED], bump = config.stake_authority_bump)]
    pub stake_authority: UncheckedAccount<'info>,
    pub registry_program: Program<'info, Registry>,
}

pub fn handler(ctx: Context<BeginExit>) -> Result<()> {
    set_node_status(
        &ctx.accounts.registry_program,
        &ctx.accounts.stake_authority,
        &ctx.accounts.registry_config,
        &ctx.accounts.node,
        ctx.accounts.config.stake_authority_bump,
        NodeStatus::Exiting,
        0,
    )?;
    emit!(NodeBondChanged { operator: ctx.accounts.stake.operator, node: ctx.accounts.node.key(), bonded_nodes: ctx.accounts.stake.bonded_nodes });
    Ok(())
}
