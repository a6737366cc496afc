/**
 * The slasher role. Evidence (wrong canary bytes, a node down for a whole epoch while assigned, a
 * broken report hash chain) is written as a document under <dataDir>/evidence/pending before
 * anything is sent, so it survives a restart. For each one, the chain decides what is left to do:
 * no proposal if one with the same evidence hash exists, or an open one (awaiting co-signature,
 * pending, disputed) already covers this node for the same reason; the amount is the configured
 * share of the stake, cut to what the on-chain per-window cap still allows.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { PublicKey } from "@solana/web3.js";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { stakeKey, staking as stakingIx } from "../../sdk/src/index.js";
import { canonicalJson } from "../../sdk/src/rewardsFormula.js";
import type { Chain } from "./chain.js";
import { ProgramRefusedError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { KeeperMetrics } from "./metrics.js";
import type { KeeperStore } from "./store.js";
import { writeFileAtomic } from "./store.js";
import { SLASH_REASON, type Evidence } from "./types.js";

/** SlashProposalV0.node sits after the discriminator and `stake`. */
export const SLASH_NODE_OFFSET = 8 + 32;
const OPEN = new Set(["awaitingCosign", "pending", "disputed"]);
const BPS = 10_000n;

export interface EvidenceDoc {
  evidence: Evidence;
  bytes: Uint8Array;
  hash: Uint8Array;
  cid: string;
  uri: string;
}

export async function evidenceDoc(e: Evidence): Promise<EvidenceDoc> {
  const bytes = new TextEncoder().encode(canonicalJson({ version: 1, ...e }));
  const digest = await sha256.digest(bytes);
  const cid = CID.create(1, raw.code, digest).toString();
  return { evidence: e, bytes, hash: digest.digest, cid, uri: `ipfs://${cid}` };
}

/** The largest slash the on-chain window still admits (staking::math::admit_slash). */
export function slashAmount(stake: { amount: bigint; pendingUnstake: bigint; windowStart: number; windowAmount: bigint }, now: number, cfg: { slashEpochSecs: number; maxSlashBps: number }, wantBps: number): bigint {
  const total = stake.amount + stake.pendingUnstake;
  const used = now >= stake.windowStart + cfg.slashEpochSecs ? 0n : stake.windowAmount;
  const cap = (total * BigInt(cfg.maxSlashBps)) / BPS;
  const want = (total * BigInt(wantBps)) / BPS;
  const room = cap > used ? cap - used : 0n;
  return want < room ? want : room;
}

export type SlashDecision = "proposed" | "duplicate_evidence" | "open_proposal" | "cap_reached" | "node_gone" | "no_stake" | "retry";

export class Slasher {
  private readonly pendingDir: string;
  private readonly doneDir: string;
  private readonly printed = new Set<string>();

  constructor(
    private readonly chain: Chain,
    private readonly store: KeeperStore,
    private readonly metrics: KeeperMetrics,
    private readonly log: Logger,
    private readonly o: { dataDir: string; slashBps: number; minProbesForDown: number },
  ) {
    this.pendingDir = join(o.dataDir, "evidence", "pending");
    this.doneDir = join(o.dataDir, "evidence");
    mkdirSync(this.pendingDir, { recursive: true });
  }

  /** Records evidence durably; the next tick acts on it. */
  async submit(e: Evidence): Promise<EvidenceDoc> {
    const doc = await evidenceDoc(e);
    const done = join(this.doneDir, `${doc.cid}.json`);
    if (!existsSync(done)) writeFileAtomic(join(this.pendingDir, `${doc.cid}.json`), doc.bytes);
    return doc;
  }

  async tick(): Promise<number> {
    await this.scanDowntime();
    let n = 0;
    for (const f of readdirSync(this.pendingDir).filter((x) => x.endsWith(".json") && !this.printed.has(x)).sort()) {
      const parsed = JSON.parse(readFileSync(join(this.pendingDir, f), "utf8")) as Evidence & { version: number };
      const { version: _v, ...e } = parsed;
      const doc = await evidenceDoc(e);
      const decision = await this.decide(doc);
      this.metrics.slashProposals.inc({ kind: e.kind, result: decision });
      if (decision === "retry") continue;
      if (decision === "proposed" && this.chain.dryRun) {
        // Printed, not sent: keep the evidence pending for a real run, print it once.
        this.printed.add(f);
        continue;
      }
      // Decided for good: keep the document (it is what the proposal's URI names).
      renameSync(join(this.pendingDir, f), join(this.doneDir, f));
      if (decision === "proposed") n++;
    }
    return n;
  }

  private async decide(doc: EvidenceDoc): Promise<SlashDecision> {
    const e = doc.evidence;
    const node = await this.chain.node(new PublicKey(e.node));
    if (!node || node.status === "exited") return "node_gone";
    const reason = SLASH_REASON[e.kind];
    // Read the stake (its slash_nonce) BEFORE the proposals: a proposal another oracle lands after
    // this read takes the nonce our transaction would use, so ours fails instead of duplicating it;
    // one landed before it is in the list read below.
    const operator = new PublicKey(node.operator);
    const stake = await this.chain.staking.account.stakeV0.fetchNullable(stakeKey(operator)[0]);
    if (!stake) return "no_stake";
    const proposals = await this.chain.staking.account.slashProposalV0.all([{ memcmp: { offset: SLASH_NODE_OFFSET, bytes: e.node } }]);
    if (proposals.some((p) => Buffer.from(p.account.evidenceHash).equals(Buffer.from(doc.hash)))) return "duplicate_evidence";
    if (proposals.some((p) => p.account.reason === reason && OPEN.has(Object.keys(p.account.status)[0]!))) return "open_proposal";
    const cfg = await this.chain.stakingConfig();
    const now = await this.chain.now();
    const amount = slashAmount(
      { amount: BigInt(stake.amount.toString()), pendingUnstake: BigInt(stake.pendingUnstake.toString()), windowStart: stake.slashWindowStart.toNumber(), windowAmount: BigInt(stake.slashWindowAmount.toString()) },
      now,
      { slashEpochSecs: cfg.slashEpochSecs.toNumber(), maxSlashBps: cfg.maxSlashBpsPerEpoch },
      this.o.slashBps,
    );
    if (amount <= 0n) return "cap_reached";
    const nonce = BigInt(stake.slashNonce.toString());
    try {
      await this.chain.send("slasher", "propose_slash", { node: e.node, kind: e.kind, epoch: e.epoch, amount: amount.toString(), evidenceHash: Buffer.from(doc.hash).toString("hex"), evidenceUri: doc.uri }, () =>
        stakingIx.proposeSlash(this.chain.staking, {
          proposer: this.chain.signer.publicKey,
          node: new PublicKey(e.node),
          operator,
          nonce,
          amount,
          reason,
          evidenceHash: doc.hash,
          evidenceUri: doc.uri,
        }),
      );
      return "proposed";
    } catch (err) {
      // AccountInUse: another oracle took this nonce a moment ago; the next tick sees its proposal.
      this.log.warn({ node: e.node, err: (err as Error).message, code: err instanceof ProgramRefusedError ? err.programError : undefined }, "propose_slash not sent; retrying next tick");
      return "retry";
    }
  }

  /** "Down for a whole epoch while assigned": every probe of an ended epoch failed (wrong bytes have their own evidence). */
  private async scanDowntime(): Promise<void> {
    const t = await this.chain.tokenTiming();
    const ended = this.chain.epochAt(t, await this.chain.now()) - 1;
    let e = Number((await this.store.getMeta("slasher.downCursor")) ?? Math.max(0, ended));
    for (; e <= ended; e++) {
      const { oracles } = await this.chain.oracles();
      const byNode = new Map<string, { total: number; ok: number; wrong: number; samples: unknown[] }>();
      for (const p of await this.store.probes(e)) {
        if (!oracles.includes(p.result.prober)) continue;
        const s = byNode.get(p.result.node) ?? { total: 0, ok: 0, wrong: 0, samples: [] };
        s.total++;
        if (p.result.ok) s.ok++;
        if (p.result.outcome === "wrong_bytes") s.wrong++;
        if (s.samples.length < 8) s.samples.push(p);
        byNode.set(p.result.node, s);
      }
      for (const [node, s] of [...byNode.entries()].sort()) {
        if (s.ok === 0 && s.wrong === 0 && s.total >= this.o.minProbesForDown) {
          await this.submit({ kind: "down_epoch", node, epoch: e, observedAt: this.chain.epochStart(t, e + 1), facts: { probes: s.samples, failed: s.total } });
        }
      }
      await this.store.setMeta("slasher.downCursor", String(e + 1));
    }
  }
}
