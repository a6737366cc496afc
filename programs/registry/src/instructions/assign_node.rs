use anchor_lang::prelude::*;

use crate::{
    constants::{ASSIGNMENT_SEED, CONFIG_SEED, NODE_SEED, ZONE_SEED},
    error::RegistryError,
    events::NodeAssigned,
    state::{AssignmentV0, NodeStatus, NodeV0, RegistryConfigV0, ZoneV0},
};

#[derive(Accounts)]
pub struct AssignNode<'info> {
    #[account(mut)]
    pub assignment_authority: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump, has_one = assignment_authority @ RegistryError::NotAssignmentAuthority)]
    pub config: Account<'info, RegistryConfigV0>,
    #[account(seeds = [NODE_SEED, node.identity.as_ref()], bump = node.bump, constraint = node.status == NodeStatus::Active @ RegistryError::NodeNotActive)]
    pub node: Account<'info, NodeV0>,
    #[account(seeds = [ZONE_SEED, zone.domain_hash.as_ref()], bump = zone.bump)]
    pub zone: Box<Account<'info, ZoneV0>>,
    #[account(
        init,
        payer = assignment_authority,
        space = 8 + AssignmentV0::INIT_SPACE,
        seeds = [ASSIGNMENT_SEED, node.key().as_ref(), zone.key().as_ref()],
        bump,
    )]
    pub assignment: Account<'info, AssignmentV0>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<AssignNode>) -> Result<()> {
    let (node, zone) = (ctx.accounts.node.key(), ctx.accounts.zone.key());
    ctx.accounts.assignment.set_inner(AssignmentV0 {
        node,
        zone,
        assigned_at: Clock::get()?.unix_timestamp,
        bump: ctx.bumps.assignment,
        reserved: [0; 16],
    });
    emit!(NodeAssigned { assignment: ctx.accounts.assignment.key(), node, zone });
    Ok(())
}
