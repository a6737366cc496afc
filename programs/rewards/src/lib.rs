//! AEGIS rewards: per-epoch Merkle roots accepted by an m-of-n oracle quorum, claims with
//! proofs paid from the emission vault, and a sweep of unclaimed rewards to the treasury.
use anchor_lang::prelude::*;

pub mod constants;
pub mod error;
pub mod events;
pub mod instructions;
pub mod math;
pub mod merkle;
pub mod state;

pub use constants::*;
pub use error::RewardsError;
pub use events::*;
pub use instructions::*;
pub use state::*;

declare_id!("G5EuSPHFkVYsRN3GkTBfwWa74kBhLV88p2pN5Vxm7FcD");

#[program]
pub mod rewards {
    use super::*;

    pub fn initialize(ctx: Context<InitializeRewards>, args: InitializeRewardsArgs) -> Result<()> {
        instructions::initialize::handler(ctx, args)
    }

    pub fn update_config(ctx: Context<UpdateRewardsConfig>, args: UpdateRewardsConfigArgs) -> Result<()> {
        instructions::update_config::handler(ctx, args)
    }

    pub fn submit_root(ctx: Context<SubmitRoot>, epoch: u64, args: SubmitRootArgs) -> Result<()> {
        instructions::submit_root::handler(ctx, epoch, args)
    }

    pub fn claim(ctx: Context<Claim>, epoch: u64, args: ClaimArgs) -> Result<()> {
        instructions::claim::handler(ctx, epoch, args)
    }

    pub fn sweep_unclaimed(ctx: Context<SweepUnclaimed>, epoch: u64) -> Result<()> {
        instructions::sweep_unclaimed::handler(ctx, epoch)
    }

    pub fn set_paused(ctx: Context<SetRewardsPaused>, paused: bool) -> Result<()> {
        instructions::set_paused::handler(ctx, paused)
    }
}
