use anchor_lang::prelude::*;

#[error_code]
pub enum TokenError {
    #[msg("signer is not the config authority")]
    Unauthorized,
    #[msg("arithmetic overflow")]
    Overflow,
    #[msg("parameter out of range")]
    InvalidParameter,
    #[msg("this epoch's emission was already minted")]
    EpochAlreadyMinted,
    #[msg("this epoch has not started yet")]
    EpochNotStarted,
    #[msg("circuit breaker: the window's mint budget is exhausted")]
    CircuitBreakerTripped,
    #[msg("the max supply is reached")]
    MaxSupplyReached,
    #[msg("the genesis allocation is exhausted")]
    GenesisAllocationExceeded,
    #[msg("the destination is not the configured rewards vault")]
    WrongRewardsVault,
    #[msg("the destination is not the treasury")]
    WrongTreasury,
    #[msg("Metaplex Token Metadata is not deployed on this cluster (localnet does not run it)")]
    MetadataProgramMissing,
    #[msg("the account is not the Metaplex Token Metadata program")]
    WrongMetadataProgram,
    #[msg("metadata name (1-32 bytes), symbol (1-10 bytes) or URI (at most 200 bytes) out of range")]
    InvalidMetadata,
}
