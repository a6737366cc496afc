//! Accounts shared by the instructions that move a node through the registry's state machine
//! (CPI `registry::set_node_status`, signed by the `stake_authority` PDA).
use anchor_lang::prelude::*;
use registry::{cpi::accounts::SetNodeStatus, program::Registry, NodeStatus, NodeV0, RegistryConfigV0, SetNodeStatusArgs};

use crate::constants::STAKE_AUTHORITY_SEED;

pub fn set_node_status<'info>(
    registry_program: &Program<'info, Registry>,
    stake_authority: &UncheckedAccount<'info>,
    registry_config: &Account<'info, RegistryConfigV0>,
    node: &Account<'info, NodeV0>,
    stake_authority_bump: u8,
    status: NodeStatus,
    reputation_penalty: u16,
) -> Result<()> {
    let seeds: &[&[u8]] = &[STAKE_AUTHORITY_SEED, &[stake_authority_bump]];
    registry::cpi::set_node_status(
        CpiContext::new_with_signer(
            registry_program.to_account_info(),
            SetNodeStatus {
                stake_authority: stake_authority.to_account_info(),
                config: registry_config.to_account_info(),
                node: node.to_account_info(),
            },
            &[seeds],
        ),
        SetNodeStatusArgs { status, reputation_penalty },
    )
}
