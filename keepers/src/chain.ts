/**
 * The keeper's view of the chain: Anchor clients for the four programs, the chain clock and epoch
 * arithmetic, and one `send` through which every transaction goes (dry-run, priority fee, retries).
 */
import { readFileSync } from "node:fs";
import { AnchorError, AnchorProvider, Wallet, type Program } from "@coral-xyz/anchor";
import { ComputeBudgetProgram, Connection, Keypair, PublicKey, SYSVAR_CLOCK_PUBKEY, SystemProgram, type Transaction, type TransactionInstruction } from "@solana/web3.js";
import {
  IDLS,
  emissionKey,
  registryConfigKey,
  registryProgram,
  rewardEpochKey,
  rewardsProgram,
  stakeKey,
  stakingConfigKey,
  stakingProgram,
  tokenConfigKey,
  tokenProgram,
  type Registry,
  type Rewards,
  type Staking,
  type Token,
} from "../../sdk/src/index.js";
import { ChainError, ConfigError, ProgramRefusedError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { KeeperMetrics } from "./metrics.js";
import { withRetry } from "./retry.js";
import type { PlannedTx, Role } from "./types.js";

export function loadKeypair(path: string): Keypair {
  let bytes: unknown;
  try {
    bytes = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ConfigError(`cannot read keypair ${path}: ${(err as Error).message}`);
  }
  if (!Array.isArray(bytes) || bytes.length !== 64) throw new ConfigError(`${path}: expected a Solana keypair (JSON array of 64 bytes)`);
  return Keypair.fromSecretKey(Uint8Array.from(bytes as number[]));
}

/** The builder shape of Anchor's MethodsBuilder that `send` needs. */
export interface TxBuilder {
  preInstructions(ixs: TransactionInstruction[]): TxBuilder;
  transaction(): Promise<Transaction>;
}

export interface SendOptions {
  retries: number;
  backoffMs: number;
  priorityFeeMicroLamports: number;
  dryRun: boolean;
  /** Where --dry-run writes the planned transactions (one JSON line each). */
  dryRunSink: (tx: PlannedTx) => void;
}

export type NodeStatusName = "registered" | "active" | "jailed" | "exiting" | "exited";

export interface NodeInfo {
  address: string;
  operator: string;
  identity: string;
  region: string;
  capabilities: number;
  status: NodeStatusName;
  reputation: number;
  rewardDestination: string;
  /** NodeV0.auto_claim once the field is in the IDL; undefined before. */
  autoClaim: boolean | undefined;
  /** Bonded stake behind the node: its operator's StakeV0.amount / bonded nodes (0 without a stake account). */
  stake: bigint;
}

/** An operator's bonded stake split evenly over the nodes it bonds. */
export function stakePerNode(s: { amount: { toString(): string }; bondedNodes: number } | null | undefined): bigint {
  if (!s) return 0n;
  return BigInt(s.amount.toString()) / BigInt(Math.max(1, s.bondedNodes));
}

export interface TokenTiming {
  genesisTs: number;
  epochLengthSecs: number;
}

/** Program error names the caller treats as "already done" (idempotency by on-chain state). */
export const ALREADY_DONE = new Set(["EpochAlreadyMinted", "AlreadySubmitted", "AlreadyAccepted", "AlreadyClaimed"]);

export function programErrorName(err: unknown): string | undefined {
  if (err instanceof TransactionFailed) return err.programError;
  if (err instanceof AnchorError) return err.error.errorCode.code;
  const e = err as { error?: { errorCode?: { code?: string } }; logs?: string[]; message?: string };
  if (e?.error?.errorCode?.code) return e.error.errorCode.code;
  const text = `${e?.message ?? ""}\n${(e?.logs ?? []).join("\n")}`;
  if (/already in use/.test(text)) return "AccountInUse";
  const m = /Error Code: (\w+)/.exec(text);
  if (m) return m[1];
  if (/custom program error: 0x/.test(text)) return "CustomProgramError";
  return undefined;
}

export function nodeFromAccount(address: PublicKey, a: Awaited<ReturnType<Program<Registry>["account"]["nodeV0"]["fetch"]>>, stake = 0n): NodeInfo {
  const status = Object.keys(a.status)[0] as NodeStatusName;
  const maybe = a as unknown as { autoClaim?: unknown };
  return {
    address: address.toBase58(),
    operator: a.operator.toBase58(),
    identity: a.identity.toBase58(),
    region: a.region,
    capabilities: a.capabilities,
    status,
    reputation: a.reputation,
    rewardDestination: a.rewardDestination.toBase58(),
    autoClaim: typeof maybe.autoClaim === "boolean" ? maybe.autoClaim : undefined,
    stake,
  };
}

export class Chain {
  readonly connection: Connection;
  readonly provider: AnchorProvider;
  readonly registry: Program<Registry>;
  readonly token: Program<Token>;
  readonly staking: Program<Staking>;
  readonly rewards: Program<Rewards>;
  private timing: TokenTiming | undefined;

  constructor(
    rpcUrl: string,
    readonly signer: Keypair,
    private readonly log: Logger,
    private readonly metrics: KeeperMetrics,
    private readonly opts: SendOptions,
  ) {
    this.connection = new Connection(rpcUrl, { commitment: "confirmed" });
    this.provider = new AnchorProvider(this.connection, new Wallet(signer), { commitment: "confirmed", preflightCommitment: "confirmed" });
    this.registry = registryProgram(this.provider);
    this.token = tokenProgram(this.provider);
    this.staking = stakingProgram(this.provider);
    this.rewards = rewardsProgram(this.provider);
  }

  /** Stops web3.js's websocket (used to confirm transactions) from reconnecting after shutdown. */
  close(): void {
    (this.connection as unknown as { _rpcWebSocket?: { close(): void } })._rpcWebSocket?.close();
  }

  get dryRun(): boolean {
    return this.opts.dryRun;
  }

  /** The chain's unix time (Clock sysvar), which localnet can warp. */
  async now(): Promise<number> {
    const info = await this.connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY);
    if (!info) throw new ChainError("no Clock sysvar");
    return Number(info.data.readBigInt64LE(32));
  }

  async tokenTiming(refresh = false): Promise<TokenTiming> {
    if (!this.timing || refresh) {
      const c = await this.token.account.tokenConfigV0.fetch(tokenConfigKey()[0]);
      this.timing = { genesisTs: c.genesisTs.toNumber(), epochLengthSecs: c.epochLengthSecs.toNumber() };
    }
    return this.timing;
  }

  /** Epoch containing unix second `ts` (−1 before genesis). */
  epochAt(t: TokenTiming, ts: number): number {
    return ts < t.genesisTs ? -1 : Math.floor((ts - t.genesisTs) / t.epochLengthSecs);
  }

  epochStart(t: TokenTiming, epoch: number): number {
    return t.genesisTs + epoch * t.epochLengthSecs;
  }

  async oracles(): Promise<{ oracles: string[]; quorum: number }> {
    const c = await this.registry.account.registryConfigV0.fetch(registryConfigKey()[0]);
    return { oracles: c.oracles.map((o) => o.toBase58()), quorum: c.quorum };
  }

  async stakingConfig() {
    return this.staking.account.stakingConfigV0.fetch(stakingConfigKey()[0]);
  }

  async nodes(): Promise<NodeInfo[]> {
    const [all, stakes] = await Promise.all([this.registry.account.nodeV0.all(), this.staking.account.stakeV0.all()]);
    const byOperator = new Map(stakes.map((s) => [s.account.operator.toBase58(), stakePerNode(s.account)]));
    return all.map((n) => nodeFromAccount(n.publicKey, n.account, byOperator.get(n.account.operator.toBase58()) ?? 0n));
  }

  async node(address: PublicKey): Promise<NodeInfo | undefined> {
    const a = await this.registry.account.nodeV0.fetchNullable(address);
    if (!a) return undefined;
    const s = await this.staking.account.stakeV0.fetchNullable(stakeKey(a.operator)[0]);
    return nodeFromAccount(address, a, stakePerNode(s));
  }

  async emission(epoch: number): Promise<bigint | undefined> {
    const e = await this.token.account.emissionV0.fetchNullable(emissionKey(epoch)[0]);
    return e ? BigInt(e.amount.toString()) : undefined;
  }

  async rewardEpoch(epoch: number) {
    return this.rewards.account.rewardEpochV0.fetchNullable(rewardEpochKey(epoch)[0]);
  }

  /**
   * Sends one instruction builder (or prints it with --dry-run). Program errors are not retried;
   * RPC and blockhash failures are, with exponential backoff, after checking that no earlier
   * attempt landed. Confirmation is polled over HTTP (getSignatureStatuses): a keeper needs no
   * websocket. Returns the signature, "dry-run", or throws ProgramRefusedError with the
   * program's error name.
   */
  async send(role: Role, action: string, args: Record<string, unknown>, build: () => TxBuilder, extraSigners: Keypair[] = []): Promise<string> {
    if (this.opts.dryRun) {
      this.opts.dryRunSink({ role, action, args });
      this.metrics.plannedTx.inc({ role, action });
      return "dry-run";
    }
    const pre = this.opts.priorityFeeMicroLamports > 0 ? [ComputeBudgetProgram.setComputeUnitPrice({ microLamports: this.opts.priorityFeeMicroLamports })] : [];
    const attempts: string[] = [];
    try {
      const sig = await withRetry(
        async () => {
          const landed = await this.landed(attempts);
          if (landed) return landed;
          let b = build();
          if (pre.length) b = b.preInstructions(pre);
          return this.sendAndConfirm(await b.transaction(), extraSigners, attempts);
        },
        {
          retries: this.opts.retries,
          backoffMs: this.opts.backoffMs,
          retryable: (err) => programErrorName(err) === undefined,
          onRetry: (err, attempt) => {
            this.metrics.txRetries.inc({ role, action });
            this.log.warn({ action, attempt, err: (err as Error).message }, "transaction failed; retrying");
          },
        },
      );
      this.metrics.txSent.inc({ role, action });
      this.log.info({ action, sig, ...args }, "transaction confirmed");
      return sig;
    } catch (err) {
      const code = programErrorName(err);
      this.metrics.txFailed.inc({ role, action, code: code ?? "transport" });
      if (code) throw new ProgramRefusedError(code, `${action}: ${code}`);
      throw new ChainError(`${action}: ${(err as Error).message}`);
    }
  }

  /** A signature among earlier attempts that is confirmed (a retry after a lost confirmation). */
  private async landed(sigs: string[]): Promise<string | undefined> {
    if (!sigs.length) return undefined;
    const st = await this.connection.getSignatureStatuses(sigs);
    const i = st.value.findIndex((v) => v && !v.err && (v.confirmationStatus === "confirmed" || v.confirmationStatus === "finalized"));
    return i >= 0 ? sigs[i] : undefined;
  }

  private async sendAndConfirm(tx: Transaction, extraSigners: Keypair[], attempts: string[]): Promise<string> {
    const { blockhash, lastValidBlockHeight } = await this.connection.getLatestBlockhash("confirmed");
    tx.recentBlockhash = blockhash;
    tx.feePayer = this.signer.publicKey;
    tx.sign(this.signer, ...extraSigners);
    const sig = await this.connection.sendRawTransaction(tx.serialize(), { preflightCommitment: "confirmed" });
    attempts.push(sig);
    for (;;) {
      const st = (await this.connection.getSignatureStatuses([sig])).value[0];
      if (st?.err) throw new TransactionFailed(sig, errorNameOf(tx, st.err));
      if (st && (st.confirmationStatus === "confirmed" || st.confirmationStatus === "finalized")) return sig;
      if ((await this.connection.getBlockHeight("confirmed")) > lastValidBlockHeight) throw new ChainError(`transaction ${sig} expired unconfirmed`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** A transaction that executed and failed (after preflight passed). */
export class TransactionFailed extends Error {
  constructor(
    readonly signature: string,
    readonly programError: string,
  ) {
    super(`transaction ${signature} failed: ${programError}`);
  }
}

/** The error name of `{ InstructionError: [index, { Custom: n }] }`, from the IDL of the program that raised it. */
export function errorNameOf(tx: Transaction, err: unknown): string {
  const ie = (err as { InstructionError?: [number, unknown] }).InstructionError;
  if (!ie) return JSON.stringify(err);
  const [index, detail] = ie;
  const custom = (detail as { Custom?: number }).Custom;
  const program = tx.instructions[index]?.programId;
  if (custom === undefined || !program) return typeof detail === "string" ? detail : JSON.stringify(detail);
  if (program.equals(SystemProgram.programId) && custom === 0) return "AccountInUse";
  for (const idl of Object.values(IDLS)) {
    if (idl.address !== program.toBase58()) continue;
    const e = (idl.errors as { code: number; name: string }[]).find((x) => x.code === custom);
    if (e) return e.name;
  }
  return `Custom${custom}`;
}
