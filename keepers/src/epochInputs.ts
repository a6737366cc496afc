/**
 * Gathers one epoch's inputs for the formula from the store (accepted reports, probe results of
 * current oracles) and the chain (node status, reputation, reward destination), in a form that
 * does not depend on arrival order.
 */
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { PublicKey } from "@solana/web3.js";
import { mintKey } from "../../sdk/src/index.js";
import { uptimeFromProbes, type EpochInputs, type NodeEpochInput } from "../../sdk/src/rewardsFormula.js";
import type { NodeInfo } from "./chain.js";
import { verifyProbe } from "./probeRecord.js";
import type { SignedProbe, StoredReport } from "./types.js";

/** NodeV0.reward_destination when set, else the operator's associated $AEGIS account. */
export function rewardDestination(n: Pick<NodeInfo, "rewardDestination" | "operator">): string {
  if (n.rewardDestination !== PublicKey.default.toBase58()) return n.rewardDestination;
  return getAssociatedTokenAddressSync(mintKey()[0], new PublicKey(n.operator), true).toBase58();
}

export function gatherEpochInputs(
  epoch: number,
  pool: bigint,
  nodes: NodeInfo[],
  reports: StoredReport[],
  probes: SignedProbe[],
  oracles: Set<string>,
): { inputs: EpochInputs; counts: { reports: number; probes: number } } {
  const usage = new Map<string, { bytes: bigint; requests: bigint; reports: number }>();
  const seen = new Set<string>();
  for (const r of reports) {
    if (r.epoch !== epoch) continue;
    const id = `${r.node}|${r.sequence}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const u = usage.get(r.node) ?? { bytes: 0n, requests: 0n, reports: 0 };
    u.bytes += r.bytes;
    u.requests += r.requests;
    u.reports += 1;
    usage.set(r.node, u);
  }
  const probeTally = new Map<string, { ok: number; total: number }>();
  const probeSeen = new Set<string>();
  for (const p of probes) {
    const res = p.result;
    if (res.epoch !== epoch || !oracles.has(res.prober) || !verifyProbe(p)) continue;
    const id = `${res.prober}|${res.node}|${res.ts}|${res.path}`;
    if (probeSeen.has(id)) continue;
    probeSeen.add(id);
    const t = probeTally.get(res.node) ?? { ok: 0, total: 0 };
    t.total += 1;
    if (res.ok) t.ok += 1;
    probeTally.set(res.node, t);
  }
  const list: NodeEpochInput[] = [];
  for (const n of nodes) {
    const u = usage.get(n.address);
    if (!u) continue; // no valid report: no row (nothing to pay, nothing to explain)
    const t = probeTally.get(n.address) ?? { ok: 0, total: 0 };
    list.push({
      node: n.address,
      destination: rewardDestination(n),
      bytes: u.bytes,
      requests: u.requests,
      reports: u.reports,
      uptime: uptimeFromProbes(t.ok, t.total),
      reputation: n.reputation,
      stake: n.stake,
      active: n.status === "active",
    });
  }
  return { inputs: { epoch, pool, nodes: list }, counts: { reports: seen.size, probes: probeSeen.size } };
}
