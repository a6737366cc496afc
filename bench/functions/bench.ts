/**
 * Edge functions bench: per-request overhead of a no-op module and its throughput cost.
 *   1. The request phase called directly, one request at a time: p50/p99 µs of a no-op module
 *      (instantiate + run in a worker + round trip), against the same phase with no route.
 *   2. HTTP through a real edge node with wrk: the same zone without and with the no-op module.
 * Writes a markdown section to $AEGIS_BENCH_OUT.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pino from "pino";
import { cidOf } from "../../node/src/functions/cid.js";
import { EdgeFunctions } from "../../node/src/functions/index.js";
import type { EdgeRequest } from "../../node/src/phase.js";
import { zonePolicySchema } from "../../node/src/policy/schema.js";
import { startEdgeNode } from "../../node/src/server.js";
import { compileExample } from "../../tests/functions/helpers/compile.js";

const DIRECT_N = Number(process.env.AEGIS_BENCH_N ?? 20_000);
const WRK_SECS = Number(process.env.AEGIS_BENCH_SECS ?? 5);
const WRK_CONNS = 32;
const WRK_ROUNDS = Number(process.env.AEGIS_BENCH_ROUNDS ?? 5);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function request(i: number): EdgeRequest {
  return {
    id: `b${i}`,
    zone: "fn.bench",
    clientIp: "127.0.0.1",
    method: "GET",
    url: `/item/${i}?q=1`,
    httpVersion: "1.1",
    headers: { host: "fn.bench", "user-agent": "bench", accept: "*/*" },
    rawHeaderNames: ["Host", "User-Agent", "Accept"],
    body: undefined,
    tls: undefined,
    receivedAt: Date.now(),
  };
}

async function timePhase(fns: EdgeFunctions, policy: ReturnType<typeof zonePolicySchema.parse>, n: number): Promise<number[]> {
  for (let i = 0; i < 2000; i++) await fns.requestPhase.onRequest(request(i), policy);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const req = request(i);
    const t = process.hrtime.bigint();
    const v = await fns.requestPhase.onRequest(req, policy);
    out.push(Number(process.hrtime.bigint() - t) / 1000);
    if (v.kind !== "continue") throw new Error("no-op module answered");
  }
  return out.sort((a, b) => a - b);
}

// wrk runs as a child process while this process serves the node, origin and workers.
async function wrk(url: string, host: string): Promise<{ rps: number; p50: string; p99: string; errors: string }> {
  const { stdout: out } = await promisify(execFile)("wrk", ["-t1", `-c${WRK_CONNS}`, `-d${WRK_SECS}s`, "--latency", "-H", `Host: ${host}`, url], { encoding: "utf8" });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = /\s50%\s+(\S+)/.exec(out)?.[1] ?? "?";
  const p99 = /\s99%\s+(\S+)/.exec(out)?.[1] ?? "?";
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? "0";
  return { rps, p50, p99, errors };
}

const loadBefore = loadavg()[0]!;
const cacheDir = mkdtempSync(join(tmpdir(), "aegis-fn-bench-"));
const dataDir = mkdtempSync(join(tmpdir(), "aegis-fn-bench-node-"));
const log = pino({ level: "silent" });
try {
  const bytes = await compileExample("noop");
  const cid = await cidOf(bytes);
  writeFileSync(join(cacheDir, `${cid}.wasm`), bytes);
  const fns = await EdgeFunctions.start({ store: { cacheDir }, logger: log });

  const base = { policyVersion: 1, origins: [{ url: "http://127.0.0.1:1" }], cache: { enabled: false } };
  const withFn = zonePolicySchema.parse({ ...base, domain: "fn.bench", functions: [{ pattern: "/**", modules: [cid] }] });
  const without = zonePolicySchema.parse({ ...base, domain: "plain.bench" });
  await fns.preload(withFn);
  const none = await timePhase(fns, without, DIRECT_N);
  const noop = await timePhase(fns, withFn, DIRECT_N);

  // HTTP through the node.
  const origin = createServer((_req, res) => {
    res.setHeader("content-type", "text/plain");
    res.end("ok");
  });
  await new Promise<void>((r) => origin.listen(0, "127.0.0.1", r));
  const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  const zones = [
    { ...base, domain: "plain.bench", origins: [{ url: originUrl }] },
    { ...base, domain: "fn.bench", origins: [{ url: originUrl }], functions: [{ pattern: "/**", modules: [cid] }] },
  ];
  const { stringify } = await import("smol-toml");
  writeFileSync(join(dataDir, "zones.toml"), stringify({ zones }));
  const node = await startEdgeNode(
    {
      dataDir,
      listen: { http: "127.0.0.1:0", metrics: "127.0.0.1:0" },
      policy: { file: join(dataDir, "zones.toml") },
      analytics: { intervalSecs: 3600 },
      log: { level: "silent" },
      requestPhases: [fns.requestPhase],
      responsePhases: [fns.responsePhase],
    },
    { logger: log },
  );
  await wrk(`${node.httpUrl}/warm`, "fn.bench");
  // Alternate short runs and keep the median of each, so background load hits both alike.
  const plainRuns: Awaited<ReturnType<typeof wrk>>[] = [];
  const fnRuns: Awaited<ReturnType<typeof wrk>>[] = [];
  for (let round = 0; round < WRK_ROUNDS; round++) {
    plainRuns.push(await wrk(`${node.httpUrl}/item`, "plain.bench"));
    fnRuns.push(await wrk(`${node.httpUrl}/item`, "fn.bench"));
  }
  const median = (runs: typeof plainRuns) => [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]!;
  const httpPlain = median(plainRuns);
  const httpFn = median(fnRuns);
  const ratios = fnRuns.map((r, i) => r.rps / plainRuns[i]!.rps);
  await node.close();
  await fns.close();
  origin.close();

  const f = (n: number) => n.toFixed(0);
  const cores = availableParallelism();
  const section = `## Edge functions (\`bench/functions.sh\`)

Machine: ${cores} cores (\`nproc\`), ${cpus()[0]?.model ?? "unknown CPU"}; Node ${process.version}; ${fns.config.workers} function workers.
Load average (1 min) ${loadBefore.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end: the machine was shared with other jobs, so absolute numbers are noisy.

No-op AssemblyScript module (\`node/functions/examples/noop.ts\`, instrumented for fuel and a 50 MiB cap).
Each invocation instantiates the module afresh in a worker thread, runs \`on_request\` and returns the edits.

**Per-request overhead, request phase called directly** (${DIRECT_N} sequential requests):

| | p50 µs | p99 µs | mean µs |
|---|---:|---:|---:|
| zone without a function route | ${f(pct(none, 50))} | ${f(pct(none, 99))} | ${f(none.reduce((a, b) => a + b, 0) / none.length)} |
| no-op module | ${f(pct(noop, 50))} | ${f(pct(noop, 99))} | ${f(noop.reduce((a, b) => a + b, 0) / noop.length)} |

**Throughput through the edge node** (wrk, 1 thread, ${WRK_CONNS} connections; ${WRK_ROUNDS} alternating rounds of ${WRK_SECS} s per zone, median run shown; origin, node and wrk share the ${cores} cores; node cache off):

| zone | req/s | p50 | p99 | non-2xx |
|---|---:|---:|---:|---:|
| without functions | ${f(httpPlain.rps)} | ${httpPlain.p50} | ${httpPlain.p99} | ${httpPlain.errors} |
| no-op module on every request | ${f(httpFn.rps)} | ${httpFn.p50} | ${httpFn.p99} | ${httpFn.errors} |

Throughput with the no-op module: ${((httpFn.rps / httpPlain.rps) * 100).toFixed(0)} % of the zone without functions (median runs); per-round ratios ${ratios.map((r) => (r * 100).toFixed(0) + " %").join(", ")}.
`;
  process.stdout.write(section);
  if (process.env.AEGIS_BENCH_OUT) writeFileSync(process.env.AEGIS_BENCH_OUT, section);
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
}
