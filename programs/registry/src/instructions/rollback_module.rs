use anchor_lang::prelude::*;

use crate::{constants::MODULE_SEED, error::RegistryError, events::ModulePublished, state::ModuleV0};

/// Swaps `cid` and `previous_cid` and bumps the version: nodes reload the previous module.
#[derive(Accounts)]
pub struct RollbackModule<'info> {
    pub owner: Signer<'info>,
    #[account(
        mut,
        seeds = [MODULE_SEED, module.owner.as_ref(), module.name.as_bytes()],
        bump = module.bump,
        has_one = owner @ RegistryError::Unauthorized,
        constraint = !module.previous_cid.is_empty() @ RegistryError::NoPreviousVersion,
    )]
    pub module: Account<'info, ModuleV0>,
}

pub fn handler(ctx: Context<RollbackModule>) -> Result<()> {
    let m = &mut ctx.accounts.module;
    let m = &mut **m;
    std::mem::swap(&mut m.cid, &mut m.previous_cid);
    m.version = m.version.checked_add(1).ok_or(RegistryError::Overflow)?;
    m.updated_at = Clock::get()?.unix_timestamp;
    emit!(ModulePublished {
        module: ctx.accounts.module.key(),
        owner: ctx.accounts.module.owner,
        name: ctx.accounts.module.name.clone(),
        cid: ctx.accounts.module.cid.clone(),
        previous_cid: ctx.accounts.module.previous_cid.clone(),
        version: ctx.accounts.module.version,
    });
    Ok(())
}
