use anchor_lang::prelude::*;

use crate::{
    constants::*,
    events::VoterWeightUpdated,
    state::{StakeV0, StakingConfigV0, VoterWeightRecord},
};

/// Permissionless: rewrites an operator's voter-weight record from its stake and the current
/// config (realm, mint). Governance (issue 6) runs it before a vote, e.g. after the realm is set.
#[derive(Accounts)]
pub struct UpdateVoterWeightRecord<'info> {
    #[account(seeds = [STAKING_CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, StakingConfigV0>>,
    #[account(seeds = [STAKE_SEED, stake.operator.as_ref()], bump = stake.bump)]
    pub stake: Box<Account<'info, StakeV0>>,
    #[account(mut, seeds = [VOTER_WEIGHT_SEED, stake.operator.as_ref()], bump)]
    pub voter_weight_record: Box<Account<'info, VoterWeightRecord>>,
}

pub fn handler(ctx: Context<UpdateVoterWeightRecord>) -> Result<()> {
    let r = &mut ctx.accounts.voter_weight_record;
    r.refresh(&ctx.accounts.config, &ctx.accounts.stake);
    emit!(VoterWeightUpdated { operator: r.governing_token_owner, realm: r.realm, voter_weight: r.voter_weight });
    Ok(())
}
