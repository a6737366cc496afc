/**
 * Unsent instruction builders for the registry program. Accounts that are PDAs are resolved
 * by Anchor from the IDL; callers pass only the signers and the data.
 */
import BN from "bn.js";
import type { Program } from "@coral-xyz/anchor";
import { PublicKey } from "@solana/web3.js";
import type { Registry } from "../programs.js";
import type { IdlTypes } from "@coral-xyz/anchor";
import { assignmentKey, domainHash, moduleKey, registryConfigKey, zoneKey } from "../pdas.js";

export interface RegisterNodeArgs {
  operator: PublicKey;
  identity: PublicKey;
  metadataCid: string;
  region: string;
  capabilities: number;
}

export function initializeRegistry(program: Program<Registry>, args: { payer: PublicKey; admin: PublicKey }) {
  return program.methods.initialize({ admin: args.admin }).accounts({ payer: args.payer });
}

export function registerNode(program: Program<Registry>, args: RegisterNodeArgs) {
  return program.methods
    .registerNode({ metadataCid: args.metadataCid, region: args.region, capabilities: args.capabilities })
    .accounts({ operator: args.operator, identity: args.identity });
}

export interface UpdateNodeArgs {
  operator: PublicKey;
  node: PublicKey;
  metadataCid?: string;
  region?: string;
  capabilities?: number;
  rewardDestination?: PublicKey;
  /** Let keepers claim this node's rewards on its behalf. */
  autoClaim?: boolean;
}

export function updateNode(program: Program<Registry>, args: UpdateNodeArgs) {
  return program.methods
    .updateNode({
      metadataCid: args.metadataCid ?? null,
      region: args.region ?? null,
      capabilities: args.capabilities ?? null,
      rewardDestination: args.rewardDestination ?? null,
      autoClaim: args.autoClaim ?? null,
    })
    .accountsPartial({ operator: args.operator, node: args.node });
}

export function deactivateNode(program: Program<Registry>, args: { operator: PublicKey; node: PublicKey }) {
  return program.methods.deactivateNode().accountsPartial({ operator: args.operator, node: args.node });
}

/** Offsets of NodeV0 fields for getProgramAccounts memcmp filters (after the 8-byte discriminator). */
export const NODE_OPERATOR_OFFSET = 8;
export const NODE_IDENTITY_OFFSET = 40;

export { BN };

// ── config, oracles, zones, assignments ─────────────────────────────────────

export type ZonePolicyArgs = IdlTypes<Registry>["zonePolicyV0"];
export type FunctionRouteArgs = IdlTypes<Registry>["functionRouteV0"];

export function updateRegistryConfig(
  program: Program<Registry>,
  args: { admin: PublicKey; newAdmin?: PublicKey; stakeAuthority?: PublicKey; assignmentAuthority?: PublicKey; pauseAuthority?: PublicKey },
) {
  return program.methods
    .updateConfig({
      admin: args.newAdmin ?? null,
      stakeAuthority: args.stakeAuthority ?? null,
      assignmentAuthority: args.assignmentAuthority ?? null,
      pauseAuthority: args.pauseAuthority ?? null,
    })
    .accountsPartial({ admin: args.admin, config: registryConfigKey()[0] });
}

/** Emergency switch: refuses new nodes and zones while set. */
export function setPaused(program: Program<Registry>, args: { pauseAuthority: PublicKey; paused: boolean }) {
  return program.methods.setPaused(args.paused).accountsPartial({ pauseAuthority: args.pauseAuthority, config: registryConfigKey()[0] });
}

export function setOracles(program: Program<Registry>, args: { admin: PublicKey; oracles: PublicKey[]; quorum: number }) {
  return program.methods.setOracles({ oracles: args.oracles, quorum: args.quorum }).accountsPartial({ admin: args.admin, config: registryConfigKey()[0] });
}

export function registerZone(program: Program<Registry>, args: { owner: PublicKey; domain: string; policy: ZonePolicyArgs }) {
  return program.methods
    .registerZone({ domain: args.domain, domainHash: [...domainHash(args.domain)], policy: args.policy })
    .accountsPartial({ owner: args.owner, config: registryConfigKey()[0], zone: zoneKey(args.domain)[0] });
}

export function updateZonePolicy(program: Program<Registry>, args: { owner: PublicKey; zone: PublicKey; policy: ZonePolicyArgs }) {
  return program.methods.updateZonePolicy(args.policy).accountsPartial({ owner: args.owner, zone: args.zone });
}

/** `route` inserts at `index`; `null` removes the route at `index`. */
export function setZoneRoute(program: Program<Registry>, args: { owner: PublicKey; zone: PublicKey; index: number; route: FunctionRouteArgs | null }) {
  return program.methods.setZoneRoute({ index: args.index, route: args.route }).accountsPartial({ owner: args.owner, zone: args.zone });
}

export function assignNode(program: Program<Registry>, args: { assignmentAuthority: PublicKey; node: PublicKey; zone: PublicKey }) {
  return program.methods.assignNode().accountsPartial({
    assignmentAuthority: args.assignmentAuthority,
    config: registryConfigKey()[0],
    node: args.node,
    zone: args.zone,
    assignment: assignmentKey(args.node, args.zone)[0],
  });
}

export function unassignNode(program: Program<Registry>, args: { assignmentAuthority: PublicKey; assignment: PublicKey }) {
  return program.methods
    .unassignNode()
    .accountsPartial({ assignmentAuthority: args.assignmentAuthority, config: registryConfigKey()[0], assignment: args.assignment });
}

/** AssignmentV0: `node` right after the discriminator. */
export const ASSIGNMENT_NODE_OFFSET = 8;
export const ZONE_OWNER_OFFSET = 8;

/** A node's assignments: one getProgramAccounts with one memcmp. */
export async function assignmentsOf(program: Program<Registry>, node: PublicKey) {
  return program.account.assignmentV0.all([{ memcmp: { offset: ASSIGNMENT_NODE_OFFSET, bytes: node.toBase58() } }]);
}

/** Publishes version 1 of a module, or a new CID for it (the current one becomes `previousCid`). */
export function publishModule(program: Program<Registry>, args: { owner: PublicKey; name: string; cid: string }) {
  return program.methods
    .publishModule({ name: args.name, cid: args.cid })
    .accountsPartial({ owner: args.owner, module: moduleKey(args.owner, args.name)[0] });
}

/** Swaps back to the previous CID (a new version number, so nodes reload). */
export function rollbackModule(program: Program<Registry>, args: { owner: PublicKey; module: PublicKey }) {
  return program.methods.rollbackModule().accountsPartial({ owner: args.owner, module: args.module });
}
