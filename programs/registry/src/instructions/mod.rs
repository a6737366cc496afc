//! One module per instruction; `handler` names repeat, so the glob re-exports Anchor needs are ambiguous by design.
#![allow(ambiguous_glob_reexports)]

pub mod assign_node;
pub mod deactivate_node;
pub mod initialize;
pub mod policy;
pub mod publish_module;
pub mod register_node;
pub mod register_zone;
pub mod rollback_module;
pub mod set_node_status;
pub mod set_oracles;
pub mod set_paused;
pub mod set_zone_route;
pub mod unassign_node;
pub mod update_config;
pub mod update_node;
pub mod update_zone_policy;

pub use assign_node::*;
pub use deactivate_node::*;
pub use initialize::*;
pub use publish_module::*;
pub use register_node::*;
pub use register_zone::*;
pub use rollback_module::*;
pub use set_node_status::*;
pub use set_oracles::*;
pub use set_paused::*;
pub use set_zone_route::*;
pub use unassign_node::*;
pub use update_config::*;
pub use update_node::*;
pub use update_zone_policy::*;

use crate::{
    constants::{CAP_ALL, MAX_METADATA_CID_LEN, MAX_REGION_LEN},
    error::RegistryError,
};
use anchor_lang::prelude::*;

/// Node metadata rules shared by register and update.
pub fn validate_node_fields(metadata_cid: &str, region: &str, capabilities: u32) -> Result<()> {
    require!(!metadata_cid.is_empty(), RegistryError::MetadataCidEmpty);
    require!(
        metadata_cid.len() <= MAX_METADATA_CID_LEN,
        RegistryError::MetadataCidTooLong
    );
    require!(
        !region.is_empty() && region.len() <= MAX_REGION_LEN,
        RegistryError::InvalidRegion
    );
    require!(
        capabilities & !CAP_ALL == 0,
        RegistryError::InvalidCapabilities
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<()>) -> u32 {
        match r {
            Err(Error::AnchorError(e)) => e.error_code_number,
            other => panic!("expected an AnchorError, got {other:?}"),
        }
    }

    #[test]
    fn accepts_a_cidv1_and_known_capabilities() {
        let cid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
        assert!(validate_node_fields(cid, "eu-west", CAP_ALL).is_ok());
    }

    #[test]
    fn rejects_long_cid_bad_region_and_unknown_bits() {
        let long = "b".repeat(MAX_METADATA_CID_LEN + 1);
        let base = 6000;
        assert_eq!(code(validate_node_fields(&long, "eu", 1)), base + RegistryError::MetadataCidTooLong as u32);
        assert_eq!(code(validate_node_fields("", "eu", 1)), base + RegistryError::MetadataCidEmpty as u32);
        assert_eq!(code(validate_node_fields("cid", "", 1)), base + RegistryError::InvalidRegion as u32);
        let region = "r".repeat(MAX_REGION_LEN + 1);
        assert_eq!(code(validate_node_fields("cid", &region, 1)), base + RegistryError::InvalidRegion as u32);
        assert_eq!(code(validate_node_fields("cid", "eu", 1 << 31)), base + RegistryError::InvalidCapabilities as u32);
    }

    #[test]
    fn boundary_lengths_are_accepted() {
        let cid = "c".repeat(MAX_METADATA_CID_LEN);
        let region = "r".repeat(MAX_REGION_LEN);
        assert!(validate_node_fields(&cid, &region, 0).is_ok());
    }
}
