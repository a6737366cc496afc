use anchor_lang::prelude::*;

use crate::{constants::{CONFIG_SEED, MAX_ORACLES}, error::RegistryError, events::OraclesSet, state::RegistryConfigV0};

#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct SetOraclesArgs {
    pub oracles: Vec<Pubkey>,
    pub quorum: u8,
}

#[derive(Accounts)]
pub struct SetOracles<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ RegistryError::Unauthorized)]
    pub config: Account<'info, RegistryConfigV0>,
}

/// A set of 1..=MAX_ORACLES distinct keys and a quorum `1 <= m <= n`.
pub fn validate_oracle_set(oracles: &[Pubkey], quorum: u8) -> Result<()> {
    require!(!oracles.is_empty() && oracles.len() <= MAX_ORACLES, RegistryError::InvalidOracleSet);
    require!(quorum >= 1 && usize::from(quorum) <= oracles.len(), RegistryError::InvalidOracleSet);
    for (i, o) in oracles.iter().enumerate() {
        require!(!oracles[..i].contains(o), RegistryError::InvalidOracleSet);
    }
    Ok(())
}

pub fn handler(ctx: Context<SetOracles>, args: SetOraclesArgs) -> Result<()> {
    validate_oracle_set(&args.oracles, args.quorum)?;
    let c = &mut ctx.accounts.config;
    c.oracles = args.oracles.clone();
    c.quorum = args.quorum;
    emit!(OraclesSet { oracles: args.oracles, quorum: args.quorum });
    Ok(())
}
