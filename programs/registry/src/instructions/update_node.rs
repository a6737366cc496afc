use anchor_lang::prelude::*;

use crate::{
    constants::NODE_SEED,
    error::RegistryError,
    events::NodeUpdated,
    instructions::validate_node_fields,
    state::{NodeStatus, NodeV0},
};

/// Fields left `None` keep their value.
#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct UpdateNodeArgs {
    pub metadata_cid: Option<String>,
    pub region: Option<String>,
    pub capabilities: Option<u32>,
    /// Token account rewards are paid to (keepers put it in the reward leaves).
    pub reward_destination: Option<Pubkey>,
    /// Opt in to (or out of) keeper auto-claim.
    pub auto_claim: Option<bool>,
}

#[derive(Accounts)]
pub struct UpdateNode<'info> {
    pub operator: Signer<'info>,
    #[account(
        mut,
        seeds = [NODE_SEED, node.identity.as_ref()],
        bump = node.bump,
        has_one = operator @ RegistryError::Unauthorized,
        constraint = node.status != NodeStatus::Exited @ RegistryError::NodeDeactivated,
    )]
    pub node: Account<'info, NodeV0>,
}

pub fn handler(ctx: Context<UpdateNode>, args: UpdateNodeArgs) -> Result<()> {
    let node = &mut ctx.accounts.node;
    let metadata_cid = args.metadata_cid.unwrap_or_else(|| node.metadata_cid.clone());
    let region = args.region.unwrap_or_else(|| node.region.clone());
    let capabilities = args.capabilities.unwrap_or(node.capabilities);
    validate_node_fields(&metadata_cid, &region, capabilities)?;
    node.metadata_cid = metadata_cid;
    node.region = region;
    node.capabilities = capabilities;
    if let Some(d) = args.reward_destination {
        node.reward_destination = d;
    }
    if let Some(a) = args.auto_claim {
        node.auto_claim = a;
    }
    node.updated_at = Clock::get()?.unix_timestamp;
    emit!(NodeUpdated {
        node: node.key(),
        metadata_cid: node.metadata_cid.clone(),
        region: node.region.clone(),
        capabilities: node.capabilities,
        reward_destination: node.reward_destination,
        auto_claim: node.auto_claim,
    });
    Ok(())
}
