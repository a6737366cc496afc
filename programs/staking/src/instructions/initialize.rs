use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::{constants::*, error::StakingError, events::StakingConfigUpdated, state::{MaxVoterWeightRecord, StakingConfigV0}};

#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct StakingParams {
    pub min_stake: u64,
    pub cooldown_secs: i64,
    pub challenge_secs: i64,
    pub max_slash_bps_per_epoch: u16,
    pub slash_epoch_secs: i64,
    pub cosign_threshold_bps: u16,
    pub dispute_bond: u64,
    pub reputation_penalty: u16,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct InitializeStakingArgs {
    pub authority: Pubkey,
    pub realm: Pubkey,
    pub params: StakingParams,
}

#[derive(Accounts)]
pub struct InitializeStaking<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(init, payer = payer, space = 8 + StakingConfigV0::INIT_SPACE, seeds = [STAKING_CONFIG_SEED], bump)]
    pub config: Box<Account<'info, StakingConfigV0>>,
    /// CHECK: PDA without data; its bump is stored for CPI signing.
    #[account(seeds = [STAKE_AUTHORITY_SEED], bump)]
    pub stake_authority: UncheckedAccount<'info>,
    #[account(seeds = [aegis_token::TOKEN_CONFIG_SEED], bump = token_config.bump, seeds::program = aegis_token::ID, has_one = mint, has_one = treasury)]
    pub token_config: Box<Account<'info, aegis_token::TokenConfigV0>>,
    pub mint: Box<Account<'info, Mint>>,
    pub treasury: Box<Account<'info, TokenAccount>>,
    #[account(init, payer = payer, seeds = [BOND_VAULT_SEED], bump, token::mint = mint, token::authority = config)]
    pub bond_vault: Box<Account<'info, TokenAccount>>,
    #[account(init, payer = payer, space = 8 + MaxVoterWeightRecord::INIT_SPACE, seeds = [MAX_VOTER_WEIGHT_SEED], bump)]
    pub max_voter_weight_record: Box<Account<'info, MaxVoterWeightRecord>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
    pub rent: Sysvar<'info, Rent>,
}

pub fn validate_params(p: &StakingParams) -> Result<()> {
    let ok = p.cooldown_secs >= 0
        && p.challenge_secs >= 0
        && p.slash_epoch_secs > 0
        && u64::from(p.max_slash_bps_per_epoch) <= BPS
        && u64::from(p.cosign_threshold_bps) <= BPS
        && p.reputation_penalty <= 10_000;
    require!(ok, StakingError::InvalidParameter);
    Ok(())
}

pub fn handler(ctx: Context<InitializeStaking>, args: InitializeStakingArgs) -> Result<()> {
    let p = args.params;
    validate_params(&p)?;
    ctx.accounts.config.set_inner(StakingConfigV0 {
        authority: args.authority,
        mint: ctx.accounts.mint.key(),
        treasury: ctx.accounts.treasury.key(),
        realm: args.realm,
        min_stake: p.min_stake,
        cooldown_secs: p.cooldown_secs,
        challenge_secs: p.challenge_secs,
        max_slash_bps_per_epoch: p.max_slash_bps_per_epoch,
        slash_epoch_secs: p.slash_epoch_secs,
        cosign_threshold_bps: p.cosign_threshold_bps,
        dispute_bond: p.dispute_bond,
        reputation_penalty: p.reputation_penalty,
        bump: ctx.bumps.config,
        stake_authority_bump: ctx.bumps.stake_authority,
        bond_vault_bump: ctx.bumps.bond_vault,
        pause_authority: args.authority,
        paused: false,
        reserved: [0; 31],
    });
    ctx.accounts.max_voter_weight_record.set_inner(MaxVoterWeightRecord {
        realm: args.realm,
        governing_token_mint: ctx.accounts.mint.key(),
        max_voter_weight: 0,
        max_voter_weight_expiry: None,
        reserved: [0; 8],
    });
    let c = &ctx.accounts.config;
    emit!(StakingConfigUpdated {
        authority: c.authority,
        min_stake: c.min_stake,
        cooldown_secs: c.cooldown_secs,
        challenge_secs: c.challenge_secs,
        max_slash_bps_per_epoch: c.max_slash_bps_per_epoch,
    });
    Ok(())
}
