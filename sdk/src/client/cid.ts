/**
 * Module CIDs, computed locally: CIDv1, raw codec, sha2-256 over the bytes — the same identity
 * the edge node verifies (node/src/functions/cid.ts); a test checks both agree.
 */
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { AegisClientError } from "./errors.js";

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

export async function moduleCid(wasm: Uint8Array): Promise<string> {
  return CID.create(1, raw.code, await sha256.digest(wasm)).toString();
}

/** Throws unless `bytes` start with the WebAssembly magic and version 1. */
export function assertWasm(bytes: Uint8Array, source = "module"): void {
  if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b) || bytes[4] !== 1) {
    throw new AegisClientError("AEGIS_ERR_NOT_WASM", `${source} is not a WebAssembly binary (expected \\0asm version 1)`);
  }
}
