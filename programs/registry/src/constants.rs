use anchor_lang::prelude::*;

// Lengths are `usize` for `#[max_len]`; Anchor 0.30.1's IDL builder cannot export `usize`
// constants, so the usize limits are plain consts (the SDK mirrors them in constants.ts).

/// Seed of the registry's singleton config account.
#[constant]
pub const CONFIG_SEED: &[u8] = b"config";

/// Seed of a node account: `[NODE_SEED, node identity pubkey]`.
#[constant]
pub const NODE_SEED: &[u8] = b"node";

/// Longest metadata CID accepted, in bytes (a CIDv1 base32 sha2-256 CID is 59).
pub const MAX_METADATA_CID_LEN: usize = 64;

/// Longest region code accepted, in bytes (e.g. `eu-west`, `us-east-2`).
pub const MAX_REGION_LEN: usize = 16;

/// Node capability bits.
#[constant]
pub const CAP_CACHE: u32 = 1 << 0;
#[constant]
pub const CAP_WAF: u32 = 1 << 1;
#[constant]
pub const CAP_XDP: u32 = 1 << 2;
#[constant]
pub const CAP_EDGE_FUNCTIONS: u32 = 1 << 3;
#[constant]
pub const CAP_TLS: u32 = 1 << 4;
#[constant]
pub const CAP_ALL: u32 = CAP_CACHE | CAP_WAF | CAP_XDP | CAP_EDGE_FUNCTIONS | CAP_TLS;

/// Seed of a zone account: `[ZONE_SEED, sha256(domain)]` (a domain can be longer than a seed).
#[constant]
pub const ZONE_SEED: &[u8] = b"zone";

/// Seed of an assignment: `[ASSIGNMENT_SEED, node, zone]`.
#[constant]
pub const ASSIGNMENT_SEED: &[u8] = b"assignment";

/// Oracle set bound.
pub const MAX_ORACLES: usize = 16;

/// Reputation is kept in basis points: a new node starts at the maximum.
#[constant]
pub const MAX_REPUTATION: u16 = 10_000;

/// Zone policy bounds (mirrors node/src/policy/schema.ts, tighter where the account size needs it).
pub const MAX_DOMAIN_LEN: usize = 253;
pub const MAX_ORIGINS: usize = 4;
pub const MAX_ORIGIN_URL_LEN: usize = 96;
pub const MAX_EXCLUDED_RULES: usize = 32;
pub const MAX_EXCLUDED_TAGS: usize = 4;
pub const MAX_TAG_LEN: usize = 32;
pub const MAX_ROUTES: usize = 8;
pub const MAX_PATTERN_LEN: usize = 128;
pub const MAX_ROUTE_MODULES: usize = 4;
pub const MAX_MODULE_REF_LEN: usize = 64;
pub const MAX_FETCH_ALLOW: usize = 4;
pub const MAX_HOST_LEN: usize = 64;

/// HTTP method bits of a route's `methods` mask (0 = every method).
#[constant]
pub const METHOD_ALL_BITS: u16 = 0x1ff;

/// Seed of an edge-function module: `[MODULE_SEED, owner, name]`.
#[constant]
pub const MODULE_SEED: &[u8] = b"module";
pub const MAX_MODULE_NAME_LEN: usize = 32;
