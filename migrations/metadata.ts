/**
 * $AEGIS token metadata (name, symbol, URI) in Metaplex Token Metadata, checked and read back
 * with @metaplex-foundation/umi. The mint authority is the token config PDA, so the account is
 * created by the token program's `create_metadata` (a CPI signed by that PDA); umi finds the
 * Metaplex program, derives the metadata address and decodes the result.
 *
 * Clusters without Metaplex (localnet runs only the AEGIS programs, SPL Token/ATA and SPL
 * Governance) get `{ status: "unsupported" }` and the mint keeps no metadata: wallets show the
 * mint address.
 */
import type { Connection, Keypair, PublicKey } from "@solana/web3.js";
import { AnchorProvider, Wallet } from "@coral-xyz/anchor";
import { createUmi } from "@metaplex-foundation/umi-bundle-defaults";
import { publicKey } from "@metaplex-foundation/umi";
import { MPL_TOKEN_METADATA_PROGRAM_ID, fetchMetadataFromSeeds, findMetadataPda, mplTokenMetadata } from "@metaplex-foundation/mpl-token-metadata";
import { mintKey, token, tokenProgram } from "../sdk/src/index.js";

export interface TokenMetadataInput {
  name: string;
  symbol: string;
  uri: string;
}

export type TokenMetadataResult =
  | { status: "unsupported"; reason: string }
  | { status: "created" | "exists"; metadata: string; name: string; symbol: string; uri: string; updateAuthority: string };

export const AEGIS_METADATA: TokenMetadataInput = { name: "AEGIS", symbol: "AEGIS", uri: "https://aegis.network/token.json" };

/** Creates the metadata once (signed by the token config authority) and reads it back with umi. */
export async function ensureTokenMetadata(connection: Connection, authority: Keypair, input: TokenMetadataInput = AEGIS_METADATA): Promise<TokenMetadataResult> {
  const umi = createUmi(connection.rpcEndpoint, { commitment: "confirmed" }).use(mplTokenMetadata());
  const program = await umi.rpc.getAccount(MPL_TOKEN_METADATA_PROGRAM_ID);
  if (!program.exists || !program.executable) {
    return { status: "unsupported", reason: `Metaplex Token Metadata (${MPL_TOKEN_METADATA_PROGRAM_ID}) is not deployed on ${connection.rpcEndpoint}` };
  }
  const mint = publicKey(mintKey()[0].toBase58());
  const [address] = findMetadataPda(umi, { mint });
  let status: "created" | "exists" = "exists";
  if (!(await umi.rpc.accountExists(address))) {
    const provider = new AnchorProvider(connection, new Wallet(authority), { commitment: "confirmed" });
    await token.createMetadata(tokenProgram(provider), { payer: authority.publicKey, authority: authority.publicKey, ...input }).rpc();
    status = "created";
  }
  const md = await fetchMetadataFromSeeds(umi, { mint });
  return { status, metadata: address.toString(), name: md.name, symbol: md.symbol, uri: md.uri, updateAuthority: md.updateAuthority.toString() };
}

/** The umi-derived metadata address of `mint` (the token program derives the same one). */
export function umiMetadataAddress(rpcEndpoint: string, mint: PublicKey): string {
  const umi = createUmi(rpcEndpoint).use(mplTokenMetadata());
  return findMetadataPda(umi, { mint: publicKey(mint.toBase58()) })[0].toString();
}
