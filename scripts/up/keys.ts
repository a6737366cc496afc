/** Keypair files in the Solana CLI format (a JSON array of the 64 secret-key bytes). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Keypair } from "@solana/web3.js";

export function loadOrCreateKeypair(path: string): Keypair {
  if (existsSync(path)) {
    const bytes = JSON.parse(readFileSync(path, "utf8")) as unknown;
    if (!Array.isArray(bytes) || bytes.length !== 64) throw new Error(`${path}: not a Solana keypair file (expected 64 numbers)`);
    return Keypair.fromSecretKey(Uint8Array.from(bytes as number[]));
  }
  const kp = Keypair.generate();
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(Array.from(kp.secretKey)), { mode: 0o600 });
  return kp;
}
