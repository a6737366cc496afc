/** Keypair files in the Solana CLI format: a JSON array of 64 bytes (secret ‖ public key). */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { Keypair, PublicKey } from "@solana/web3.js";
import { CliError, EXIT, usageError } from "./errors.js";

export const DEFAULT_KEYPAIR = join(homedir(), ".config", "solana", "id.json");

const expand = (p: string) => (p.startsWith("~/") ? join(homedir(), p.slice(2)) : resolve(p));

export function loadKeypair(path: string): Keypair {
  const file = expand(path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(
      "AEGIS_ERR_KEYPAIR",
      code === "ENOENT" ? `keypair file ${file} does not exist` : `cannot read keypair file ${file}: ${(err as Error).message}`,
      EXIT.localFile,
      "pass --keypair <file> (Solana CLI JSON), set one with `aegis config set keypair <file>`, or create one with `solana-keygen new`",
    );
  }
  let bytes: unknown;
  try {
    bytes = JSON.parse(text);
  } catch {
    throw new CliError("AEGIS_ERR_KEYPAIR", `keypair file ${file} is not JSON`, EXIT.localFile, "a Solana keypair file is a JSON array of 64 numbers");
  }
  if (!Array.isArray(bytes) || bytes.length !== 64 || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    throw new CliError("AEGIS_ERR_KEYPAIR", `keypair file ${file} is not a Solana keypair (expected a JSON array of 64 bytes)`, EXIT.localFile);
  }
  try {
    return Keypair.fromSecretKey(Uint8Array.from(bytes as number[]));
  } catch (err) {
    throw new CliError("AEGIS_ERR_KEYPAIR", `keypair file ${file}: ${(err as Error).message}`, EXIT.localFile, "the public half does not match the secret half");
  }
}

/** A base58 public key from the command line. */
export function parsePubkey(value: string, what = "address"): PublicKey {
  try {
    return new PublicKey(value);
  } catch {
    throw usageError(`${what} "${value}" is not a base58 public key`);
  }
}

/** An argument that is either a public key or a keypair file (whose public key is taken). */
export function pubkeyOrKeypairFile(value: string, what: string): PublicKey {
  if (/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(value)) return parsePubkey(value, what);
  return loadKeypair(value).publicKey;
}
