use anchor_lang::{prelude::*, solana_program::hash::hash};

use crate::{
    constants::{CONFIG_SEED, ZONE_SEED},
    error::RegistryError,
    events::ZonePolicyUpdated,
    instructions::policy::{validate_domain, validate_policy},
    state::{RegistryConfigV0, ZonePolicyV0, ZoneV0},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct RegisterZoneArgs {
    pub domain: String,
    /// sha256(domain): the PDA seed.
    pub domain_hash: [u8; 32],
    pub policy: ZonePolicyV0,
}

#[derive(Accounts)]
#[instruction(args: RegisterZoneArgs)]
pub struct RegisterZone<'info> {
    /// The site owner: pays rent and owns the zone.
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, constraint = !config.paused @ RegistryError::Paused)]
    pub config: Account<'info, RegistryConfigV0>,
    #[account(
        init,
        payer = owner,
        space = 8 + ZoneV0::INIT_SPACE,
        seeds = [ZONE_SEED, args.domain_hash.as_ref()],
        bump,
        constraint = hash(args.domain.as_bytes()).to_bytes() == args.domain_hash @ RegistryError::DomainHashMismatch,
    )]
    pub zone: Box<Account<'info, ZoneV0>>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<RegisterZone>, args: RegisterZoneArgs) -> Result<()> {
    validate_domain(&args.domain)?;
    validate_policy(&args.policy)?;
    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    config.zone_count = config.zone_count.checked_add(1).ok_or(RegistryError::Overflow)?;
    ctx.accounts.zone.set_inner(ZoneV0 {
        owner: ctx.accounts.owner.key(),
        domain_hash: args.domain_hash,
        domain: args.domain.clone(),
        policy_version: 1,
        policy: args.policy,
        routes: vec![],
        created_at: now,
        updated_at: now,
        bump: ctx.bumps.zone,
        reserved: [0; 64],
    });
    emit!(ZonePolicyUpdated { zone: ctx.accounts.zone.key(), owner: ctx.accounts.owner.key(), domain: args.domain, policy_version: 1 });
    Ok(())
}
