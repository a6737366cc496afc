/**
 * `npm start`: a whole AEGIS network on this machine, in one terminal.
 *
 *   localnet (ledger in <dir>/ledger) → programs initialised, realm bootstrapped, demo operator
 *   with a staked Active node (first start only) → sample origin → edge node (chain policies,
 *   dashboard) → keepers (two oracles: ingest, prober, oracle; the first also cranks and slashes).
 *
 * Embedded defaults: no Redis or NATS (keepers read the node's report log); set AEGIS_NATS_URL /
 * AEGIS_REDIS_URL to use them. Ctrl-C stops everything; the next start reuses the ledger.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Connection } from "@solana/web3.js";
import { stringify } from "smol-toml";
import { request } from "undici";
import { ONE_AEGIS } from "../../sdk/src/index.js";
import { loadOrCreateKeypair } from "./keys.js";
import { startSampleOrigin } from "./origin.js";
import { Services, waitFor, type Service } from "./children.js";
import { ensureDemoNetwork, type DemoKeys } from "./demo.js";
import { keeperConfigs, oracleSet } from "./keepers.js";

const USAGE = `npm start [-- options]
  --dir DIR            state directory (ledger, keys, logs)      default .aegis
  --rpc-port N         localnet JSON-RPC port (WebSocket: N+1)   default 8899
  --http-port N        edge node HTTP port                       default 8080
  --admin-port N       edge node metrics / dashboard port        default 9090
  --origin-port N      sample origin port                        default 8081
  --keeper-port N      first keeper's /metrics port (next: N+1)  default 9464
  --epoch-secs N       reward epoch length on a fresh ledger     default 120
  --slot-ms N          localnet slot length                      default 100
  --help`;

const root = resolve(new URL("../..", import.meta.url).pathname);
const tsx = ["--import", "tsx"];

function options() {
  const { values } = parseArgs({
    options: {
      dir: { type: "string", default: ".aegis" },
      "rpc-port": { type: "string", default: "8899" },
      "http-port": { type: "string", default: "8080" },
      "admin-port": { type: "string", default: "9090" },
      "origin-port": { type: "string", default: "8081" },
      "keeper-port": { type: "string", default: "9464" },
      "epoch-secs": { type: "string", default: "120" },
      "slot-ms": { type: "string", default: "100" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    process.exit(0);
  }
  const port = (name: keyof typeof values) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new Error(`--${name}: not a port: ${String(values[name])}`);
    return n;
  };
  const epochSecs = Number(values["epoch-secs"]);
  if (!Number.isInteger(epochSecs) || epochSecs < 10) throw new Error(`--epoch-secs: an integer ≥ 10, got ${values["epoch-secs"]}`);
  const slotMs = Number(values["slot-ms"]);
  if (!Number.isInteger(slotMs) || slotMs < 10 || slotMs > 60_000) throw new Error(`--slot-ms: an integer in 10..60000, got ${values["slot-ms"]}`);
  return {
    slotMs,
    dir: resolve(values.dir!),
    rpcPort: port("rpc-port"),
    httpPort: port("http-port"),
    adminPort: port("admin-port"),
    originPort: port("origin-port"),
    keeperPort: port("keeper-port"),
    epochSecs,
  };
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const step = (line: string) => say(`  … ${line}`);

let services: Services | undefined;
let origin: Awaited<ReturnType<typeof startSampleOrigin>> | undefined;
let stopping = false;

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say("stopping AEGIS …");
  origin?.close();
  await services?.stopAll();
  say("stopped.");
  process.exit(code);
}

async function main(): Promise<void> {
  const o = options();
  mkdirSync(o.dir, { recursive: true });
  const rpcUrl = `http://127.0.0.1:${o.rpcPort}`;
  services = new Services(join(o.dir, "logs"), (s: Service, code) => {
    if (!stopping) {
      say(`!! ${s.name} exited (${code}); its log: ${s.logFile}`);
      void shutdown(1);
    }
  });
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  say(`AEGIS: starting a local network in ${o.dir}`);
  step(`localnet on ${rpcUrl}`);
  services.start("localnet", join(root, "target/debug/aegis-localnet"), ["--ledger", join(o.dir, "ledger"), "--rpc-port", String(o.rpcPort), "--slot-ms", String(o.slotMs)]);
  const connection = new Connection(rpcUrl, { commitment: "confirmed" });
  await waitFor("localnet", async () => (await connection.getVersion()) !== undefined, 60_000);

  const key = (name: string) => loadOrCreateKeypair(join(o.dir, "keys", `${name}.json`));
  const keys: DemoKeys = {
    deployer: key("deployer"),
    oracles: [key("oracle-1"), key("oracle-2"), key("oracle-3")],
    council: [key("council-1"), key("council-2"), key("council-3")],
    operator: key("operator"),
    nodeIdentity: loadOrCreateKeypair(join(o.dir, "node", "identity.json")),
    siteOwner: key("site-owner"),
  };
  const secretPath = join(o.dir, "keys", "canary-secret");
  if (!existsSync(secretPath)) writeFileSync(secretPath, randomBytes(32).toString("hex"), { mode: 0o600 });
  const canarySecret = readFileSync(secretPath, "utf8").trim();
  const demoDomain = "demo.aegis.localhost";
  const canaryDomain = "canary.aegis.localhost";
  const originUrl = `http://127.0.0.1:${o.originPort}`;

  // The origin and the edge node start while the chain is bootstrapped (the node picks its
  // zones up from its on-chain assignments as soon as they exist).
  step(`sample origin on ${originUrl}`);
  origin = await startSampleOrigin(o.originPort, canarySecret);

  step(`edge node on http://127.0.0.1:${o.httpPort}`);
  const nodeConfig = {
    nodeName: "aegis-demo",
    dataDir: join(o.dir, "node"),
    listen: { http: `127.0.0.1:${o.httpPort}`, metrics: `127.0.0.1:${o.adminPort}` },
    chain: { rpcUrl, reconcileSecs: 2 },
    analytics: { intervalSecs: 10, ...(process.env.AEGIS_NATS_URL ? { nats: { url: process.env.AEGIS_NATS_URL } } : {}) },
    ...(process.env.AEGIS_REDIS_URL ? { cache: { redis: { url: process.env.AEGIS_REDIS_URL } } } : {}),
  };
  // The dashboard lists pending rewards from epoch reports in <node dataDir>/rewards: on this
  // one-machine network that is the first oracle's own epoch directory.
  const rewardsLink = join(o.dir, "node", "rewards");
  if (!existsSync(rewardsLink)) {
    mkdirSync(join(o.dir, "keeper-1", "epochs"), { recursive: true });
    symlinkSync(join(o.dir, "keeper-1", "epochs"), rewardsLink);
  }
  const nodeToml = join(o.dir, "node.toml");
  writeFileSync(nodeToml, stringify(nodeConfig));
  services.start("edge-node", process.execPath, [...tsx, join(root, "node/src/main.ts"), "--config", nodeToml]);

  const state = await ensureDemoNetwork(
    connection,
    keys,
    { originUrl, demoDomain, canaryDomain, epochSecs: o.epochSecs, stake: 2_000n * ONE_AEGIS, quorum: oracleSet(process.env.AEGIS_NATS_URL).quorum },
    join(o.dir, "network.json"),
    step,
  );

  await waitFor("edge node", async () => (await fetch(`http://127.0.0.1:${o.adminPort}/healthz`)).ok, 60_000);
  await waitFor(`zone ${demoDomain} on the edge node`, async () => {
    // An uncached route, so the first `curl /` below is still a cache MISS.
    const res = await request(`http://127.0.0.1:${o.httpPort}/api/time`, { headers: { host: demoDomain } });
    await res.body.dump();
    return res.statusCode === 200;
  }, 60_000);

  const keeperFiles = keeperConfigs({
    dir: o.dir,
    rpcUrl,
    keeperPort: o.keeperPort,
    nodeAddress: state.node,
    nodeEndpoint: `http://127.0.0.1:${o.httpPort}`,
    canaryDomain,
    canarySecret,
    reportDir: join(o.dir, "node", "reports"),
    natsUrl: process.env.AEGIS_NATS_URL,
    redisUrl: process.env.AEGIS_REDIS_URL,
  });
  for (const [i, file] of keeperFiles.entries()) {
    step(`keeper ${i + 1} (/metrics on http://127.0.0.1:${o.keeperPort + i}/metrics)`);
    services.start(`keeper-${i + 1}`, process.execPath, [...tsx, join(root, "keepers/src/main.ts"), "--config", file]);
  }
  for (const [i] of keeperFiles.entries()) {
    await waitFor(`keeper ${i + 1}`, async () => (await fetch(`http://127.0.0.1:${o.keeperPort + i}/healthz`)).ok, 60_000);
  }

  const proxy = `http://127.0.0.1:${o.httpPort}`;
  say("");
  say("AEGIS is up.");
  say(`  edge node (proxy)   ${proxy}   zones: ${state.zones.join(", ")}`);
  say(`  dashboard           http://127.0.0.1:${o.adminPort}/dashboard`);
  say(`  node metrics        http://127.0.0.1:${o.adminPort}/metrics`);
  say(`  Solana RPC          ${rpcUrl}  (WebSocket ws://127.0.0.1:${o.rpcPort + 1})`);
  say(`  realm               ${state.realm}  (governances: ${Object.entries(state.governances).map(([k, v]) => `${k} ${v}`).join(", ")})`);
  say(`  demo node           ${state.node}  (operator key ${join(o.dir, "keys", "operator.json")})`);
  say(`  token metadata      ${state.metadata}`);
  say(`  logs                ${join(o.dir, "logs")}`);
  say("");
  say("Try:");
  say(`  curl -sI -H 'Host: ${demoDomain}' ${proxy}/ | grep -i x-aegis-cache     # MISS, then HIT`);
  say(`  curl -s -H 'Host: ${demoDomain}' ${proxy}/api/time`);
  say(`  curl -s http://127.0.0.1:${o.adminPort}/metrics | grep aegis_`);
  const cli = `node --import tsx cli/src/main.ts --cluster ${rpcUrl} --keypair ${join(o.dir, "keys", "operator.json")}`;
  say(`  ${cli} node status`);
  say(`  ${cli} rewards show --claims ${join(o.dir, "keeper-1", "epochs")}/<epoch>.json   # after an epoch`);
  say("Ctrl-C stops everything; the next start reuses the ledger.");
}

main().catch((err: Error) => {
  process.stderr.write(`aegis up: ${err.message}\n`);
  void shutdown(1);
});
