/**
 * The epoch reward formula of docs/rewards.md, integers only. Every oracle runs this function on
 * the same inputs and must get the same leaves byte for byte, so: no floats, inputs sorted by node
 * address before anything is summed, each division rounds down at the step the document names.
 *
 *   work_i    = S·bytes_i/Σbytes · 5/10 + S·requests_i/Σrequests · 3/10 + S/N · 2/10
 *   quality_i = (uptime_i² / S) · reputation_i / 10,000
 *   stakeW_i  = ⌊√stake_i⌋              (sub-linear: 4× the stake, 2× the weight)
 *   weight_i  = work_i · quality_i · stakeW_i / S
 *   amount_i  = pool · weight_i / Σweight
 *
 * Sums run over eligible nodes only; an empty sum makes its term 0.
 */
import { sha256 } from "@noble/hashes/sha256";
import { PublicKey } from "@solana/web3.js";
import { RewardTree, type RewardLeaf } from "./merkle.js";

/** Fixed-point scale S. `uptime = S` means every probe was answered correctly. */
export const REWARD_SCALE = 10n ** 12n;
export const MIN_UPTIME = (REWARD_SCALE * 9n) / 10n;
export const MIN_REPUTATION = 5_000;
export const REPUTATION_SCALE = 10_000n;
export const FORMULA_VERSION = 2;

export class RewardFormulaError extends Error {
  readonly code = "AEGIS_ERR_REWARD_FORMULA";
  constructor(message: string) {
    super(message);
    this.name = "RewardFormulaError";
  }
}

export interface NodeEpochInput {
  /** NodeV0 address, base58. */
  node: string;
  /** Token account paid, base58. */
  destination: string;
  /** Egress bytes from the epoch's accepted reports. */
  bytes: bigint;
  requests: bigint;
  /** Valid reports in the epoch. */
  reports: number;
  /** Fraction of probes answered correctly, S-scaled. */
  uptime: bigint;
  /** NodeV0.reputation, basis points. */
  reputation: number;
  /** Bonded stake behind this node: the operator's StakeV0.amount / its bonded nodes (base units). */
  stake: bigint;
  /** NodeV0.status is Active when the epoch is computed. */
  active: boolean;
}

export interface EpochInputs {
  epoch: number;
  /** EmissionV0.amount of the epoch. */
  pool: bigint;
  nodes: NodeEpochInput[];
}

export type Ineligibility = "not_active" | "low_uptime" | "low_reputation" | "no_reports";

/** A node's row of the epoch report: its inputs (without `active`) and every computed term. */
export interface NodeReward extends Omit<NodeEpochInput, "active"> {
  eligible: boolean;
  ineligible?: Ineligibility;
  work: bigint;
  quality: bigint;
  stakeWeight: bigint;
  weight: bigint;
  amount: bigint;
  /** hex; present for eligible nodes. */
  metricsHash?: string;
}

export interface EpochRewards {
  epoch: number;
  pool: bigint;
  /** Every input node, sorted by node address bytes. */
  nodes: NodeReward[];
  /** Leaves of eligible nodes with a positive weight, sorted by node address bytes. */
  leaves: RewardLeaf[];
  total: bigint;
  /** Undefined when no node is eligible (nothing to submit). */
  tree?: RewardTree;
}

/** JSON with sorted keys and no spaces; bigints as decimal strings. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  throw new RewardFormulaError(`cannot encode ${typeof value} as canonical JSON`);
}

/** sha256 of canonical `{ epoch, node, bytes, requests, uptime, reputation, stake }` (u64s and uptime as decimal strings). */
export function metricsHash(epoch: number, n: Pick<NodeEpochInput, "node" | "bytes" | "requests" | "uptime" | "reputation" | "stake">): Uint8Array {
  const doc = { epoch, node: n.node, bytes: n.bytes, requests: n.requests, uptime: n.uptime, reputation: n.reputation, stake: n.stake };
  return sha256(new TextEncoder().encode(canonicalJson(doc)));
}

/** `ok / total` probes as S-scaled uptime, rounded down; no probes = 0. */
export function uptimeFromProbes(ok: number, total: number): bigint {
  if (total <= 0) return 0n;
  if (ok < 0 || ok > total) throw new RewardFormulaError("probe counts out of range");
  return (BigInt(ok) * REWARD_SCALE) / BigInt(total);
}

/** ⌊√n⌋ for n ≥ 0 (Newton's method on bigints). */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RewardFormulaError("square root of a negative number");
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}

export function compareAddresses(a: string, b: string): number {
  return Buffer.compare(new PublicKey(a).toBuffer(), new PublicKey(b).toBuffer());
}

function ineligibility(n: NodeEpochInput): Ineligibility | undefined {
  if (!n.active) return "not_active";
  if (n.reports < 1) return "no_reports";
  if (n.uptime < MIN_UPTIME) return "low_uptime";
  if (n.reputation < MIN_REPUTATION) return "low_reputation";
  return undefined;
}

const U64_MAX = (1n << 64n) - 1n;

export function computeEpochRewards(inputs: EpochInputs): EpochRewards {
  if (inputs.pool < 0n || inputs.pool > U64_MAX) throw new RewardFormulaError("pool out of u64 range");
  const seen = new Set<string>();
  for (const n of inputs.nodes) {
    if (seen.has(n.node)) throw new RewardFormulaError(`node ${n.node} appears twice`);
    seen.add(n.node);
    if (n.bytes < 0n || n.requests < 0n || n.uptime < 0n || n.uptime > REWARD_SCALE) throw new RewardFormulaError(`metrics of ${n.node} out of range`);
    if (!Number.isInteger(n.reputation) || n.reputation < 0 || n.reputation > 10_000) throw new RewardFormulaError(`reputation of ${n.node} out of range`);
    if (n.stake < 0n || n.stake > U64_MAX) throw new RewardFormulaError(`stake of ${n.node} out of range`);
  }
  const keyBytes = new Map(inputs.nodes.map((n) => [n.node, new PublicKey(n.node).toBuffer()]));
  const sorted = [...inputs.nodes].sort((a, b) => Buffer.compare(keyBytes.get(a.node)!, keyBytes.get(b.node)!));
  const eligible = sorted.filter((n) => ineligibility(n) === undefined);
  const S = REWARD_SCALE;
  const N = BigInt(eligible.length);
  const sumBytes = eligible.reduce((a, n) => a + n.bytes, 0n);
  const sumRequests = eligible.reduce((a, n) => a + n.requests, 0n);

  const rows: NodeReward[] = sorted.map((n) => {
    const why = ineligibility(n);
    const base = { node: n.node, destination: n.destination, bytes: n.bytes, requests: n.requests, reports: n.reports, uptime: n.uptime, reputation: n.reputation, stake: n.stake };
    if (why) return { ...base, eligible: false, ineligible: why, work: 0n, quality: 0n, stakeWeight: 0n, weight: 0n, amount: 0n };
    const byteShare = sumBytes === 0n ? 0n : (((S * n.bytes) / sumBytes) * 5n) / 10n;
    const requestShare = sumRequests === 0n ? 0n : (((S * n.requests) / sumRequests) * 3n) / 10n;
    const availability = ((S / N) * 2n) / 10n;
    const work = byteShare + requestShare + availability;
    const quality = (((n.uptime * n.uptime) / S) * BigInt(n.reputation)) / REPUTATION_SCALE;
    const stakeWeight = isqrt(n.stake);
    const weight = (work * quality * stakeWeight) / S;
    return { ...base, eligible: true, work, quality, stakeWeight, weight, amount: 0n };
  });
  const sumWeight = rows.reduce((a, r) => a + r.weight, 0n);
  const leaves: RewardLeaf[] = [];
  for (const r of rows) {
    if (!r.eligible) continue;
    r.amount = sumWeight === 0n ? 0n : (inputs.pool * r.weight) / sumWeight;
    const mh = metricsHash(inputs.epoch, r);
    r.metricsHash = Buffer.from(mh).toString("hex");
    if (r.weight > 0n) leaves.push({ node: new PublicKey(keyBytes.get(r.node)!), destination: new PublicKey(r.destination), amount: r.amount, metricsHash: mh });
  }
  const total = leaves.reduce((a, l) => a + l.amount, 0n);
  if (total > inputs.pool) throw new RewardFormulaError("rounding produced a total above the pool");
  return { epoch: inputs.epoch, pool: inputs.pool, nodes: rows, leaves, total, tree: leaves.length ? new RewardTree(leaves) : undefined };
}
