use anchor_lang::prelude::*;

use crate::constants::*;

#[account]
#[derive(InitSpace)]
pub struct RegistryConfigV0 {
    /// May change registry parameters; handed to the Realms governance later.
    pub admin: Pubkey,
    pub node_count: u64,
    pub bump: u8,
    /// The staking program's `stake_authority` PDA: the only key that moves a node between
    /// Registered / Active / Jailed / Exiting / Exited (besides `deactivate_node` of an unbonded node).
    pub stake_authority: Pubkey,
    /// Writes node ↔ zone assignments (a keeper key or governance).
    pub assignment_authority: Pubkey,
    /// Oracle keys (usage reports, reward roots, slash proposals) and the m-of-n quorum.
    #[max_len(MAX_ORACLES)]
    pub oracles: Vec<Pubkey>,
    pub quorum: u8,
    pub zone_count: u64,
    /// May pause and unpause (the Realms emergency governance after bootstrap).
    pub pause_authority: Pubkey,
    /// While set, `register_node` and `register_zone` fail with `Paused`; nodes keep serving.
    pub paused: bool,
    pub reserved: [u8; 31],
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum NodeStatus {
    Registered,
    Active,
    Jailed,
    Exiting,
    Exited,
}

/// One edge node. `operator` is the first field so that
/// `getProgramAccounts` with a memcmp at offset 8 lists an operator's nodes.
#[account]
#[derive(InitSpace)]
pub struct NodeV0 {
    /// Cold wallet: holds stake, receives rewards, signs changes.
    pub operator: Pubkey,
    /// Hot key on the server: signs usage reports and threat events.
    pub identity: Pubkey,
    #[max_len(MAX_METADATA_CID_LEN)]
    pub metadata_cid: String,
    #[max_len(MAX_REGION_LEN)]
    pub region: String,
    pub capabilities: u32,
    pub status: NodeStatus,
    /// Basis points, starts at MAX_REPUTATION, drops with every executed slash.
    pub reputation: u16,
    /// Token account the operator wants rewards paid to (default: none chosen yet).
    pub reward_destination: Pubkey,
    pub registered_at: i64,
    pub updated_at: i64,
    pub bump: u8,
    /// The operator lets keepers claim this node's rewards on its behalf (to `reward_destination`).
    pub auto_claim: bool,
    pub reserved: [u8; 63],
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, PartialEq, Eq, Debug, InitSpace)]
pub struct OriginV0 {
    #[max_len(MAX_ORIGIN_URL_LEN)]
    pub url: String,
    /// 1–100.
    pub weight: u8,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, PartialEq, Eq, Debug, InitSpace)]
pub struct CachePolicyV0 {
    pub enabled: bool,
    pub default_ttl_secs: u32,
    pub honour_origin_headers: bool,
    pub stale_while_revalidate_secs: u32,
    pub stale_if_error_secs: u32,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum WafMode {
    Off,
    Detect,
    Block,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, PartialEq, Eq, Debug, InitSpace)]
pub struct WafPolicyV0 {
    pub mode: WafMode,
    /// 1–4.
    pub paranoia: u8,
    pub inbound_threshold: u16,
    /// 0 = unset.
    pub outbound_threshold: u16,
    pub response_rules: bool,
    #[max_len(MAX_EXCLUDED_RULES)]
    pub excluded_rule_ids: Vec<u32>,
    #[max_len(MAX_EXCLUDED_TAGS, MAX_TAG_LEN)]
    pub excluded_tags: Vec<String>,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, PartialEq, Eq, Debug, InitSpace)]
pub struct DdosPolicyV0 {
    /// 0 = off … 5 = strict.
    pub sensitivity: u8,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, PartialEq, Eq, Debug, InitSpace)]
pub struct RateLimitV0 {
    /// Requests per window per client IP; 0 = unlimited.
    pub requests: u32,
    pub window_secs: u32,
    pub burst: u32,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum BotMode {
    Off,
    Detect,
    Enforce,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, PartialEq, Eq, Debug, InitSpace)]
pub struct BotPolicyV0 {
    pub mode: BotMode,
    pub challenge_at: u8,
    pub block_at: u8,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum FailMode {
    Open,
    Closed,
}

/// One edge-function route; routes are evaluated in order.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, PartialEq, Eq, Debug, InitSpace)]
pub struct FunctionRouteV0 {
    /// Glob (`/api/*`) or `re:<regex>` on the path.
    #[max_len(MAX_PATTERN_LEN)]
    pub pattern: String,
    /// Bit i = method i of GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, CONNECT, TRACE; 0 = all.
    pub methods: u16,
    /// Module CIDs (or registry names), run in order.
    #[max_len(MAX_ROUTE_MODULES, MAX_MODULE_REF_LEN)]
    pub modules: Vec<String>,
    pub fail_mode: FailMode,
    /// 0 = the node's default for each limit.
    pub timeout_ms: u16,
    pub memory_mb: u16,
    pub fuel: u64,
    #[max_len(MAX_FETCH_ALLOW, MAX_HOST_LEN)]
    pub fetch_allow: Vec<String>,
    pub fetch_timeout_ms: u16,
}

/// The zone policy without its routes (routes are edited one by one: a transaction is 1232 bytes).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, PartialEq, Eq, Debug, InitSpace)]
pub struct ZonePolicyV0 {
    #[max_len(MAX_ORIGINS)]
    pub origins: Vec<OriginV0>,
    pub cache: CachePolicyV0,
    pub waf: WafPolicyV0,
    pub ddos: DdosPolicyV0,
    pub rate_limit: RateLimitV0,
    pub bots: BotPolicyV0,
}

/// A site served by the network. `owner` is first so that an owner's zones are one memcmp away.
#[account]
#[derive(InitSpace)]
pub struct ZoneV0 {
    pub owner: Pubkey,
    pub domain_hash: [u8; 32],
    #[max_len(MAX_DOMAIN_LEN)]
    pub domain: String,
    /// Bumped by every change to the policy or the routes.
    pub policy_version: u64,
    pub policy: ZonePolicyV0,
    #[max_len(MAX_ROUTES)]
    pub routes: Vec<FunctionRouteV0>,
    pub created_at: i64,
    pub updated_at: i64,
    pub bump: u8,
    pub reserved: [u8; 64],
}

/// Node ↔ zone. `node` is first: a node lists its zones with one memcmp at offset 8.
#[account]
#[derive(InitSpace)]
pub struct AssignmentV0 {
    pub node: Pubkey,
    pub zone: Pubkey,
    pub assigned_at: i64,
    pub bump: u8,
    pub reserved: [u8; 16],
}

/// An edge-function module published by a zone owner (issue 11): routes may name it instead
/// of pinning a CID; nodes hot-reload when `version` changes and can roll back to `previous_cid`.
#[account]
#[derive(InitSpace)]
pub struct ModuleV0 {
    pub owner: Pubkey,
    #[max_len(MAX_MODULE_NAME_LEN)]
    pub name: String,
    #[max_len(MAX_MODULE_REF_LEN)]
    pub cid: String,
    /// Empty before the first update.
    #[max_len(MAX_MODULE_REF_LEN)]
    pub previous_cid: String,
    pub version: u32,
    pub updated_at: i64,
    pub bump: u8,
    pub reserved: [u8; 32],
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pinned in sdk/src/constants.ts ACCOUNT_SIZES and docs/protocol.md.
    #[test]
    fn account_sizes() {
        assert_eq!(8 + RegistryConfigV0::INIT_SPACE, 702);
        assert_eq!(8 + NodeV0::INIT_SPACE, 280);
        assert_eq!(8 + ZoneV0::INIT_SPACE, 6755);
        assert_eq!(8 + AssignmentV0::INIT_SPACE, 97);
        assert_eq!(8 + ModuleV0::INIT_SPACE, 257);
        // Accounts created by CPI (init) are limited to 10 KiB.
        const { assert!(8 + ZoneV0::INIT_SPACE <= 10_240) };
    }
}
