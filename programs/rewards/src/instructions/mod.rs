//! One module per instruction; `handler` names repeat, so the glob re-exports Anchor needs are ambiguous by design.
#![allow(ambiguous_glob_reexports)]

pub mod claim;
pub mod initialize;
pub mod set_paused;
pub mod submit_root;
pub mod sweep_unclaimed;
pub mod update_config;

pub use claim::*;
pub use initialize::*;
pub use set_paused::*;
pub use submit_root::*;
pub use sweep_unclaimed::*;
pub use update_config::*;
