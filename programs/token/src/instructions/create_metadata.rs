use anchor_lang::prelude::*;
use anchor_lang::solana_program::{
    instruction::{AccountMeta, Instruction},
    program::invoke_signed,
};
use anchor_spl::token::Mint;

use crate::{
    constants::TOKEN_CONFIG_SEED,
    error::TokenError,
    events::MetadataCreated,
    metadata::{create_metadata_v3_data, MAX_NAME_LEN, MAX_SYMBOL_LEN, MAX_URI_LEN, METADATA_PROGRAM_ID, METADATA_SEED},
    state::TokenConfigV0,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct CreateMetadataArgs {
    pub name: String,
    pub symbol: String,
    pub uri: String,
}

/// Writes the $AEGIS Metaplex metadata (name, symbol, URI) once: the mint authority is the
/// config PDA, so only this program can sign Metaplex's `CreateMetadataAccountV3`. The update
/// authority becomes the config authority (the protocol governance after bootstrap), which then
/// changes the metadata through Metaplex directly.
#[derive(Accounts)]
pub struct CreateMetadata<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    #[account(seeds = [TOKEN_CONFIG_SEED], bump = config.bump, has_one = authority @ TokenError::Unauthorized, has_one = mint)]
    pub config: Account<'info, TokenConfigV0>,
    pub mint: Account<'info, Mint>,
    /// CHECK: created by the Metaplex program at its canonical PDA.
    #[account(mut, seeds = [METADATA_SEED, METADATA_PROGRAM_ID.as_ref(), mint.key().as_ref()], bump, seeds::program = METADATA_PROGRAM_ID)]
    pub metadata: UncheckedAccount<'info>,
    /// CHECK: the Metaplex Token Metadata program, which must be deployed on this cluster.
    #[account(
        address = METADATA_PROGRAM_ID @ TokenError::WrongMetadataProgram,
        constraint = metadata_program.executable @ TokenError::MetadataProgramMissing,
    )]
    pub metadata_program: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<CreateMetadata>, args: CreateMetadataArgs) -> Result<()> {
    require!(
        !args.name.is_empty() && args.name.len() <= MAX_NAME_LEN
            && !args.symbol.is_empty() && args.symbol.len() <= MAX_SYMBOL_LEN
            && args.uri.len() <= MAX_URI_LEN,
        TokenError::InvalidMetadata
    );
    let a = &ctx.accounts;
    let ix = Instruction {
        program_id: METADATA_PROGRAM_ID,
        accounts: vec![
            AccountMeta::new(a.metadata.key(), false),
            AccountMeta::new_readonly(a.mint.key(), false),
            AccountMeta::new_readonly(a.config.key(), true),
            AccountMeta::new(a.payer.key(), true),
            AccountMeta::new_readonly(a.authority.key(), true),
            AccountMeta::new_readonly(a.system_program.key(), false),
        ],
        data: create_metadata_v3_data(&args.name, &args.symbol, &args.uri, true),
    };
    let seeds: &[&[u8]] = &[TOKEN_CONFIG_SEED, &[a.config.bump]];
    invoke_signed(
        &ix,
        &[
            a.metadata.to_account_info(),
            a.mint.to_account_info(),
            a.config.to_account_info(),
            a.payer.to_account_info(),
            a.authority.to_account_info(),
            a.system_program.to_account_info(),
            a.metadata_program.to_account_info(),
        ],
        &[seeds],
    )?;
    emit!(MetadataCreated { mint: a.mint.key(), metadata: a.metadata.key(), name: args.name, symbol: args.symbol, uri: args.uri });
    Ok(())
}
