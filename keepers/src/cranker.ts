/**
 * The cranker role: mints each epoch's emission once it has started, claims accepted rewards for
 * nodes that opted in (bounded concurrency with p-queue, retries with backoff inside Chain.send,
 * optional priority fee), and re-assigns zones when it holds the assignment authority key.
 * Everything it sends is checked against the chain first (emission account, claim marker,
 * current assignments), so repeating a tick after a crash sends nothing twice.
 */
import PQueue from "p-queue";
import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync } from "@solana/spl-token";
import { PublicKey, type Keypair, type TransactionInstruction } from "@solana/web3.js";
import { claimMarkerKey, mintKey, registry as registryIx, rewards as rewardsIx, token as tokenIx, zoneKey } from "../../sdk/src/index.js";
import { planAssignments, type AssignmentPlan } from "./assignments.js";
import { selectAutoClaims } from "./autoClaim.js";
import { ALREADY_DONE, type Chain, type NodeInfo } from "./chain.js";
import type { KeeperConfig } from "./config.js";
import { readEpochReport, treeOf } from "./epochReport.js";
import { ProgramRefusedError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { KeeperMetrics } from "./metrics.js";
import type { KeeperStore } from "./store.js";

/** AssignmentV0.zone follows the discriminator and `node`. */
export const ASSIGNMENT_ZONE_OFFSET = 8 + 32;

export class Cranker {
  /** --dry-run: progress kept in memory so each planned transaction is printed once. */
  private readonly dry = new Map<string, number>();

  constructor(
    private readonly chain: Chain,
    private readonly store: KeeperStore,
    private readonly metrics: KeeperMetrics,
    private readonly log: Logger,
    private readonly cfg: KeeperConfig["cranker"],
    private readonly o: { dataDir: string; fromEpoch: number; assignmentKey?: Keypair },
  ) {}

  async tick(): Promise<void> {
    await this.mintEmissions();
    if (this.cfg.autoClaim !== "off") await this.claimAccepted();
    if (this.o.assignmentKey && this.cfg.assignment.zones.length) await this.reassign();
  }

  /** Mints every started epoch from the cursor on; stops at the first that cannot be minted yet. */
  async mintEmissions(): Promise<number[]> {
    const t = await this.chain.tokenTiming();
    const current = this.chain.epochAt(t, await this.chain.now());
    let e = this.dry.get("mint") ?? Number((await this.store.getMeta("cranker.mintCursor")) ?? this.o.fromEpoch);
    const minted: number[] = [];
    for (; e <= current; e++) {
      if ((await this.chain.emission(e)) === undefined) {
        try {
          await this.chain.send("cranker", "mint_epoch_emission", { epoch: e }, () => tokenIx.mintEpochEmission(this.chain.token, { payer: this.chain.signer.publicKey, epoch: e }));
          minted.push(e);
        } catch (err) {
          if (!(err instanceof ProgramRefusedError && ALREADY_DONE.has(err.programError))) {
            this.log.warn({ epoch: e, err: (err as Error).message }, "mint_epoch_emission not done; retrying next tick");
            break;
          }
        }
      }
      if (this.chain.dryRun) this.dry.set("mint", e + 1);
      else await this.store.setMeta("cranker.mintCursor", String(e + 1));
    }
    return minted;
  }

  /** Claims the selected leaves of every accepted epoch from the cursor on. */
  async claimAccepted(): Promise<void> {
    let e = this.dry.get("claim") ?? Number((await this.store.getMeta("cranker.claimCursor")) ?? this.o.fromEpoch);
    for (; ; e++) {
      const re = await this.chain.rewardEpoch(e);
      if (!re || re.acceptedAt.toNumber() === 0) return;
      const complete = await this.claimEpoch(e, Buffer.from(re.acceptedRoot).toString("hex"));
      if (!complete) return;
      if (this.chain.dryRun) this.dry.set("claim", e + 1);
      else await this.store.setMeta("cranker.claimCursor", String(e + 1));
    }
  }

  /** true when every selected leaf is claimed (or can never be). */
  async claimEpoch(epoch: number, acceptedRoot: string): Promise<boolean> {
    const doc = readEpochReport([this.o.dataDir, ...this.cfg.epochReportDirs], epoch);
    if (!doc) {
      this.log.info({ epoch }, "no epoch report for the accepted root here yet; claims wait");
      return false;
    }
    if (doc.root !== acceptedRoot) {
      this.log.error({ epoch, ours: doc.root, accepted: acceptedRoot }, "our epoch report is not the accepted one; cannot build proofs");
      return false;
    }
    const tree = treeOf(doc)!;
    const nodes = new Map<string, NodeInfo>((await this.chain.nodes()).map((n) => [n.address, n]));
    const chosen = selectAutoClaims(doc.leaves, nodes, this.cfg.autoClaim);
    const queue = new PQueue({ concurrency: this.cfg.concurrency });
    let incomplete = 0;
    const mint = mintKey()[0];
    for (const leaf of chosen) {
      queue.add(async () => {
        const node = new PublicKey(leaf.node);
        if (await this.chain.connection.getAccountInfo(claimMarkerKey(epoch, node)[0])) return;
        const i = tree.indexOf(node);
        const l = tree.leaves[i]!;
        const info = nodes.get(leaf.node);
        const pre: TransactionInstruction[] = [];
        if (info && l.destination.equals(getAssociatedTokenAddressSync(mint, new PublicKey(info.operator), true))) {
          pre.push(createAssociatedTokenAccountIdempotentInstruction(this.chain.signer.publicKey, l.destination, new PublicKey(info.operator), mint));
        }
        try {
          await this.chain.send("cranker", "claim", { epoch, node: leaf.node, amount: leaf.amount, destination: leaf.destination }, () =>
            rewardsIx
              .claim(this.chain.rewards, { payer: this.chain.signer.publicKey, epoch, node, destination: l.destination, amount: l.amount, metricsHash: l.metricsHash, proof: tree.proof(i) })
              .preInstructions(pre),
          );
          this.metrics.claims.inc({ result: "claimed" });
        } catch (err) {
          if (err instanceof ProgramRefusedError && ALREADY_DONE.has(err.programError)) {
            this.metrics.claims.inc({ result: "already_claimed" });
            return;
          }
          this.metrics.claims.inc({ result: "failed" });
          this.log.warn({ epoch, node: leaf.node, err: (err as Error).message }, "claim failed");
          if (!(err instanceof ProgramRefusedError)) incomplete++;
        }
      });
    }
    await queue.onIdle();
    return incomplete === 0;
  }

  async plan(): Promise<AssignmentPlan> {
    const zones = [];
    for (const z of this.cfg.assignment.zones) {
      const [zone] = zoneKey(z.domain);
      if (await this.chain.connection.getAccountInfo(zone)) zones.push({ zone: zone.toBase58(), domain: z.domain, regions: z.regions, replicas: z.replicas });
      else this.log.warn({ domain: z.domain }, "configured zone is not registered");
    }
    const current = (await this.chain.registry.account.assignmentV0.all()).map((a) => ({ address: a.publicKey.toBase58(), node: a.account.node.toBase58(), zone: a.account.zone.toBase58() }));
    const nodes = (await this.chain.nodes()).map((n) => ({ address: n.address, region: n.region, status: n.status, reputation: n.reputation }));
    return planAssignments(zones, nodes, current, this.cfg.assignment.maxZonesPerNode);
  }

  async reassign(): Promise<AssignmentPlan> {
    const key = this.o.assignmentKey!;
    const plan = await this.plan();
    for (const u of plan.unassign) {
      await this.chain
        .send("cranker", "unassign_node", u, () => registryIx.unassignNode(this.chain.registry, { assignmentAuthority: key.publicKey, assignment: new PublicKey(u.assignment) }), [key])
        .catch((err: Error) => this.log.warn({ ...u, err: err.message }, "unassign failed"));
    }
    for (const a of plan.assign) {
      await this.chain
        .send("cranker", "assign_node", a, () => registryIx.assignNode(this.chain.registry, { assignmentAuthority: key.publicKey, node: new PublicKey(a.node), zone: new PublicKey(a.zone) }), [key])
        .catch((err: Error) => this.log.warn({ ...a, err: err.message }, "assign failed"));
    }
    return plan;
  }
}
