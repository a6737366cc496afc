/**
 * Sync bench: propagation p50/p99 across 3 node processes on a real nats-server, and CRDT merge
 * throughput in one process. Prints a markdown section; bench/sync.sh records it in docs/BENCHMARKS.md.
 */
import { availableParallelism, cpus } from "node:os";
import { writeFileSync } from "node:fs";
import { DistributedRateLimiter } from "../../node/src/sync/rate-limiter.js";
import { PNCounter } from "../../node/src/sync/crdt/pncounter.js";
import { decodeCounterMessage, encodeCounterMessage, type CounterMessage } from "../../node/src/sync/counter-codec.js";
import { SyncCluster, sleep } from "../../tests/sync/fixtures/cluster.js";

const natsUrl = process.env.AEGIS_BENCH_NATS_URL;
const out = process.env.AEGIS_BENCH_OUT;
if (!natsUrl || !out) throw new Error("run through bench/sync.sh");

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const FLUSH_MS = 5;
const cluster = new SyncCluster(natsUrl, [
  { name: "A", zones: ["shop.example"] },
  { name: "B", zones: ["shop.example"] },
  { name: "C", zones: ["shop.example"] },
], FLUSH_MS);
const lines: string[] = [];
try {
  await cluster.start();
  const [A, B, C] = ["A", "B", "C"].map((n) => cluster.node(n));
  const rule = { requests: 1_000_000, windowSecs: 3600, burst: 0 };
  // warm-up
  await A!.call("hit", { zone: "shop.example", ip: "198.51.100.1", count: 200, intervalMs: 1, rule });
  await sleep(200);
  await Promise.all([B!.call("lags"), C!.call("lags")]);

  // counter deltas: 1500 admissions on A at ~1 ms spacing, each flush is one delta message
  const hits = 1500;
  await A!.call("hit", { zone: "shop.example", ip: "198.51.100.2", count: hits, intervalMs: 1, rule });
  // signed threat events: 300 from A, 5 ms apart
  for (let i = 0; i < 300; i++) {
    await A!.call("threat", { ip: `10.9.${i >> 8}.${i & 255}`, ttlSecs: 600, reason: "bench" });
    await sleep(5);
  }
  await sleep(300);
  const lags = [...(await B!.call<{ kind: string; ms: number }[]>("lags")), ...(await C!.call<{ kind: string; ms: number }[]>("lags"))];
  const by = (k: string) => lags.filter((l) => l.kind === k).map((l) => l.ms).sort((a, b) => a - b);
  const rl = by("rl");
  const th = by("threat");

  // merges per second (in process): remote deltas of 100 entries from 2 peers joined into a limiter
  const now = Date.now();
  const mk = (node: string, base: number): CounterMessage => ({
    v: 1, from: node, sentAt: 0, zone: "shop.example",
    groups: [{ node, entries: Array.from({ length: 100 }, (_, i) => [`10.0.${i >> 8}.${i & 255}`, 60, Math.floor(now / 60_000), base + i, 0] as [string, number, number, number, number]) }],
  });
  const limiter = new DistributedRateLimiter({ nodeId: "self", now: () => now });
  const msgs = Array.from({ length: 200 }, (_, k) => mk(k % 2 ? "peer1" : "peer2", k));
  let merged = 0;
  let t0 = performance.now();
  while (performance.now() - t0 < 1000) for (const m of msgs) merged += limiter.applyRemote(m);
  const limiterMergesPerSec = merged / ((performance.now() - t0) / 1000);
  const wire = msgs.map(encodeCounterMessage);
  merged = 0;
  t0 = performance.now();
  while (performance.now() - t0 < 1000) for (const w of wire) merged += limiter.applyRemote(decodeCounterMessage(w));
  const wireMergesPerSec = merged / ((performance.now() - t0) / 1000);
  const a = new PNCounter();
  const deltas = Array.from({ length: 1000 }, (_, i) => ({ p: { [`n${i % 16}`]: i }, n: {} }));
  let joins = 0;
  t0 = performance.now();
  while (performance.now() - t0 < 1000) for (const d of deltas) (a.merge(d), joins++);
  const pnJoinsPerSec = joins / ((performance.now() - t0) / 1000);

  const cores = availableParallelism();
  const f = (x: number) => x.toFixed(2);
  lines.push(
    `### Distributed state (sync) — \`bench/sync.sh\``,
    ``,
    `Machine: ${cores} cores (${cpus()[0]?.model.trim() ?? "?"}), nats-server on loopback, 3 node processes (child processes of the bench), ${new Date().toISOString().slice(0, 10)}.`,
    `Propagation = publish on node A → applied on node B / C (both directions measured on one host clock).`,
    ``,
    `| metric | samples | p50 | p99 | max |`,
    `|---|---|---|---|---|`,
    `| counter delta propagation, flush → merged (ms; batching adds ≤ ${FLUSH_MS} ms) | ${rl.length} | ${f(pct(rl, 50))} | ${f(pct(rl, 99))} | ${f(rl.at(-1) ?? NaN)} |`,
    `| signed threat event, timestamp → applied, incl. sign + verify (ms; ts has 1 ms resolution) | ${th.length} | ${f(pct(th, 50))} | ${f(pct(th, 99))} | ${f(th.at(-1) ?? NaN)} |`,
    ``,
    `| merges per second (1 core, in process) | value |`,
    `|---|---|`,
    `| PN-Counter delta joins | ${Math.round(pnJoinsPerSec).toLocaleString("en-US")} |`,
    `| limiter: remote entries joined (decoded messages of 100 entries) | ${Math.round(limiterMergesPerSec).toLocaleString("en-US")} |`,
    `| limiter: remote entries joined incl. JSON decode + validation | ${Math.round(wireMergesPerSec).toLocaleString("en-US")} |`,
    ``,
  );
} finally {
  await cluster.stop();
}
writeFileSync(out, lines.join("\n") + "\n");
console.log(lines.join("\n"));
