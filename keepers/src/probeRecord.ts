/** Probe results are signed by the prober's key so every oracle can use every oracle's probes. */
import { ed25519 } from "@noble/curves/ed25519";
import bs58 from "bs58";
import type { Keypair } from "@solana/web3.js";
import { canonicalJson } from "../../sdk/src/rewardsFormula.js";
import type { ProbeResult, SignedProbe } from "./types.js";

const enc = new TextEncoder();

export function signProbe(result: ProbeResult, key: Keypair): SignedProbe {
  const sig = ed25519.sign(enc.encode(canonicalJson(result)), key.secretKey.subarray(0, 32));
  return { result, signature: Buffer.from(sig).toString("hex") };
}

export function verifyProbe(p: SignedProbe): boolean {
  try {
    return ed25519.verify(Buffer.from(p.signature, "hex"), enc.encode(canonicalJson(p.result)), bs58.decode(p.result.prober));
  } catch {
    return false;
  }
}
