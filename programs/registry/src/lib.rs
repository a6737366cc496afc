//! AEGIS registry: node operators (cold wallet) and their node identity keys (hot), the node
//! state machine (driven by the staking program), the oracle set, zones with their policy,
//! and node ↔ zone assignments.
use anchor_lang::prelude::*;

pub mod constants;
pub mod error;
pub mod events;
pub mod instructions;
pub mod state;

pub use constants::*;
pub use error::RegistryError;
pub use events::*;
pub use instructions::*;
pub use state::*;

declare_id!("8pxc4cdJ4eZkMWvZCdWDU6PNqBMeyfKGZbi973KYnHLS");

#[program]
pub mod registry {
    use super::*;

    pub fn initialize(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
        instructions::initialize::handler(ctx, args)
    }

    pub fn register_node(ctx: Context<RegisterNode>, args: RegisterNodeArgs) -> Result<()> {
        instructions::register_node::handler(ctx, args)
    }

    pub fn update_node(ctx: Context<UpdateNode>, args: UpdateNodeArgs) -> Result<()> {
        instructions::update_node::handler(ctx, args)
    }

    pub fn deactivate_node(ctx: Context<DeactivateNode>) -> Result<()> {
        instructions::deactivate_node::handler(ctx)
    }

    pub fn update_config(ctx: Context<UpdateRegistryConfig>, args: UpdateRegistryConfigArgs) -> Result<()> {
        instructions::update_config::handler(ctx, args)
    }

    pub fn set_oracles(ctx: Context<SetOracles>, args: SetOraclesArgs) -> Result<()> {
        instructions::set_oracles::handler(ctx, args)
    }

    pub fn set_node_status(ctx: Context<SetNodeStatus>, args: SetNodeStatusArgs) -> Result<()> {
        instructions::set_node_status::handler(ctx, args)
    }

    pub fn register_zone(ctx: Context<RegisterZone>, args: RegisterZoneArgs) -> Result<()> {
        instructions::register_zone::handler(ctx, args)
    }

    pub fn update_zone_policy(ctx: Context<UpdateZonePolicy>, policy: ZonePolicyV0) -> Result<()> {
        instructions::update_zone_policy::handler(ctx, policy)
    }

    pub fn set_zone_route(ctx: Context<SetZoneRoute>, args: SetZoneRouteArgs) -> Result<()> {
        instructions::set_zone_route::handler(ctx, args)
    }

    pub fn assign_node(ctx: Context<AssignNode>) -> Result<()> {
        instructions::assign_node::handler(ctx)
    }

    pub fn unassign_node(ctx: Context<UnassignNode>) -> Result<()> {
        instructions::unassign_node::handler(ctx)
    }

    pub fn publish_module(ctx: Context<PublishModule>, args: PublishModuleArgs) -> Result<()> {
        instructions::publish_module::handler(ctx, args)
    }

    pub fn rollback_module(ctx: Context<RollbackModule>) -> Result<()> {
        instructions::rollback_module::handler(ctx)
    }

    pub fn set_paused(ctx: Context<SetRegistryPaused>, paused: bool) -> Result<()> {
        instructions::set_paused::handler(ctx, paused)
    }
}
