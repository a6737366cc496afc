use anchor_lang::prelude::*;

use crate::{
    constants::ZONE_SEED,
    error::RegistryError,
    events::ZonePolicyUpdated,
    instructions::policy::validate_policy,
    state::{ZonePolicyV0, ZoneV0},
};

#[derive(Accounts)]
pub struct UpdateZonePolicy<'info> {
    pub owner: Signer<'info>,
    #[account(mut, seeds = [ZONE_SEED, zone.domain_hash.as_ref()], bump = zone.bump, has_one = owner @ RegistryError::Unauthorized)]
    pub zone: Box<Account<'info, ZoneV0>>,
}

pub fn handler(ctx: Context<UpdateZonePolicy>, policy: ZonePolicyV0) -> Result<()> {
    validate_policy(&policy)?;
    let zone = &mut ctx.accounts.zone;
    zone.policy = policy;
    zone.policy_version = zone.policy_version.checked_add(1).ok_or(RegistryError::Overflow)?;
    zone.updated_at = Clock::get()?.unix_timestamp;
    emit!(ZonePolicyUpdated { zone: zone.key(), owner: zone.owner, domain: zone.domain.clone(), policy_version: zone.policy_version });
    Ok(())
}
