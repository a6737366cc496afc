/**
 * The node identity key: a hot Ed25519 key kept on the server that signs analytics reports and
 * threat events. It is registered on chain (registry program) separately from the cold operator
 * wallet. Stored in the Solana CLI keypair format (a JSON array of 64 bytes: seed ‖ public key).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ed25519 } from "@noble/curves/ed25519";
import bs58 from "bs58";

export class IdentityKeyError extends Error {
  readonly code = "AEGIS_ERR_IDENTITY_KEY";
  constructor(message: string) {
    super(message);
    this.name = "IdentityKeyError";
  }
}

export interface NodeIdentity {
  /** 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** Base58 public key, as Solana tools print it. */
  readonly address: string;
  sign(message: Uint8Array): Uint8Array;
  /** The 64-byte Solana keypair bytes (seed ‖ public key). */
  secretKeyBytes(): Uint8Array;
}

export function identityFromSeed(seed: Uint8Array): NodeIdentity {
  if (seed.length !== 32) throw new IdentityKeyError(`an Ed25519 seed is 32 bytes, got ${seed.length}`);
  const privateKey = Uint8Array.from(seed);
  const publicKey = ed25519.getPublicKey(privateKey);
  return {
    publicKey,
    address: bs58.encode(publicKey),
    sign: (message) => ed25519.sign(message, privateKey),
    secretKeyBytes: () => {
      const out = new Uint8Array(64);
      out.set(privateKey, 0);
      out.set(publicKey, 32);
      return out;
    },
  };
}

export function generateIdentity(): NodeIdentity {
  return identityFromSeed(ed25519.utils.randomPrivateKey());
}

/** Parses Solana CLI keypair JSON; checks that the stored public key matches the seed. */
export function parseKeypairJson(text: string, source = "keypair"): NodeIdentity {
  let bytes: unknown;
  try {
    bytes = JSON.parse(text);
  } catch (err) {
    throw new IdentityKeyError(`${source}: not JSON (${(err as Error).message})`);
  }
  if (
    !Array.isArray(bytes) ||
    bytes.length !== 64 ||
    !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)
  ) {
    throw new IdentityKeyError(`${source}: expected a JSON array of 64 bytes (Solana keypair format)`);
  }
  const all = Uint8Array.from(bytes as number[]);
  const identity = identityFromSeed(all.subarray(0, 32));
  if (!equalBytes(identity.publicKey, all.subarray(32))) {
    throw new IdentityKeyError(`${source}: public key half does not match the secret key`);
  }
  return identity;
}

export function loadIdentity(path: string): NodeIdentity {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new IdentityKeyError(`cannot read identity key ${path}: ${(err as Error).message}`);
  }
  return parseKeypairJson(text, path);
}

/** Loads the key at `path`, creating it (mode 0600) when it does not exist yet. */
export function loadOrCreateIdentity(path: string): NodeIdentity {
  if (existsSync(path)) return loadIdentity(path);
  const identity = generateIdentity();
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(Array.from(identity.secretKeyBytes())), { mode: 0o600 });
  chmodSync(path, 0o600);
  return identity;
}

export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
