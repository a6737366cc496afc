use anchor_lang::prelude::*;

use crate::{
    constants::{MAX_ROUTES, ZONE_SEED},
    error::RegistryError,
    events::ZonePolicyUpdated,
    instructions::policy::validate_route,
    state::{FunctionRouteV0, ZoneV0},
};

/// `route = Some(r)`: insert `r` at `index` (0..=len, later routes shift down);
/// `route = None`: remove the route at `index`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct SetZoneRouteArgs {
    pub index: u8,
    pub route: Option<FunctionRouteV0>,
}

#[derive(Accounts)]
pub struct SetZoneRoute<'info> {
    pub owner: Signer<'info>,
    #[account(mut, seeds = [ZONE_SEED, zone.domain_hash.as_ref()], bump = zone.bump, has_one = owner @ RegistryError::Unauthorized)]
    pub zone: Box<Account<'info, ZoneV0>>,
}

pub fn handler(ctx: Context<SetZoneRoute>, args: SetZoneRouteArgs) -> Result<()> {
    let zone = &mut ctx.accounts.zone;
    let i = usize::from(args.index);
    match args.route {
        Some(route) => {
            validate_route(&route)?;
            require!(i <= zone.routes.len() && zone.routes.len() < MAX_ROUTES, RegistryError::InvalidRouteIndex);
            zone.routes.insert(i, route);
        }
        None => {
            require!(i < zone.routes.len(), RegistryError::InvalidRouteIndex);
            zone.routes.remove(i);
        }
    }
    zone.policy_version = zone.policy_version.checked_add(1).ok_or(RegistryError::Overflow)?;
    zone.updated_at = Clock::get()?.unix_timestamp;
    emit!(ZonePolicyUpdated { zone: zone.key(), owner: zone.owner, domain: zone.domain.clone(), policy_version: zone.policy_version });
    Ok(())
}
