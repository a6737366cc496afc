/**
 * Ingest's decision for one signed usage report, using the node's own report code
 * (node/src/analytics/report.ts) for the format and hashes: decode, find the node by the
 * report's key on chain, verify the signature against that registered key (node:crypto, see
 * ed25519.ts), check the node's status and the report's place in the node's hash chain. Pure
 * apart from the two lookups passed in.
 */
import bs58 from "bs58";
import { decodeReport, reportHash } from "../../node/src/analytics/report.js";
import { verifyEd25519 } from "./ed25519.js";
import type { NodeInfo, TokenTiming } from "./chain.js";
import type { ChainHead, Evidence, RejectReason, StoredReport } from "./types.js";

export type ReportDecision =
  | { kind: "accept"; report: StoredReport }
  | { kind: "duplicate" }
  | { kind: "reject"; reason: RejectReason; detail: string; evidence?: Evidence };

/** Node statuses whose reports count: a node serving traffic (Exiting nodes still serve until they leave). */
const REPORTING = new Set(["active", "exiting"]);

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

export function epochOfReport(t: TokenTiming, intervalEndMs: bigint): number {
  // An interval ending exactly on a boundary belongs to the epoch before it.
  const endSec = intervalEndMs > 0n ? Number((intervalEndMs - 1n) / 1000n) : 0;
  return endSec < t.genesisTs ? -1 : Math.floor((endSec - t.genesisTs) / t.epochLengthSecs);
}

export async function checkReport(
  bytes: Uint8Array,
  lookup: (identity: string) => Promise<NodeInfo | undefined>,
  head: (node: string) => ChainHead | undefined,
  timing: TokenTiming,
  nowSec: number,
): Promise<ReportDecision> {
  let decoded;
  try {
    decoded = decodeReport(bytes);
  } catch (err) {
    return { kind: "reject", reason: "malformed", detail: (err as Error).message };
  }
  const r = decoded.report;
  const identity = bs58.encode(r.nodePublicKey);
  const node = await lookup(identity);
  if (!node) return { kind: "reject", reason: "unknown_node", detail: `no NodeV0 for identity ${identity}` };
  // The signature must verify under the identity registered on chain (the key the report names
  // was only used to find the node).
  if (!verifyEd25519(bs58.decode(node.identity), decoded.body, decoded.signature)) return { kind: "reject", reason: "forged", detail: `signature does not verify for ${identity}` };
  if (!REPORTING.has(node.status)) return { kind: "reject", reason: "deactivated", detail: `node ${node.address} is ${node.status}` };
  const hash = hex(reportHash(bytes));
  const prev = head(node.address);
  if (prev) {
    if (r.sequence === prev.sequence && hash === prev.hash) return { kind: "duplicate" };
    if (r.sequence <= prev.sequence) return { kind: "reject", reason: "replayed", detail: `sequence ${r.sequence} ≤ accepted ${prev.sequence}` };
    if (r.sequence !== prev.sequence + 1n) return { kind: "reject", reason: "out_of_order", detail: `sequence ${r.sequence} after ${prev.sequence}` };
    if (hex(r.prevHash) !== prev.hash) {
      return {
        kind: "reject",
        reason: "broken_chain",
        detail: `report ${r.sequence} does not chain to ${prev.hash}`,
        evidence: {
          kind: "broken_chain",
          node: node.address,
          epoch: epochOfReport(timing, r.intervalEndMs),
          observedAt: nowSec,
          facts: { acceptedSequence: prev.sequence.toString(), acceptedHash: prev.hash, report: Buffer.from(bytes).toString("base64") },
        },
      };
    }
    if (r.intervalStartMs < prev.intervalEndMs) return { kind: "reject", reason: "out_of_order", detail: "interval starts before the previous one ended" };
  }
  const epoch = epochOfReport(timing, r.intervalEndMs);
  if (epoch < 0) return { kind: "reject", reason: "outside_epochs", detail: "interval ends before genesis" };
  let bytesOut = 0n;
  let requests = 0n;
  for (const z of r.zones.values()) {
    bytesOut += z.bytesOut;
    requests += z.requests;
  }
  return {
    kind: "accept",
    report: {
      node: node.address,
      identity,
      sequence: r.sequence,
      hash,
      prevHash: hex(r.prevHash),
      intervalEndMs: r.intervalEndMs,
      epoch,
      bytes: bytesOut,
      requests,
      raw: Buffer.from(bytes).toString("base64"),
    },
  };
}
