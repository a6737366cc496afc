use anchor_lang::prelude::*;

#[error_code]
pub enum StakingError {
    #[msg("signer is not the authority for this account")]
    Unauthorized,
    #[msg("arithmetic overflow")]
    Overflow,
    #[msg("parameter out of range")]
    InvalidParameter,
    #[msg("amount must be positive and within the balance")]
    InvalidAmount,
    #[msg("stake below min_stake for every bonded node")]
    InsufficientStake,
    #[msg("the unstake cooldown has not elapsed")]
    CooldownActive,
    #[msg("nothing to withdraw")]
    NothingToWithdraw,
    #[msg("a slash proposal against this operator is pending")]
    SlashPending,
    #[msg("signer is not in the registry's oracle set")]
    NotOracle,
    #[msg("slash above max_slash_bps_per_epoch of the stake")]
    SlashAboveCap,
    #[msg("evidence URI longer than MAX_EVIDENCE_URI_LEN")]
    EvidenceUriTooLong,
    #[msg("the node does not belong to this operator")]
    WrongNodeOperator,
    #[msg("the node is not in a status this instruction accepts")]
    InvalidNodeStatus,
    #[msg("the exit cooldown has not elapsed")]
    ExitCooldownActive,
    #[msg("the co-signer must be a different oracle")]
    SameOracle,
    #[msg("the proposal is not awaiting a co-signature")]
    NotAwaitingCosign,
    #[msg("the co-signature window has passed")]
    CosignExpired,
    #[msg("the proposal cannot be disputed")]
    NotDisputable,
    #[msg("the challenge window is closed")]
    ChallengeWindowClosed,
    #[msg("the challenge window is still open")]
    ChallengeWindowOpen,
    #[msg("the proposal is not executable")]
    NotExecutable,
    #[msg("the proposal is not disputed")]
    NotDisputed,
    #[msg("account does not match the proposal or the config")]
    WrongAccount,
    #[msg("the protocol is paused by the emergency governance")]
    Paused,
    #[msg("signer is not the pause authority")]
    NotPauseAuthority,
}
