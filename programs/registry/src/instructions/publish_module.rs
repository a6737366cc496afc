use anchor_lang::prelude::*;

use crate::{
    constants::{MAX_MODULE_NAME_LEN, MAX_MODULE_REF_LEN, MODULE_SEED},
    error::RegistryError,
    events::ModulePublished,
    state::ModuleV0,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct PublishModuleArgs {
    pub name: String,
    pub cid: String,
}

/// Creates the module at version 1, or publishes a new CID (the current one becomes
/// `previous_cid`, the version increases).
#[derive(Accounts)]
#[instruction(args: PublishModuleArgs)]
pub struct PublishModule<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(
        init_if_needed,
        payer = owner,
        space = 8 + ModuleV0::INIT_SPACE,
        seeds = [MODULE_SEED, owner.key().as_ref(), args.name.as_bytes()],
        bump,
    )]
    pub module: Account<'info, ModuleV0>,
    pub system_program: Program<'info, System>,
}

pub fn validate_module(name: &str, cid: &str) -> Result<()> {
    let ok = !name.is_empty() && name.len() <= MAX_MODULE_NAME_LEN && !cid.is_empty() && cid.len() <= MAX_MODULE_REF_LEN;
    require!(ok, RegistryError::InvalidModule);
    Ok(())
}

pub fn handler(ctx: Context<PublishModule>, args: PublishModuleArgs) -> Result<()> {
    validate_module(&args.name, &args.cid)?;
    let m = &mut ctx.accounts.module;
    if m.version == 0 {
        m.owner = ctx.accounts.owner.key();
        m.name = args.name;
        m.bump = ctx.bumps.module;
    } else {
        m.previous_cid = std::mem::take(&mut m.cid);
    }
    m.cid = args.cid;
    m.version = m.version.checked_add(1).ok_or(RegistryError::Overflow)?;
    m.updated_at = Clock::get()?.unix_timestamp;
    emit!(ModulePublished {
        module: m.key(),
        owner: m.owner,
        name: m.name.clone(),
        cid: m.cid.clone(),
        previous_cid: m.previous_cid.clone(),
        version: m.version,
    });
    Ok(())
}
