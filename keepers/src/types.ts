/** Shared types of the keeper roles. */

export type Role = "oracle" | "cranker" | "prober" | "ingest" | "slasher";
export const ROLES: readonly Role[] = ["oracle", "cranker", "prober", "ingest", "slasher"];

/** Why ingest refused a report (the `reason` label of keeper_reports_rejected_total). */
export type RejectReason =
  | "malformed"
  | "forged"
  | "unknown_node"
  | "deactivated"
  | "replayed"
  | "out_of_order"
  | "broken_chain"
  | "outside_epochs";

/** The last accepted report of a node: the anchor the next one must chain to. */
export interface ChainHead {
  sequence: bigint;
  /** hex sha256 of the full signed report. */
  hash: string;
  intervalEndMs: bigint;
}

/** An accepted report, as stored. */
export interface StoredReport {
  /** NodeV0 address. */
  node: string;
  identity: string;
  sequence: bigint;
  hash: string;
  prevHash: string;
  intervalEndMs: bigint;
  epoch: number;
  bytes: bigint;
  requests: bigint;
  /** base64 of the signed report, kept for audits and disputes. */
  raw: string;
}

/** One canary request through a node, signed by the prober (an oracle key). */
export interface ProbeResult {
  epoch: number;
  /** NodeV0 address. */
  node: string;
  /** Base58 key of the prober that signed this result. */
  prober: string;
  /** Chain unix seconds when the probe ran. */
  ts: number;
  path: string;
  ok: boolean;
  /** "ok" | "wrong_bytes" | "http_<status>" | "unreachable" | "timeout". */
  outcome: string;
  status: number;
  ttfbMs: number;
  expectedSha256: string;
  gotSha256: string;
}

export interface SignedProbe {
  result: ProbeResult;
  /** hex Ed25519 signature over canonicalJson(result). */
  signature: string;
}

export type EvidenceKind = "wrong_bytes" | "down_epoch" | "broken_chain";

/** Reason codes written to SlashProposalV0.reason (docs/keepers.md). */
export const SLASH_REASON: Record<EvidenceKind, number> = { down_epoch: 1, wrong_bytes: 2, broken_chain: 3 };

export interface Evidence {
  kind: EvidenceKind;
  /** NodeV0 address. */
  node: string;
  epoch: number;
  /** Chain unix seconds when it was observed. */
  observedAt: number;
  /** Kind-specific facts (signed probe results, the two conflicting reports, …). */
  facts: unknown;
}

/** Something a keeper would send: what --dry-run prints. */
export interface PlannedTx {
  role: Role;
  action: string;
  args: Record<string, unknown>;
}
