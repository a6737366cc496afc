//! aegis-localnet: a local Solana chain for AEGIS. See `docs/toolchain.md`.
pub mod chain;
pub mod history;
pub mod ledger;
pub mod native;
pub mod programs;
pub mod pubsub;
pub mod rpc;
pub mod server;
