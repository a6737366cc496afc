use anchor_lang::prelude::*;

#[error_code]
pub enum RegistryError {
    #[msg("signer is not the authority for this account")]
    Unauthorized,
    #[msg("metadata CID is longer than MAX_METADATA_CID_LEN bytes")]
    MetadataCidTooLong,
    #[msg("metadata CID is empty")]
    MetadataCidEmpty,
    #[msg("region code is empty or longer than MAX_REGION_LEN bytes")]
    InvalidRegion,
    #[msg("capability bits outside CAP_ALL")]
    InvalidCapabilities,
    #[msg("a node with this identity key is already registered")]
    NodeAlreadyRegistered,
    #[msg("the node is deactivated")]
    NodeDeactivated,
    #[msg("arithmetic overflow")]
    Overflow,
    #[msg("the node is bonded by stake: exit through the staking program")]
    NodeBonded,
    #[msg("this status transition is not allowed")]
    InvalidTransition,
    #[msg("signer is not the stake authority")]
    NotStakeAuthority,
    #[msg("signer is not the assignment authority")]
    NotAssignmentAuthority,
    #[msg("oracle set is empty, too large, has duplicates, or the quorum is out of range")]
    InvalidOracleSet,
    #[msg("domain is not a lower-case DNS name of at most MAX_DOMAIN_LEN bytes")]
    InvalidDomain,
    #[msg("domain_hash is not sha256(domain)")]
    DomainHashMismatch,
    #[msg("zone policy field out of range")]
    InvalidPolicy,
    #[msg("edge-function route out of range")]
    InvalidRoute,
    #[msg("route index out of range or too many routes")]
    InvalidRouteIndex,
    #[msg("only an Active node can be assigned")]
    NodeNotActive,
    #[msg("reputation penalty above MAX_REPUTATION")]
    InvalidReputation,
    #[msg("module name or CID empty or too long")]
    InvalidModule,
    #[msg("the module has no previous version")]
    NoPreviousVersion,
    #[msg("the protocol is paused by the emergency governance")]
    Paused,
    #[msg("signer is not the pause authority")]
    NotPauseAuthority,
}
