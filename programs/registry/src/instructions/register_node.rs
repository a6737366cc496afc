use anchor_lang::prelude::*;

use crate::{
    constants::{CONFIG_SEED, NODE_SEED},
    error::RegistryError,
    events::NodeRegistered,
    instructions::validate_node_fields,
    state::{NodeStatus, NodeV0, RegistryConfigV0},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct RegisterNodeArgs {
    pub metadata_cid: String,
    pub region: String,
    pub capabilities: u32,
}

#[derive(Accounts)]
pub struct RegisterNode<'info> {
    /// Pays rent and owns the node.
    #[account(mut)]
    pub operator: Signer<'info>,
    /// The node's hot key signs too, proving the operator holds it.
    pub identity: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, constraint = !config.paused @ RegistryError::Paused)]
    pub config: Account<'info, RegistryConfigV0>,
    #[account(
        init_if_needed,
        payer = operator,
        space = 8 + NodeV0::INIT_SPACE,
        seeds = [NODE_SEED, identity.key().as_ref()],
        bump,
        constraint = node.operator == Pubkey::default() @ RegistryError::NodeAlreadyRegistered,
    )]
    pub node: Account<'info, NodeV0>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<RegisterNode>, args: RegisterNodeArgs) -> Result<()> {
    validate_node_fields(&args.metadata_cid, &args.region, args.capabilities)?;
    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    config.node_count = config
        .node_count
        .checked_add(1)
        .ok_or(RegistryError::Overflow)?;
    ctx.accounts.node.set_inner(NodeV0 {
        operator: ctx.accounts.operator.key(),
        identity: ctx.accounts.identity.key(),
        metadata_cid: args.metadata_cid.clone(),
        region: args.region.clone(),
        capabilities: args.capabilities,
        status: NodeStatus::Registered,
        reputation: crate::constants::MAX_REPUTATION,
        reward_destination: Pubkey::default(),
        registered_at: now,
        updated_at: now,
        bump: ctx.bumps.node,
        auto_claim: false,
        reserved: [0; 63],
    });
    emit!(NodeRegistered {
        node: ctx.accounts.node.key(),
        operator: ctx.accounts.operator.key(),
        identity: ctx.accounts.identity.key(),
        metadata_cid: args.metadata_cid,
        region: args.region,
        capabilities: args.capabilities,
    });
    Ok(())
}
