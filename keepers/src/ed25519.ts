/**
 * Ed25519 verification through node:crypto (OpenSSL): about 15× the pure-JS verifier on this
 * hardware (bench/keepers.sh), which sets how many reports one keeper core can ingest. Keys are
 * cached as KeyObjects. OpenSSL follows RFC 8032 strictly (non-canonical encodings are refused),
 * so it never accepts a signature the node's own verifier (node/src/analytics/report.ts) refuses;
 * tests/keepers/ingest-verify.test.ts checks both agree on real reports.
 */
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { LRUCache } from "lru-cache";

const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const keys = new LRUCache<string, KeyObject>({ max: 100_000 });

export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const id = Buffer.from(publicKey).toString("hex");
  let key = keys.get(id);
  try {
    if (!key) {
      key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: "der", type: "spki" });
      keys.set(id, key);
    }
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}
