//! AEGIS staking: per-operator stake vaults, unbonding with a cooldown, node bonding (drives the
//! registry's node state machine by CPI), bounded slashing with a challenge window and disputes,
//! and SPL Governance voter-weight records.
use anchor_lang::prelude::*;

pub mod constants;
pub mod error;
pub mod events;
pub mod instructions;
pub mod math;
pub mod state;

pub use constants::*;
pub use error::StakingError;
pub use events::*;
pub use instructions::*;
pub use state::*;

declare_id!("86xswHPUdpHtDK2GZTFsdsuQh5x2hXiyKDvVp6FrkzHx");

#[program]
pub mod staking {
    use super::*;

    pub fn initialize(ctx: Context<InitializeStaking>, args: InitializeStakingArgs) -> Result<()> {
        instructions::initialize::handler(ctx, args)
    }

    pub fn update_config(ctx: Context<UpdateStakingConfig>, args: UpdateStakingConfigArgs) -> Result<()> {
        instructions::update_config::handler(ctx, args)
    }

    pub fn stake(ctx: Context<Stake>, amount: u64) -> Result<()> {
        instructions::stake::handler(ctx, amount)
    }

    pub fn activate_node(ctx: Context<ActivateNode>) -> Result<()> {
        instructions::activate_node::handler(ctx)
    }

    pub fn request_unstake(ctx: Context<RequestUnstake>, amount: u64) -> Result<()> {
        instructions::request_unstake::handler(ctx, amount)
    }

    pub fn withdraw(ctx: Context<Withdraw>) -> Result<()> {
        instructions::withdraw::handler(ctx)
    }

    pub fn begin_exit(ctx: Context<BeginExit>) -> Result<()> {
        instructions::begin_exit::handler(ctx)
    }

    pub fn complete_exit(ctx: Context<CompleteExit>) -> Result<()> {
        instructions::complete_exit::handler(ctx)
    }

    pub fn propose_slash(ctx: Context<ProposeSlash>, args: ProposeSlashArgs) -> Result<()> {
        instructions::slash::propose_slash::handler(ctx, args)
    }

    pub fn cosign_slash(ctx: Context<CosignSlash>) -> Result<()> {
        instructions::slash::cosign_slash::handler(ctx)
    }

    pub fn dispute_slash(ctx: Context<DisputeSlash>) -> Result<()> {
        instructions::slash::dispute_slash::handler(ctx)
    }

    pub fn execute_slash(ctx: Context<ExecuteSlash>) -> Result<()> {
        instructions::slash::execute_slash::handler(ctx)
    }

    pub fn resolve_dispute(ctx: Context<ResolveDispute>, uphold: bool) -> Result<()> {
        instructions::slash::resolve_dispute::handler(ctx, uphold)
    }

    pub fn update_voter_weight_record(ctx: Context<UpdateVoterWeightRecord>) -> Result<()> {
        instructions::update_voter_weight_record::handler(ctx)
    }

    pub fn set_paused(ctx: Context<SetStakingPaused>, paused: bool) -> Result<()> {
        instructions::set_paused::handler(ctx, paused)
    }
}
