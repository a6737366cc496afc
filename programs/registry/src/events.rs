use anchor_lang::prelude::*;

use crate::state::NodeStatus;

#[event]
pub struct RegistryInitialized {
    pub config: Pubkey,
    pub admin: Pubkey,
}

#[event]
pub struct NodeRegistered {
    pub node: Pubkey,
    pub operator: Pubkey,
    pub identity: Pubkey,
    pub metadata_cid: String,
    pub region: String,
    pub capabilities: u32,
}

#[event]
pub struct NodeUpdated {
    pub node: Pubkey,
    pub metadata_cid: String,
    pub region: String,
    pub capabilities: u32,
    pub reward_destination: Pubkey,
    pub auto_claim: bool,
}

#[event]
pub struct NodeDeactivated {
    pub node: Pubkey,
    pub operator: Pubkey,
}

#[event]
pub struct RegistryConfigUpdated {
    pub admin: Pubkey,
    pub stake_authority: Pubkey,
    pub assignment_authority: Pubkey,
    pub pause_authority: Pubkey,
}

#[event]
pub struct OraclesSet {
    pub oracles: Vec<Pubkey>,
    pub quorum: u8,
}

#[event]
pub struct NodeStatusChanged {
    pub node: Pubkey,
    pub from: NodeStatus,
    pub to: NodeStatus,
    pub reputation: u16,
}

/// Emitted on zone registration and on every policy or route change.
#[event]
pub struct ZonePolicyUpdated {
    pub zone: Pubkey,
    pub owner: Pubkey,
    pub domain: String,
    pub policy_version: u64,
}

#[event]
pub struct NodeAssigned {
    pub assignment: Pubkey,
    pub node: Pubkey,
    pub zone: Pubkey,
}

#[event]
pub struct NodeUnassigned {
    pub assignment: Pubkey,
    pub node: Pubkey,
    pub zone: Pubkey,
}

/// A module was published, updated or rolled back.
#[event]
pub struct ModulePublished {
    pub module: Pubkey,
    pub owner: Pubkey,
    pub name: String,
    pub cid: String,
    pub previous_cid: String,
    pub version: u32,
}

/// The emergency switch moved (`register_node` / `register_zone` refuse while paused).
#[event]
pub struct RegistryPauseSet {
    pub paused: bool,
    pub by: Pubkey,
}
