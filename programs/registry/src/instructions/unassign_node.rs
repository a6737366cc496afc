use anchor_lang::prelude::*;

use crate::{
    constants::{ASSIGNMENT_SEED, CONFIG_SEED},
    error::RegistryError,
    events::NodeUnassigned,
    state::{AssignmentV0, RegistryConfigV0},
};

#[derive(Accounts)]
pub struct UnassignNode<'info> {
    #[account(mut)]
    pub assignment_authority: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump, has_one = assignment_authority @ RegistryError::NotAssignmentAuthority)]
    pub config: Account<'info, RegistryConfigV0>,
    #[account(
        mut,
        close = assignment_authority,
        seeds = [ASSIGNMENT_SEED, assignment.node.as_ref(), assignment.zone.as_ref()],
        bump = assignment.bump,
    )]
    pub assignment: Account<'info, AssignmentV0>,
}

pub fn handler(ctx: Context<UnassignNode>) -> Result<()> {
    let a = &ctx.accounts.assignment;
    emit!(NodeUnassigned { assignment: a.key(), node: a.node, zone: a.zone });
    Ok(())
}
