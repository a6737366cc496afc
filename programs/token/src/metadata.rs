//! Metaplex Token Metadata `CreateMetadataAccountV3`, encoded by hand (no dependency on the
//! Metaplex crates, which pin older Solana releases). Layout: discriminator 33, then Borsh of
//! `DataV2 { name, symbol, uri, seller_fee_basis_points: u16, creators: None, collection: None,
//! uses: None }`, `is_mutable: bool`, `collection_details: None`.
use anchor_lang::prelude::*;

/// Metaplex Token Metadata (the same id on devnet and mainnet-beta).
pub const METADATA_PROGRAM_ID: Pubkey = pubkey!("metaqbxxUerdq28cj1RbAWkYQm3ybzjb6a8bt518x1s");
/// Seed prefix of a metadata account: `["metadata", METADATA_PROGRAM_ID, mint]` under that program.
pub const METADATA_SEED: &[u8] = b"metadata";
/// Metaplex's own bounds (`MAX_NAME_LENGTH`, `MAX_SYMBOL_LENGTH`, `MAX_URI_LENGTH`).
pub const MAX_NAME_LEN: usize = 32;
pub const MAX_SYMBOL_LEN: usize = 10;
pub const MAX_URI_LEN: usize = 200;

const CREATE_METADATA_ACCOUNT_V3: u8 = 33;

/// Instruction data of `CreateMetadataAccountV3` for a fungible token without creators.
pub fn create_metadata_v3_data(name: &str, symbol: &str, uri: &str, is_mutable: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + 12 + name.len() + symbol.len() + uri.len() + 6);
    out.push(CREATE_METADATA_ACCOUNT_V3);
    for s in [name, symbol, uri] {
        out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    out.extend_from_slice(&0u16.to_le_bytes()); // seller_fee_basis_points
    out.extend_from_slice(&[0, 0, 0]); // creators, collection, uses: None
    out.push(is_mutable as u8);
    out.push(0); // collection_details: None
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes @metaplex-foundation/mpl-token-metadata's
    /// `getCreateMetadataAccountV3InstructionDataSerializer` produces for these arguments;
    /// tests/protocol/metadata.test.ts recomputes them with umi and compares with this line.
    const UMI_HEX: &str = "210500000041454749530500000041454749532000000068747470733a2f2f61656769732e6e6574776f726b2f746f6b656e2e6a736f6e00000000000100";

    #[test]
    fn matches_the_umi_serializer() {
        let data = create_metadata_v3_data("AEGIS", "AEGIS", "https://aegis.network/token.json", true);
        let hex: String = data.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, UMI_HEX);
    }
}
