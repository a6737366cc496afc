/**
 * The node as the chain sees it, through the SDK: NodeV0 (status, reputation), the operator's
 * StakeV0, the token epoch, claimed rewards (ClaimMarkerV0 of this node) and pending rewards
 * (this node's leaves in the oracles' epoch files the operator keeps in <dataDir>/rewards/,
 * the files `aegis rewards claim --claims` takes, without a claim marker yet).
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { AnchorProvider, type Wallet } from "@coral-xyz/anchor";
import { Connection, PublicKey, SYSVAR_CLOCK_PUBKEY, type Commitment } from "@solana/web3.js";
import { closeWebSocket, nodeKey, registryProgram, rewardsProgram, stakeKey, stakingProgram, tokenConfigKey, tokenProgram } from "../../../sdk/src/index.js";
import type { Logger } from "../logger.js";
import type { ChainStatus } from "./types.js";

/** ClaimMarkerV0: epoch u64 at 8, node at 16. */
const CLAIM_NODE_OFFSET = 16;
const SCALE = 1_000_000n;

export const formatAegis = (units: bigint): string => {
  const frac = (units % SCALE).toString().padStart(6, "0").replace(/0+$/, "");
  return `${(units / SCALE).toString()}${frac ? "." + frac : ""}`;
};

const variant = (v: object): string => {
  const k = Object.keys(v)[0] ?? "unknown";
  return k.charAt(0).toUpperCase() + k.slice(1);
};

export interface ChainReaderOptions {
  rpcUrl: string;
  commitment?: Commitment;
  identity: Uint8Array;
  dataDir: string;
  logger: Logger;
}

export class ChainReader {
  private readonly node: PublicKey;
  private readonly provider: AnchorProvider;
  private readonly connection: Connection;

  constructor(private readonly o: ChainReaderOptions) {
    this.node = nodeKey(new PublicKey(o.identity))[0];
    this.connection = new Connection(o.rpcUrl, { commitment: o.commitment ?? "confirmed", disableRetryOnRateLimit: true });
    const readOnly = { publicKey: PublicKey.default, signTransaction: () => Promise.reject(new Error("read-only")), signAllTransactions: () => Promise.reject(new Error("read-only")) };
    this.provider = new AnchorProvider(this.connection, readOnly as unknown as Wallet, { commitment: o.commitment ?? "confirmed" });
  }

  get nodeAddress(): string {
    return this.node.toBase58();
  }

  async read(): Promise<ChainStatus> {
    const base: ChainStatus = {
      rpcUrl: this.o.rpcUrl, node: this.node.toBase58(), registered: false, status: null, reputation: null, operator: null, region: null, autoClaim: null,
      stake: null, epoch: null, rewards: null, readAt: Date.now(), error: null,
    };
    const registry = registryProgram(this.provider);
    const nodeAcc = await registry.account.nodeV0.fetchNullable(this.node);
    base.epoch = await this.epoch();
    if (!nodeAcc) return base;
    base.registered = true;
    base.status = variant(nodeAcc.status);
    base.reputation = nodeAcc.reputation;
    base.operator = nodeAcc.operator.toBase58();
    base.region = nodeAcc.region;
    base.autoClaim = (nodeAcc as unknown as { autoClaim?: boolean }).autoClaim ?? null;
    const stake = await stakingProgram(this.provider).account.stakeV0.fetchNullable(stakeKey(nodeAcc.operator)[0]);
    if (stake) base.stake = { bonded: formatAegis(BigInt(stake.amount.toString())), pendingUnstake: formatAegis(BigInt(stake.pendingUnstake.toString())), pendingSlashes: stake.pendingSlashes };
    const markers = await rewardsProgram(this.provider).account.claimMarkerV0.all([{ memcmp: { offset: CLAIM_NODE_OFFSET, bytes: this.node.toBase58() } }]);
    const claimedEpochs = new Set(markers.map((m) => m.account.epoch.toNumber()));
    const claimed = markers.reduce((a, m) => a + BigInt(m.account.amount.toString()), 0n);
    const pending = await this.pendingFromFiles(claimedEpochs);
    base.rewards = {
      claimed: formatAegis(claimed),
      claimedEpochs: claimedEpochs.size,
      pending: pending ? formatAegis(pending.amount) : null,
      pendingEpochs: pending ? pending.epochs : null,
    };
    return base;
  }

  private async epoch(): Promise<ChainStatus["epoch"]> {
    const cfg = await tokenProgram(this.provider).account.tokenConfigV0.fetchNullable(tokenConfigKey()[0]);
    const clock = await this.connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY);
    if (!cfg || !clock) return null;
    const now = Number(clock.data.readBigInt64LE(32));
    const genesis = cfg.genesisTs.toNumber();
    const len = cfg.epochLengthSecs.toNumber();
    const current = Math.max(0, Math.floor((now - genesis) / len));
    return { current, endsAt: (genesis + (current + 1) * len) * 1000, lengthSecs: len };
  }

  /** Sum of this node's leaves in <dataDir>/rewards/*.json for epochs it has not claimed; undefined without files. */
  private async pendingFromFiles(claimed: Set<number>): Promise<{ amount: bigint; epochs: number } | undefined> {
    const dir = join(this.o.dataDir, "rewards");
    let files: string[];
    try {
      files = (await readdir(dir)).filter((f) => f.endsWith(".json"));
    } catch {
      return undefined;
    }
    let amount = 0n;
    const epochs = new Set<number>();
    const me = this.node.toBase58();
    for (const f of files) {
      try {
        const doc = JSON.parse(await readFile(join(dir, f), "utf8")) as unknown;
        for (const item of Array.isArray(doc) ? doc : [doc]) {
          const o = item as { epoch?: unknown; leaves?: unknown[]; node?: unknown; amount?: unknown };
          const epoch = Number(o.epoch);
          if (!Number.isInteger(epoch) || claimed.has(epoch)) continue;
          const leaves = Array.isArray(o.leaves) ? o.leaves : [o];
          for (const l of leaves as Array<{ node?: unknown; amount?: unknown }>) {
            if (String(l.node) !== me) continue;
            amount += BigInt(String(l.amount));
            epochs.add(epoch);
          }
        }
      } catch (err) {
        this.o.logger.warn({ file: f, err: (err as Error).message }, "dashboard: unreadable rewards file skipped");
      }
    }
    return { amount, epochs: epochs.size };
  }

  close(): void {
    closeWebSocket(this.connection);
  }
}
