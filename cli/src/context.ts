/**
 * Per-invocation context: resolved cluster, wallet, Anchor programs and output, built lazily
 * from the global flags over the CLI config file (so `aegis config` never needs a keypair).
 */
import { AnchorProvider, Wallet } from "@coral-xyz/anchor";
import { Connection, type Commitment, type Keypair, type PublicKey } from "@solana/web3.js";
import { registryProgram, rewardsProgram, stakingProgram, tokenProgram } from "../../sdk/src/index.js";
import { resolveCluster } from "./cluster.js";
import { defaultConfigPath, loadCliConfig } from "./config.js";
import { DEFAULT_KEYPAIR, loadKeypair } from "./keypair.js";
import { Output } from "./output.js";
import type { CliConfig, GlobalOptions } from "./types.js";

export class Context {
  readonly out: Output;
  readonly configPath: string;
  private cfg: CliConfig | undefined;
  private kp: Keypair | undefined;
  private conn: Connection | undefined;
  private prov: AnchorProvider | undefined;

  constructor(readonly opts: GlobalOptions) {
    this.out = new Output(opts.json === true);
    this.configPath = opts.config ?? defaultConfigPath();
    if (opts.cluster !== undefined) resolveCluster(opts.cluster); // an unknown cluster fails before anything else
  }

  get config(): CliConfig {
    return (this.cfg ??= loadCliConfig(this.configPath));
  }

  get rpcUrl(): string {
    return resolveCluster(this.opts.cluster ?? this.config.cluster ?? "localnet");
  }

  get commitment(): Commitment {
    return this.opts.commitment ?? this.config.commitment ?? "confirmed";
  }

  get keypairPath(): string {
    return this.opts.keypair ?? this.config.keypair ?? DEFAULT_KEYPAIR;
  }

  get wallet(): Keypair {
    return (this.kp ??= loadKeypair(this.keypairPath));
  }

  get walletKey(): PublicKey {
    return this.wallet.publicKey;
  }

  get connection(): Connection {
    return (this.conn ??= new Connection(this.rpcUrl, { commitment: this.commitment, disableRetryOnRateLimit: true }));
  }

  get provider(): AnchorProvider {
    return (this.prov ??= new AnchorProvider(this.connection, new Wallet(this.wallet), { commitment: this.commitment, preflightCommitment: this.commitment }));
  }

  /** A read-only provider (no keypair needed) for commands that only read. */
  get reader(): AnchorProvider {
    const dummy = { publicKey: undefined, signTransaction: () => Promise.reject(new Error("read-only")), signAllTransactions: () => Promise.reject(new Error("read-only")) };
    return this.prov ?? new AnchorProvider(this.connection, dummy as unknown as Wallet, { commitment: this.commitment });
  }

  registry(readOnly = false) {
    return registryProgram(readOnly ? this.reader : this.provider);
  }
  staking(readOnly = false) {
    return stakingProgram(readOnly ? this.reader : this.provider);
  }
  rewards(readOnly = false) {
    return rewardsProgram(readOnly ? this.reader : this.provider);
  }
  token(readOnly = false) {
    return tokenProgram(readOnly ? this.reader : this.provider);
  }
}
