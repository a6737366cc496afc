/**
 * Keeper benchmarks (issue 5): signed usage reports verified per second on one core (the full
 * ingest decision: decode, Ed25519 against the registered key, status, sequence and hash chain),
 * and the oracle's epoch computation (formula + Merkle tree + canonical epoch report and its CID)
 * for 10k and 100k nodes. Prints a markdown section on stdout.
 */
import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import { PublicKey } from "@solana/web3.js";
import { computeEpochRewards, REWARD_SCALE, type NodeEpochInput } from "../../sdk/src/rewardsFormula.js";
import { generateIdentity } from "../../node/src/identity.js";
import { emptyCounters, reportHash, REPORT_VERSION, signReport } from "../../node/src/analytics/report.js";
import { checkReport } from "../../keepers/src/reportCheck.js";
import type { NodeInfo } from "../../keepers/src/chain.js";
import type { ChainHead } from "../../keepers/src/types.js";
import { buildEpochReport } from "../../keepers/src/epochReport.js";

const NODES = 50;
const PER_NODE = Number(process.env.REPORTS_PER_NODE ?? 200);
const ZONES = 5;

async function benchVerify(): Promise<{ n: number; secs: number; perSec: number }> {
  const ids = Array.from({ length: NODES }, generateIdentity);
  const infos = new Map<string, NodeInfo>(
    ids.map((id) => [id.address, { address: new PublicKey(randomBytes(32)).toBase58(), operator: "", identity: id.address, region: "eu", capabilities: 1, status: "active", reputation: 10_000, rewardDestination: "", autoClaim: undefined, stake: 1_000_000_000n }]),
  );
  const reports: Uint8Array[] = [];
  for (const id of ids) {
    let prev: Uint8Array = new Uint8Array(32);
    for (let s = 0; s < PER_NODE; s++) {
      const zones = new Map<string, ReturnType<typeof emptyCounters>>();
      for (let z = 0; z < ZONES; z++) {
        const c = emptyCounters();
        c.requests = BigInt(1000 + s);
        c.bytesOut = BigInt(1_000_000 * (z + 1));
        zones.set(`zone${z}.example.com`, c);
      }
      const r = signReport({ version: REPORT_VERSION, nodePublicKey: id.publicKey, sequence: BigInt(s), prevHash: prev, intervalStartMs: BigInt(1_700_000_000_000 + s * 60_000), intervalEndMs: BigInt(1_700_000_060_000 + s * 60_000), zones }, (m) => id.sign(m));
      prev = reportHash(r);
      reports.push(r);
    }
  }
  // Interleave nodes the way a stream delivers them.
  const order: Uint8Array[] = [];
  for (let s = 0; s < PER_NODE; s++) for (let i = 0; i < NODES; i++) order.push(reports[i * PER_NODE + s]!);
  const heads = new Map<string, ChainHead>();
  const timing = { genesisTs: 1_600_000_000, epochLengthSecs: 86_400 };
  const t0 = performance.now();
  let ok = 0;
  for (const r of order) {
    const d = await checkReport(r, async (id) => infos.get(id), (n) => heads.get(n), timing, 0);
    if (d.kind !== "accept") throw new Error(`unexpected ${d.kind}`);
    heads.set(d.report.node, { sequence: d.report.sequence, hash: d.report.hash, intervalEndMs: d.report.intervalEndMs });
    ok++;
  }
  const secs = (performance.now() - t0) / 1000;
  return { n: ok, secs, perSec: ok / secs };
}

async function benchEpoch(n: number): Promise<{ n: number; formulaSecs: number; reportSecs: number; leaves: number; bytes: number }> {
  const S = REWARD_SCALE;
  const nodes: NodeEpochInput[] = Array.from({ length: n }, (_, i) => ({
    node: new PublicKey(randomBytes(32)).toBase58(),
    destination: new PublicKey(randomBytes(32)).toBase58(),
    bytes: BigInt(1_000_000_000 + i * 7919),
    requests: BigInt(100_000 + i),
    reports: 1440,
    uptime: S - BigInt(i % 50) * 10n ** 9n,
    reputation: 10_000 - (i % 20) * 100,
    stake: 1_000_000_000n * BigInt(1 + (i % 9)),
    active: i % 97 !== 0,
  }));
  const t0 = performance.now();
  const r = computeEpochRewards({ epoch: 42, pool: 400_000_000_000n, nodes });
  const t1 = performance.now();
  const rep = await buildEpochReport(r, { genesisTs: 1_600_000_000, epochLengthSecs: 86_400 }, { reports: n * 1440, probes: n * 3 });
  const t2 = performance.now();
  return { n, formulaSecs: (t1 - t0) / 1000, reportSecs: (t2 - t1) / 1000, leaves: r.leaves.length, bytes: rep.bytes.length };
}

const v = await benchVerify();
const e10 = await benchEpoch(10_000);
const e100 = await benchEpoch(100_000);
const cpu = cpus()[0]?.model ?? "unknown";
const lines = [
  `## Keepers: report verification and epoch computation (${new Date().toISOString().slice(0, 10)}, bench/keepers.sh)`,
  "",
  `Machine: \`nproc\` = ${cpus().length} (${cpu}), Node ${process.version}; one process, one thread (numbers are per core). Load average before the run: ${process.env.LOADAVG ?? "n/a"}.`,
  "",
  `| measure | result |`,
  `|---|---|`,
  `| signed usage reports verified (full ingest decision: decode, Ed25519 against the registered key, status, sequence + hash chain; ${ZONES} zones per report, ${NODES} nodes interleaved) | **${Math.round(v.perSec).toLocaleString("en-US")} reports/s per core** (${v.n} reports in ${v.secs.toFixed(2)} s) |`,
  `| epoch computation, 10k nodes: formula + Merkle tree | ${e10.formulaSecs.toFixed(2)} s (${e10.leaves} leaves) |`,
  `| epoch report for 10k nodes: canonical JSON + sha256 CID | ${e10.reportSecs.toFixed(2)} s (${(e10.bytes / 1e6).toFixed(1)} MB) |`,
  `| epoch computation, 100k nodes: formula + Merkle tree | ${e100.formulaSecs.toFixed(2)} s (${e100.leaves} leaves) |`,
  `| epoch report for 100k nodes: canonical JSON + sha256 CID | ${e100.reportSecs.toFixed(2)} s (${(e100.bytes / 1e6).toFixed(1)} MB) |`,
  "",
  `At one report per node per minute, one core verifies the reports of about ${Math.round((v.perSec * 60) / 1000).toLocaleString("en-US")}k nodes in real time. Reading inputs from the store and the chain (getProgramAccounts of all NodeV0) is not included in the epoch times.`,
  "",
];
process.stdout.write(lines.join("\n"));
