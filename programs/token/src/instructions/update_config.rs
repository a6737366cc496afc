use anchor_lang::prelude::*;

use crate::{
    constants::TOKEN_CONFIG_SEED, error::TokenError, events::TokenConfigUpdated,
    instructions::initialize::validate_params, state::TokenConfigV0,
};

/// Fields left `None` keep their value. `authority` hands the config to a new key
/// (the Realms protocol governance PDA).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Default)]
pub struct UpdateTokenConfigArgs {
    pub authority: Option<Pubkey>,
    pub rewards_vault: Option<Pubkey>,
    pub epoch_length_secs: Option<i64>,
    pub initial_emission: Option<u64>,
    pub decay_bps: Option<u16>,
    pub decay_period_epochs: Option<u32>,
    pub breaker_window_secs: Option<i64>,
    pub breaker_max_per_window: Option<u64>,
}

#[derive(Accounts)]
pub struct UpdateTokenConfig<'info> {
    pub authority: Signer<'info>,
    #[account(mut, seeds = [TOKEN_CONFIG_SEED], bump = config.bump, has_one = authority @ TokenError::Unauthorized)]
    pub config: Account<'info, TokenConfigV0>,
}

pub fn handler(ctx: Context<UpdateTokenConfig>, args: UpdateTokenConfigArgs) -> Result<()> {
    let c = &mut ctx.accounts.config;
    if let Some(v) = args.authority { c.authority = v; }
    if let Some(v) = args.rewards_vault { c.rewards_vault = v; }
    if let Some(v) = args.epoch_length_secs { c.epoch_length_secs = v; }
    if let Some(v) = args.initial_emission { c.initial_emission = v; }
    if let Some(v) = args.decay_bps { c.decay_bps = v; }
    if let Some(v) = args.decay_period_epochs { c.decay_period_epochs = v; }
    if let Some(v) = args.breaker_window_secs { c.breaker_window_secs = v; }
    if let Some(v) = args.breaker_max_per_window { c.breaker_max_per_window = v; }
    validate_params(c.epoch_length_secs, c.decay_bps, c.decay_period_epochs, c.breaker_window_secs)?;
    emit!(TokenConfigUpdated { config: c.key(), authority: c.authority });
    Ok(())
}
