/**
 * The two SPL Token reads the CLI needs, without loading @solana/spl-token (≈ 1–2 s of startup
 * on a small machine): associated-account derivation and the token-account layout.
 */
import { PublicKey, type Commitment, type Connection } from "@solana/web3.js";

export const TOKEN_PROGRAM_ID = new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
export const ASSOCIATED_TOKEN_PROGRAM_ID = new PublicKey("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");

export function associatedTokenAddress(mint: PublicKey, owner: PublicKey): PublicKey {
  return PublicKey.findProgramAddressSync([owner.toBuffer(), TOKEN_PROGRAM_ID.toBuffer(), mint.toBuffer()], ASSOCIATED_TOKEN_PROGRAM_ID)[0];
}

export interface TokenAccountInfo {
  mint: PublicKey;
  owner: PublicKey;
  amount: bigint;
}

/** undefined when the account does not exist or is not an SPL Token account. */
export async function readTokenAccount(connection: Connection, address: PublicKey, commitment?: Commitment): Promise<TokenAccountInfo | undefined> {
  const info = await connection.getAccountInfo(address, commitment);
  if (!info || !info.owner.equals(TOKEN_PROGRAM_ID) || info.data.length !== 165) return undefined;
  return { mint: new PublicKey(info.data.subarray(0, 32)), owner: new PublicKey(info.data.subarray(32, 64)), amount: info.data.readBigUInt64LE(64) };
}
