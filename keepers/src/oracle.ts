/**
 * The oracle role. For every epoch from its cursor whose end (+ grace) has passed on the chain
 * clock, in order: if the chain already holds this oracle's submission or an accepted root, the
 * epoch is finished (an accepted root is still recomputed and compared); otherwise it computes
 * the rewards, publishes the epoch report and submits the root. The cursor advances only past
 * finished epochs, and what "finished" means is read from the chain each time, so a keeper
 * killed anywhere neither submits twice nor skips an epoch.
 */
import { rewards as rewardsIx } from "../../sdk/src/index.js";
import { computeEpochRewards } from "../../sdk/src/rewardsFormula.js";
import { ALREADY_DONE, type Chain } from "./chain.js";
import { gatherEpochInputs } from "./epochInputs.js";
import { buildEpochReport, writeEpochReport, type PublishedEpochReport } from "./epochReport.js";
import { ProgramRefusedError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { KeeperMetrics } from "./metrics.js";
import type { KeeperStore } from "./store.js";

export const CURSOR_KEY = "oracle.cursor";

export type EpochOutcome = "submitted" | "already_submitted" | "already_accepted" | "nothing_to_submit" | "waiting";

export interface OracleOptions {
  dataDir: string;
  fromEpoch: number;
  graceSecs: number;
  /** Resolves true when ingest has consumed everything available (inputs complete). */
  inputsSettled: () => Promise<boolean>;
}

export class Oracle {
  readonly outcomes = new Map<number, EpochOutcome>();
  /** --dry-run keeps its progress in memory only, so a real run later starts where it should. */
  private dryCursor: number | undefined;

  constructor(
    private readonly chain: Chain,
    private readonly store: KeeperStore,
    private readonly metrics: KeeperMetrics,
    private readonly log: Logger,
    private readonly o: OracleOptions,
  ) {}

  async cursor(): Promise<number> {
    return this.dryCursor ?? Number((await this.store.getMeta(CURSOR_KEY)) ?? this.o.fromEpoch);
  }

  /** Computes and writes the epoch report from the stored inputs and the chain (no transaction). */
  async compute(epoch: number, pool: bigint): Promise<PublishedEpochReport & { rewards: ReturnType<typeof computeEpochRewards> }> {
    const [nodes, reports, probes, { oracles }] = await Promise.all([this.chain.nodes(), this.store.reports(epoch), this.store.probes(epoch), this.chain.oracles()]);
    const { inputs, counts } = gatherEpochInputs(epoch, pool, nodes, reports, probes, new Set(oracles));
    const rewards = computeEpochRewards(inputs);
    const rep = await buildEpochReport(rewards, await this.chain.tokenTiming(), counts);
    rep.path = writeEpochReport(this.o.dataDir, rep);
    await this.store.setMeta(`epoch:${epoch}`, JSON.stringify({ cid: rep.cid, hash: rep.hash, root: rep.doc.root, total: rep.doc.total }));
    this.metrics.epochComputed.set(epoch);
    this.log.info({ epoch, cid: rep.cid, hash: rep.hash, root: rep.doc.root, total: rep.doc.total, leaves: rep.doc.leaves.length, path: rep.path }, "epoch report published");
    return { ...rep, rewards };
  }

  async tick(): Promise<number> {
    const t = await this.chain.tokenTiming();
    const now = await this.chain.now();
    const lastEnded = this.chain.epochAt(t, now - this.o.graceSecs) - 1;
    let cursor = await this.cursor();
    this.metrics.epochCursor.set(cursor);
    let done = 0;
    while (cursor <= lastEnded) {
      if (!(await this.o.inputsSettled())) break;
      const outcome = await this.settle(cursor);
      this.outcomes.set(cursor, outcome);
      if (outcome === "waiting") break;
      cursor += 1;
      if (this.chain.dryRun) this.dryCursor = cursor;
      else await this.store.setMeta(CURSOR_KEY, String(cursor));
      this.metrics.epochCursor.set(cursor);
      done++;
    }
    return done;
  }

  private async settle(epoch: number): Promise<EpochOutcome> {
    const me = this.chain.signer.publicKey;
    const re = await this.chain.rewardEpoch(epoch);
    const emission = await this.chain.emission(epoch);
    if (re && re.acceptedAt.toNumber() > 0) {
      if (emission !== undefined) {
        const mine = await this.compute(epoch, emission);
        const agrees = mine.doc.root === Buffer.from(re.acceptedRoot).toString("hex") && mine.doc.total === re.total.toString();
        this.metrics.rootAgreement.inc({ result: agrees ? "agree" : "disagree" });
        this.log[agrees ? "info" : "error"]({ epoch, agrees }, "root already accepted; compared with ours");
      }
      return "already_accepted";
    }
    if (re && re.submissions.some((s) => s.oracle.equals(me))) {
      this.log.info({ epoch }, "our root is already on chain; waiting for quorum is not our job");
      return "already_submitted";
    }
    if (emission === undefined) {
      this.log.info({ epoch }, "epoch emission not minted yet; waiting for the cranker");
      return "waiting";
    }
    const rep = await this.compute(epoch, emission);
    if (!rep.rewards.tree) {
      this.log.warn({ epoch }, "no eligible node: nothing to submit (the emission stays in the vault until governance moves it)");
      return "nothing_to_submit";
    }
    const tree = rep.rewards.tree;
    try {
      await this.chain.send("oracle", "submit_root", { epoch, root: tree.root.toString("hex"), total: tree.total.toString(), cid: rep.cid }, () =>
        rewardsIx.submitRoot(this.chain.rewards, { oracle: me, epoch, root: tree.root, total: tree.total }),
      );
      return "submitted";
    } catch (err) {
      if (err instanceof ProgramRefusedError && ALREADY_DONE.has(err.programError)) {
        return err.programError === "AlreadyAccepted" ? "already_accepted" : "already_submitted";
      }
      this.log.error({ epoch, err: (err as Error).message }, "submit_root failed; retrying next tick");
      return "waiting";
    }
  }
}
