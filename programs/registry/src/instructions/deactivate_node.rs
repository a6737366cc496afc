use anchor_lang::prelude::*;

use crate::{
    constants::NODE_SEED,
    error::RegistryError,
    events::NodeDeactivated,
    state::{NodeStatus, NodeV0},
};

#[derive(Accounts)]
pub struct DeactivateNode<'info> {
    pub operator: Signer<'info>,
    #[account(
        mut,
        seeds = [NODE_SEED, node.identity.as_ref()],
        bump = node.bump,
        has_one = operator @ RegistryError::Unauthorized,
        constraint = node.status != NodeStatus::Exited @ RegistryError::NodeDeactivated,
        constraint = node.status == NodeStatus::Registered @ RegistryError::NodeBonded,
    )]
    pub node: Account<'info, NodeV0>,
}

/// Retires a node that was never bonded (Registered → Exited). A bonded node (Active, Jailed,
/// Exiting) leaves through the staking program's `begin_exit` / `complete_exit`.
pub fn handler(ctx: Context<DeactivateNode>) -> Result<()> {
    let node = &mut ctx.accounts.node;
    node.status = NodeStatus::Exited;
    node.updated_at = Clock::get()?.unix_timestamp;
    emit!(NodeDeactivated {
        node: node.key(),
        operator: node.operator,
    });
    Ok(())
}
