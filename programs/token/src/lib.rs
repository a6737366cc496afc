//! AEGIS token: the $AEGIS mint (classic SPL), its on-chain emission schedule with a circuit
//! breaker, and the treasury token account.
use anchor_lang::prelude::*;

pub mod constants;
pub mod emission;
pub mod error;
pub mod metadata;
pub mod events;
pub mod instructions;
pub mod state;

pub use constants::*;
pub use error::TokenError;
pub use events::*;
pub use instructions::*;
pub use state::*;

declare_id!("HqFz4ZoQPzqyXo5nGybNu1RsvoDXMmN8rtD6C7hRtQsU");

#[program]
pub mod token {
    use super::*;

    pub fn initialize(ctx: Context<InitializeToken>, args: InitializeTokenArgs) -> Result<()> {
        instructions::initialize::handler(ctx, args)
    }

    pub fn update_config(ctx: Context<UpdateTokenConfig>, args: UpdateTokenConfigArgs) -> Result<()> {
        instructions::update_config::handler(ctx, args)
    }

    pub fn mint_genesis(ctx: Context<MintGenesis>, amount: u64) -> Result<()> {
        instructions::mint_genesis::handler(ctx, amount)
    }

    pub fn mint_epoch_emission(ctx: Context<MintEpochEmission>, epoch: u64) -> Result<()> {
        instructions::mint_epoch_emission::handler(ctx, epoch)
    }

    pub fn create_metadata(ctx: Context<CreateMetadata>, args: CreateMetadataArgs) -> Result<()> {
        instructions::create_metadata::handler(ctx, args)
    }
}
