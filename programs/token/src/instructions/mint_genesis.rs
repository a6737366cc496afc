use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, MintTo, Token, TokenAccount};

use crate::{constants::*, error::TokenError, events::GenesisMinted, state::TokenConfigV0};

#[derive(Accounts)]
pub struct MintGenesis<'info> {
    pub authority: Signer<'info>,
    #[account(mut, seeds = [TOKEN_CONFIG_SEED], bump = config.bump, has_one = authority @ TokenError::Unauthorized, has_one = mint, has_one = treasury @ TokenError::WrongTreasury)]
    pub config: Account<'info, TokenConfigV0>,
    #[account(mut)]
    pub mint: Account<'info, Mint>,
    #[account(mut)]
    pub treasury: Account<'info, TokenAccount>,
    pub token_program: Program<'info, Token>,
}

/// Mints part of the genesis allocation into the treasury (at most GENESIS_ALLOCATION in total).
pub fn handler(ctx: Context<MintGenesis>, amount: u64) -> Result<()> {
    let c = &ctx.accounts.config;
    let genesis_minted = c.genesis_minted.checked_add(amount).ok_or(TokenError::Overflow)?;
    require!(genesis_minted <= GENESIS_ALLOCATION, TokenError::GenesisAllocationExceeded);
    let total = genesis_minted.checked_add(c.emission_minted).ok_or(TokenError::Overflow)?;
    require!(total <= MAX_SUPPLY, TokenError::MaxSupplyReached);
    let seeds: &[&[u8]] = &[TOKEN_CONFIG_SEED, &[c.bump]];
    token::mint_to(
        CpiContext::new_with_signer(
            ctx.accounts.token_program.to_account_info(),
            MintTo {
                mint: ctx.accounts.mint.to_account_info(),
                to: ctx.accounts.treasury.to_account_info(),
                authority: ctx.accounts.config.to_account_info(),
            },
            &[seeds],
        ),
        amount,
    )?;
    ctx.accounts.config.genesis_minted = genesis_minted;
    emit!(GenesisMinted { amount, genesis_minted });
    Ok(())
}
