use anchor_lang::prelude::*;

/// Seed of the token program's singleton config (also the mint authority).
#[constant]
pub const TOKEN_CONFIG_SEED: &[u8] = b"token_config";

/// Seed of the $AEGIS mint.
#[constant]
pub const MINT_SEED: &[u8] = b"mint";

/// Seed of the treasury token account (protocol fees, slashed stake, swept rewards).
#[constant]
pub const TREASURY_SEED: &[u8] = b"treasury";

/// Seed of an epoch's emission marker: `[EMISSION_SEED, epoch as u64 little-endian]`.
#[constant]
pub const EMISSION_SEED: &[u8] = b"emission";

/// $AEGIS has 6 decimals, like USDC: one AEGIS is 1_000_000 base units.
#[constant]
pub const DECIMALS: u8 = 6;

/// One whole AEGIS in base units.
#[constant]
pub const ONE_AEGIS: u64 = 1_000_000;

/// Fixed maximum supply: 1,000,000,000 AEGIS. Nothing this program mints goes past it.
#[constant]
pub const MAX_SUPPLY: u64 = 1_000_000_000 * ONE_AEGIS;

/// Genesis allocation to the treasury (40 % of the max supply), minted at most once in total.
#[constant]
pub const GENESIS_ALLOCATION: u64 = 400_000_000 * ONE_AEGIS;

/// Basis points denominator.
#[constant]
pub const BPS: u64 = 10_000;

/// Defaults (see docs/protocol.md).
#[constant]
pub const DEFAULT_EPOCH_LENGTH_SECS: i64 = 86_400;
#[constant]
pub const DEFAULT_INITIAL_EMISSION: u64 = 400_000 * ONE_AEGIS;
#[constant]
pub const DEFAULT_DECAY_BPS: u16 = 200;
#[constant]
pub const DEFAULT_DECAY_PERIOD_EPOCHS: u32 = 30;
#[constant]
pub const DEFAULT_BREAKER_WINDOW_SECS: i64 = 86_400;
#[constant]
pub const DEFAULT_BREAKER_MAX_PER_WINDOW: u64 = 2 * DEFAULT_INITIAL_EMISSION;
