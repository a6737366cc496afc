//! One module per instruction; `handler` names repeat, so the glob re-exports Anchor needs are ambiguous by design.
#![allow(ambiguous_glob_reexports)]

pub mod create_metadata;
pub mod initialize;
pub mod mint_epoch_emission;
pub mod mint_genesis;
pub mod update_config;

pub use create_metadata::*;
pub use initialize::*;
pub use mint_epoch_emission::*;
pub use mint_genesis::*;
pub use update_config::*;
