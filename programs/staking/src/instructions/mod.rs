//! One module per instruction; `handler` names repeat, so the glob re-exports Anchor needs are ambiguous by design.
#![allow(ambiguous_glob_reexports)]

pub mod activate_node;
pub mod begin_exit;
pub mod complete_exit;
pub mod initialize;
pub mod node_status;
pub mod request_unstake;
pub mod set_paused;
pub mod slash;
pub mod stake;
pub mod update_config;
pub mod update_voter_weight_record;
pub mod withdraw;

pub use activate_node::*;
pub use begin_exit::*;
pub use complete_exit::*;
pub use initialize::*;
pub use request_unstake::*;
pub use set_paused::*;
pub use slash::*;
pub use stake::*;
pub use update_config::*;
pub use update_voter_weight_record::*;
pub use withdraw::*;
