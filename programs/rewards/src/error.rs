use anchor_lang::prelude::*;

#[error_code]
pub enum RewardsError {
    #[msg("signer is not the config authority")]
    Unauthorized,
    #[msg("arithmetic overflow")]
    Overflow,
    #[msg("parameter out of range")]
    InvalidParameter,
    #[msg("signer is not in the registry's oracle set")]
    NotOracle,
    #[msg("the epoch has not ended yet")]
    EpochNotEnded,
    #[msg("the epoch total exceeds the epoch's emission")]
    TotalAboveEmission,
    #[msg("this oracle already submitted a root for the epoch")]
    AlreadySubmitted,
    #[msg("the epoch's root is already accepted")]
    AlreadyAccepted,
    #[msg("the epoch's root is not accepted yet")]
    RootNotAccepted,
    #[msg("the Merkle proof does not match the accepted root")]
    InvalidProof,
    #[msg("proof longer than MAX_PROOF_LEN")]
    ProofTooLong,
    #[msg("this node already claimed this epoch")]
    AlreadyClaimed,
    #[msg("the claims would exceed the epoch total")]
    ClaimExceedsTotal,
    #[msg("the claim horizon has passed; unclaimed rewards went to the treasury")]
    ClaimWindowClosed,
    #[msg("the claim horizon has not passed yet")]
    HorizonNotReached,
    #[msg("account does not match the config")]
    WrongAccount,
    #[msg("the protocol is paused by the emergency governance")]
    Paused,
    #[msg("signer is not the pause authority")]
    NotPauseAuthority,
}
