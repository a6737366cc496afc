/**
 * Zone re-assignment plan: which nodes should serve which zone, by region, capacity and
 * reputation. Pure and deterministic (ties broken by address) so two crankers plan the same.
 *
 * Per zone (in domain order): current assignments of nodes that are no longer Active, outside the
 * zone's regions or below the reputation floor are removed; extra ones above `replicas` are
 * removed worst first; missing ones are filled from eligible nodes, spreading across the zone's
 * regions round-robin, preferring higher reputation, then fewer zones already served (capacity),
 * never above `maxZonesPerNode`.
 */
import { MIN_REPUTATION } from "../../sdk/src/rewardsFormula.js";

export interface PlanZone {
  zone: string;
  domain: string;
  /** Empty: any region. */
  regions: string[];
  replicas: number;
}

export interface PlanNode {
  address: string;
  region: string;
  status: string;
  reputation: number;
}

export interface PlanAssignment {
  /** AssignmentV0 address. */
  address: string;
  node: string;
  zone: string;
}

export interface AssignmentPlan {
  assign: { node: string; zone: string; domain: string }[];
  unassign: { assignment: string; node: string; zone: string; why: string }[];
}

export function planAssignments(zones: PlanZone[], nodes: PlanNode[], current: PlanAssignment[], maxZonesPerNode: number): AssignmentPlan {
  const byAddr = new Map(nodes.map((n) => [n.address, n]));
  const load = new Map<string, number>();
  for (const a of current) load.set(a.node, (load.get(a.node) ?? 0) + 1);
  const plan: AssignmentPlan = { assign: [], unassign: [] };
  const rank = (a: PlanNode, b: PlanNode) => b.reputation - a.reputation || (load.get(a.address) ?? 0) - (load.get(b.address) ?? 0) || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0);
  const fits = (z: PlanZone, n: PlanNode) => n.status === "active" && n.reputation >= MIN_REPUTATION && (z.regions.length === 0 || z.regions.includes(n.region));

  for (const z of [...zones].sort((a, b) => (a.domain < b.domain ? -1 : 1))) {
    const mine = current.filter((a) => a.zone === z.zone).sort((a, b) => (a.node < b.node ? -1 : 1));
    const keep: PlanNode[] = [];
    for (const a of mine) {
      const n = byAddr.get(a.node);
      const why = !n ? "node unknown" : n.status !== "active" ? `node ${n.status}` : n.reputation < MIN_REPUTATION ? "reputation below floor" : !fits(z, n) ? "region not served" : undefined;
      if (why) {
        plan.unassign.push({ assignment: a.address, node: a.node, zone: z.zone, why });
        load.set(a.node, (load.get(a.node) ?? 1) - 1);
      } else keep.push(n!);
    }
    keep.sort(rank);
    while (keep.length > z.replicas) {
      const worst = keep.pop()!;
      const a = mine.find((x) => x.node === worst.address)!;
      plan.unassign.push({ assignment: a.address, node: a.node, zone: z.zone, why: "above replicas" });
      load.set(a.node, (load.get(a.node) ?? 1) - 1);
    }
    const have = new Set(keep.map((n) => n.address));
    const candidates = nodes.filter((n) => fits(z, n) && !have.has(n.address) && (load.get(n.address) ?? 0) < maxZonesPerNode);
    const regions = z.regions.length ? z.regions : [...new Set(candidates.map((n) => n.region))].sort();
    const pools = regions.map((r) => candidates.filter((n) => n.region === r).sort(rank));
    // Start the round-robin at the region with the fewest kept nodes.
    const keptPer = (r: string) => keep.filter((n) => n.region === r).length;
    const order = pools.map((p, i) => ({ p, r: regions[i]! })).sort((a, b) => keptPer(a.r) - keptPer(b.r) || (a.r < b.r ? -1 : 1));
    let need = z.replicas - keep.length;
    while (need > 0 && order.some((o) => o.p.length)) {
      for (const o of order) {
        if (need === 0) break;
        const n = o.p.shift();
        if (!n) continue;
        plan.assign.push({ node: n.address, zone: z.zone, domain: z.domain });
        load.set(n.address, (load.get(n.address) ?? 0) + 1);
        need--;
      }
    }
  }
  return plan;
}
