/**
 * Sends a transaction and waits for confirmation by polling signature statuses (no websocket
 * subscription, so a script using the client exits when it is done). Preflight failures are
 * translated to Anchor's `AnchorError` with the program's error names, as `.rpc()` does.
 */
import { translateError, type Wallet } from "@coral-xyz/anchor";
import type { Commitment, Connection, Transaction } from "@solana/web3.js";
import { IDLS } from "../programs.js";

const IDL_ERRORS = new Map<number, string>(
  Object.values(IDLS).flatMap((idl) => (idl.errors as Array<{ code: number; msg?: string; name: string }>).map((e) => [e.code, e.msg ?? e.name] as [number, string])),
);

export class TransactionFailedError extends Error {
  readonly code = "AEGIS_ERR_TX_FAILED";
  constructor(
    message: string,
    readonly signature: string,
  ) {
    super(message);
    this.name = "TransactionFailedError";
  }
}

export async function sendAndConfirm(
  connection: Connection,
  wallet: Wallet,
  builder: { transaction(): Promise<Transaction> },
  commitment: Commitment,
): Promise<string> {
  const tx = await builder.transaction();
  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash(commitment);
  tx.feePayer = wallet.publicKey;
  tx.recentBlockhash = blockhash;
  const signed = await wallet.signTransaction(tx);
  let signature: string;
  try {
    signature = await connection.sendRawTransaction(signed.serialize(), { preflightCommitment: commitment });
  } catch (err) {
    throw translateError(err, IDL_ERRORS);
  }
  for (;;) {
    const { value } = await connection.getSignatureStatuses([signature]);
    const s = value[0];
    if (s?.err) throw new TransactionFailedError(`transaction ${signature} failed: ${JSON.stringify(s.err)}`, signature);
    if (s && (s.confirmationStatus === "confirmed" || s.confirmationStatus === "finalized" || (commitment === "processed" && s.confirmationStatus === "processed"))) return signature;
    if ((await connection.getBlockHeight(commitment)) > lastValidBlockHeight) throw new TransactionFailedError(`transaction ${signature} expired before it was confirmed`, signature);
    await new Promise((r) => setTimeout(r, 200));
  }
}
