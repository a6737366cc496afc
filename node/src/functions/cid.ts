/**
 * Module identity: CIDv1, raw codec, sha2-256 over the module's bytes — what
 * `ipfs add --cid-version 1 --raw-leaves` gives for a file that fits in one block.
 */
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { CidMismatchError, FunctionConfigError } from "./errors.js";

export async function cidOf(bytes: Uint8Array): Promise<string> {
  return CID.create(1, raw.code, await sha256.digest(bytes)).toString();
}

/** Parses and normalises a module CID; only CIDv1 raw sha2-256 is accepted. */
export function parseModuleCid(text: string): string {
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch {
    throw new FunctionConfigError(`not a CID: ${text}`);
  }
  if (cid.version !== 1 || cid.code !== raw.code || cid.multihash.code !== sha256.code) {
    throw new FunctionConfigError(`module CIDs must be CIDv1 raw sha2-256: ${text}`);
  }
  return cid.toString();
}

export function looksLikeCid(text: string): boolean {
  try {
    CID.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Recomputes the CID of `bytes`; throws CidMismatchError unless it equals `expected`. */
export async function verifyCid(expected: string, bytes: Uint8Array): Promise<void> {
  const actual = await cidOf(bytes);
  if (actual !== parseModuleCid(expected)) throw new CidMismatchError(expected, actual);
}
