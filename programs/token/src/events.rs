use anchor_lang::prelude::*;

#[event]
pub struct TokenInitialized {
    pub config: Pubkey,
    pub mint: Pubkey,
    pub treasury: Pubkey,
    pub authority: Pubkey,
}

#[event]
pub struct TokenConfigUpdated {
    pub config: Pubkey,
    pub authority: Pubkey,
}

#[event]
pub struct GenesisMinted {
    pub amount: u64,
    pub genesis_minted: u64,
}

#[event]
pub struct EpochEmissionMinted {
    pub epoch: u64,
    pub amount: u64,
    pub emission_minted: u64,
}

/// The mint's Metaplex metadata was created.
#[event]
pub struct MetadataCreated {
    pub mint: Pubkey,
    pub metadata: Pubkey,
    pub name: String,
    pub symbol: String,
    pub uri: String,
}
