/** Which leaves of an accepted epoch the cranker claims on the nodes' behalf. */
export type AutoClaimMode = "opted-in" | "all" | "off";

export interface ClaimCandidate {
  /** NodeV0.auto_claim; undefined while the deployed registry has no such field. */
  autoClaim: boolean | undefined;
}

/** "opted-in": only nodes whose operator set auto_claim; "all": every leaf (claims are permissionless); "off": none. */
export function selectAutoClaims<T extends { node: string }>(leaves: T[], nodes: Map<string, ClaimCandidate>, mode: AutoClaimMode): T[] {
  if (mode === "off") return [];
  if (mode === "all") return [...leaves];
  return leaves.filter((l) => nodes.get(l.node)?.autoClaim === true);
}
