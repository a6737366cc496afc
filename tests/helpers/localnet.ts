/**
 * Starts the real aegis-localnet binary (built by `cargo build -p aegis-localnet`) on free
 * loopback ports and stops it afterwards.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Connection, Keypair, LAMPORTS_PER_SOL, type Commitment } from "@solana/web3.js";
import { AnchorProvider, Wallet } from "@coral-xyz/anchor";
import { freePortPair } from "./ports.js";
import { closeWebSocket } from "../../sdk/src/connection.js";

export const repoRoot = new URL("../..", import.meta.url).pathname;
export const localnetBin = join(repoRoot, "target", "debug", "aegis-localnet");

export interface Localnet {
  rpcUrl: string;
  wsUrl: string;
  connection: Connection;
  /** Everything the binary printed on stdout so far. */
  output(): string;
  /** Sends a raw JSON-RPC request and returns the parsed response body. */
  rpc(body: unknown): Promise<unknown>;
  /** Dev-only warp of the slot and the Clock sysvar. */
  warp(args: { slots?: number; seconds?: number }): Promise<{ slot: number; unixTimestamp: number }>;
  /** Resolves once the chain has moved to a blockhash other than the current one. */
  nextBlockhash(): Promise<string>;
  /** A funded keypair. */
  fundedKeypair(sol?: number): Promise<Keypair>;
  provider(payer: Keypair): AnchorProvider;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface LocalnetOptions {
  ledger?: string;
  slotMs?: number;
  commitment?: Commitment;
}

export async function startLocalnet(opts: LocalnetOptions = {}): Promise<Localnet> {
  if (!existsSync(localnetBin)) throw new Error(`${localnetBin} is missing: run cargo build -p aegis-localnet`);
  const port = await freePortPair();
  const args = ["--rpc-port", String(port), "--slot-ms", String(opts.slotMs ?? 100)];
  if (opts.ledger) args.push("--ledger", opts.ledger);
  const child: ChildProcess = spawn(localnetBin, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`localnet not ready after 20 s\n${out}\n${err}`)), 20_000);
    const check = (): void => {
      if (out.includes("Ready in")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`localnet exited with ${code}\n${out}\n${err}`));
    });
  });

  const rpcUrl = `http://127.0.0.1:${port}`;
  const wsUrl = `ws://127.0.0.1:${port + 1}`;
  const commitment = opts.commitment ?? "confirmed";
  const connection = new Connection(rpcUrl, { commitment, wsEndpoint: wsUrl });
  const rpc = async (body: unknown): Promise<unknown> => {
    const res = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return res.json();
  };
  return {
    rpcUrl,
    wsUrl,
    connection,
    output: () => out,
    rpc,
    async warp(w) {
      const res = (await rpc({ jsonrpc: "2.0", id: 1, method: "aegisWarp", params: [w] })) as {
        result?: { slot: number; unixTimestamp: number };
        error?: { message: string };
      };
      if (!res.result) throw new Error(`warp failed: ${res.error?.message}`);
      return res.result;
    },
    async nextBlockhash() {
      const { blockhash } = await connection.getLatestBlockhash();
      for (let i = 0; i < 200; i++) {
        await new Promise((r) => setTimeout(r, 25));
        const next = (await connection.getLatestBlockhash()).blockhash;
        if (next !== blockhash) return next;
      }
      throw new Error("the blockhash did not change in 5 s");
    },
    async fundedKeypair(sol = 10) {
      const kp = Keypair.generate();
      const sig = await connection.requestAirdrop(kp.publicKey, sol * LAMPORTS_PER_SOL);
      const bh = await connection.getLatestBlockhash();
      await connection.confirmTransaction({ signature: sig, ...bh }, "confirmed");
      return kp;
    },
    provider(payer) {
      return new AnchorProvider(connection, new Wallet(payer), { commitment, preflightCommitment: commitment });
    },
    async stop(signal = "SIGTERM") {
      // Stop web3.js from reconnecting its websocket to a chain that is going away.
      closeWebSocket(connection);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
