/**
 * The published epoch report: canonical JSON of the inputs and every node's result, identical
 * bytes on every honest oracle (no oracle name, no wall-clock time), addressed by a CIDv1
 * (raw codec, sha256) so anyone can fetch it from IPFS and recompute each leaf.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { PublicKey } from "@solana/web3.js";
import { RewardTree, type RewardLeaf } from "../../sdk/src/merkle.js";
import { canonicalJson, FORMULA_VERSION, type EpochRewards } from "../../sdk/src/rewardsFormula.js";
import type { TokenTiming } from "./chain.js";
import { writeFileAtomic } from "./store.js";

export interface EpochReportDoc {
  version: 1;
  formula: number;
  epoch: number;
  pool: string;
  startTs: number;
  endTs: number;
  inputs: { reports: number; probes: number };
  nodes: Record<string, unknown>[];
  leaves: { node: string; destination: string; amount: string; metricsHash: string }[];
  total: string;
  root: string | null;
}

export interface PublishedEpochReport {
  doc: EpochReportDoc;
  bytes: Uint8Array;
  cid: string;
  /** hex sha256 of the bytes. */
  hash: string;
  path?: string;
}

export async function buildEpochReport(r: EpochRewards, t: TokenTiming, counts: { reports: number; probes: number }): Promise<PublishedEpochReport> {
  const doc: EpochReportDoc = {
    version: 1,
    formula: FORMULA_VERSION,
    epoch: r.epoch,
    pool: r.pool.toString(),
    startTs: t.genesisTs + r.epoch * t.epochLengthSecs,
    endTs: t.genesisTs + (r.epoch + 1) * t.epochLengthSecs,
    inputs: counts,
    nodes: r.nodes.map((n) => ({ ...n })) as unknown as Record<string, unknown>[],
    leaves: r.leaves.map((l) => ({ node: l.node.toBase58(), destination: l.destination.toBase58(), amount: l.amount.toString(), metricsHash: Buffer.from(l.metricsHash).toString("hex") })),
    total: r.total.toString(),
    root: r.tree ? r.tree.root.toString("hex") : null,
  };
  const bytes = new TextEncoder().encode(canonicalJson(doc));
  const digest = await sha256.digest(bytes);
  return { doc, bytes, cid: CID.create(1, raw.code, digest).toString(), hash: Buffer.from(digest.digest).toString("hex") };
}

export function epochReportPath(dataDir: string, epoch: number): string {
  return join(dataDir, "epochs", `${epoch}.json`);
}

export function writeEpochReport(dataDir: string, rep: PublishedEpochReport): string {
  mkdirSync(join(dataDir, "epochs"), { recursive: true });
  const path = epochReportPath(dataDir, rep.doc.epoch);
  writeFileAtomic(path, rep.bytes);
  return path;
}

export function readEpochReport(dirs: string[], epoch: number): EpochReportDoc | undefined {
  for (const d of dirs) {
    const p = epochReportPath(d, epoch);
    if (existsSync(p)) return JSON.parse(readFileSync(p, "utf8")) as EpochReportDoc;
  }
  return undefined;
}

/** The reward tree of a published report (proofs for claims). */
export function treeOf(doc: EpochReportDoc): RewardTree | undefined {
  if (!doc.leaves.length) return undefined;
  const leaves: RewardLeaf[] = doc.leaves.map((l) => ({ node: new PublicKey(l.node), destination: new PublicKey(l.destination), amount: BigInt(l.amount), metricsHash: Buffer.from(l.metricsHash, "hex") }));
  return new RewardTree(leaves);
}
