/**
 * Keeper test fixtures: NATS (JetStream) and Redis from the runner's env vars or started here on
 * free loopback ports; registered, staked and activated nodes; report signers that use the edge
 * node's own report code; keeper config files and child processes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keypair, PublicKey, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import { stringify } from "smol-toml";
import { nodeKey, registry, registryProgram, staking, stakingProgram } from "../../sdk/src/index.js";
import { identityFromSeed, type NodeIdentity } from "../../node/src/identity.js";
import { emptyCounters, reportHash, REPORT_VERSION, signReport } from "../../node/src/analytics/report.js";
import { repoRoot, type Localnet } from "../helpers/localnet.js";
import { aegis, type Protocol } from "../protocol/setup.js";
import type { KeeperConfigInput } from "../../keepers/src/config.js";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const made: string[] = [];

/** A temp dir removed by `removeTempDirs()` (call it in the file's `after`). */
export function tempDir(prefix = "aegis-keeper-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export { natsService, redisService, type Service } from "../helpers/services.js";

export async function chainNow(net: Localnet): Promise<number> {
  const info = await net.connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY);
  return Number(info!.data.readBigInt64LE(32));
}

export interface TestNode {
  operator: Keypair;
  identityKp: Keypair;
  /** The edge node's identity object (node/src/identity.ts) for the same key. */
  identity: NodeIdentity;
  node: PublicKey;
  region: string;
}

/** Registers a node; with `activate`, stakes min_stake and activates it. */
export async function addNode(net: Localnet, proto: Protocol, o: { region: string; activate: boolean; autoClaim?: boolean }): Promise<TestNode> {
  const operator = await net.fundedKeypair(5);
  const identityKp = Keypair.generate();
  const [node] = nodeKey(identityKp.publicKey);
  const reg = registryProgram(net.provider(operator));
  await registry
    .registerNode(reg, { operator: operator.publicKey, identity: identityKp.publicKey, metadataCid: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", region: o.region, capabilities: 31 })
    .signers([identityKp])
    .rpc();
  if (o.autoClaim) {
    await reg.methods.updateNode({ metadataCid: null, region: null, capabilities: null, rewardDestination: null, autoClaim: true }).accountsPartial({ operator: operator.publicKey, node }).rpc();
  }
  if (o.activate) {
    const src = await proto.fund(operator.publicKey, aegis(1_000));
    const st = stakingProgram(net.provider(operator));
    await staking.stake(st, { operator: operator.publicKey, source: src, amount: aegis(1_000) }).rpc();
    await staking.activateNode(st, { operator: operator.publicKey, node }).rpc();
  }
  return { operator, identityKp, identity: identityFromSeed(identityKp.secretKey.subarray(0, 32)), node, region: o.region };
}

/** Signs a node's successive reports with node/src/analytics/report.ts (sequence and hash chain). */
export class ReportSigner {
  sequence = 0n;
  prevHash: Uint8Array = new Uint8Array(32);
  lastEndMs = 0n;

  constructor(readonly identity: NodeIdentity) {}

  /** The next report of the chain: `requests` requests and `bytes` bytes on one zone over [startMs, endMs]. */
  next(startMs: number, endMs: number, requests: bigint, bytes: bigint, domain = "shop.example.com"): Uint8Array {
    const c = emptyCounters();
    c.requests = requests;
    c.bytesOut = bytes;
    c.status[1] = requests;
    const out = signReport(
      { version: REPORT_VERSION, nodePublicKey: this.identity.publicKey, sequence: this.sequence, prevHash: this.prevHash, intervalStartMs: BigInt(startMs), intervalEndMs: BigInt(endMs), zones: new Map([[domain, c]]) },
      (m) => this.identity.sign(m),
    );
    this.sequence += 1n;
    this.prevHash = reportHash(out);
    this.lastEndMs = BigInt(endMs);
    return out;
  }
}

export function writeKeypair(dir: string, kp: Keypair, name: string): string {
  const p = join(dir, `${name}.json`);
  writeFileSync(p, JSON.stringify([...kp.secretKey]));
  return p;
}

export function writeConfig(dir: string, cfg: KeeperConfigInput, name = "keeper.toml"): string {
  const p = join(dir, name);
  writeFileSync(p, stringify(cfg as Record<string, unknown>));
  return p;
}

export interface KeeperProcess {
  child: ChildProcess;
  url: Promise<string>;
  output(): string;
  stdout(): string;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** `node --import tsx keepers/src/main.ts <args>` as a real child process. */
export function spawnKeeper(args: string[], env: NodeJS.ProcessEnv = {}): KeeperProcess {
  const child = spawn(process.execPath, ["--import", "tsx", join(repoRoot, "keepers/src/main.ts"), ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  let out = "";
  let resolveUrl: (u: string) => void;
  let rejectUrl: (e: Error) => void;
  const url = new Promise<string>((res, rej) => {
    resolveUrl = res;
    rejectUrl = rej;
  });
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
    const m = /listening on (http:\/\/\S+)/.exec(err);
    if (m) resolveUrl(m[1]!);
  });
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  void exited.then((code) => rejectUrl(new Error(`keeper exited with ${code}\n${err.slice(-4000)}`)));
  return {
    child,
    url,
    output: () => err,
    stdout: () => out,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  return (await r.json()) as T;
}

/** Value of a Prometheus sample in a /metrics text, summed over the children matching `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const kv of (m[3] ?? "").split(",").filter(Boolean)) {
      const [k, v] = kv.split("=");
      got[k!] = v!.replace(/^"|"$/g, "");
    }
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) sum += Number(m[4]);
  }
  return sum;
}

export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000, every = 200): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await sleep(every);
  }
}
