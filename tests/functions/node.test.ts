/**
 * Edge functions through a real edge node: modules compiled from AssemblyScript during the
 * run, published to a local stand-in for an IPFS gateway, loaded by CID, and run on real
 * requests from a real origin.
 */
import { expect } from "chai";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { FunctionRoute, ZonePolicyInput } from "../../node/src/policy/schema.js";
import { ConfigModuleRegistry, EdgeFunctions, cidOf } from "../../node/src/functions/index.js";
import { startOrigin, startTestNode, zoneFor, type TestNode, type TestOrigin } from "../helpers/edge.js";
import { compileExample } from "./helpers/compile.js";
import { startGateway, type TestGateway } from "./helpers/gateway.js";

const ZONE = "fn.test";
const versioned = (n: number) => (src: string) => src.replace("MODULE_VERSION: i32 = 1", `MODULE_VERSION: i32 = ${n}`);

interface LogLine {
  msg: string;
  code?: string;
  fuelUsed?: number;
  err?: string;
  module?: string;
}

describe("edge functions through the node", function () {
  this.timeout(120_000);

  let gateway: TestGateway;
  let origin: TestOrigin;
  let api: Server;
  let apiPort: number;
  let fns: EdgeFunctions;
  let node: TestNode;
  let registry: ConfigModuleRegistry;
  let cacheDir: string;
  const logs: LogLine[] = [];
  const cids: Record<string, string> = {};

  before(async () => {
    const names = ["noop", "header-rewrite", "block-403", "body-transform", "cache-counter", "fetch-upstream", "infinite-loop", "memory-bomb"];
    gateway = await startGateway();
    for (const name of names) cids[name] = await gateway.publish(await compileExample(name));
    cids["v1"] = await gateway.publish(await compileExample("versioned", versioned(1)));
    cids["v2"] = await gateway.publish(await compileExample("versioned", versioned(2)));
    // fetch-upstream, but calling fetch five times (one over the per-invocation limit).
    const fetchFive = (src: string) => src.replace("const r = fetch(url);", "for (let i = 0; i < 4; i++) fetch(url);\n  const r = fetch(url);");
    cids["fetch5"] = await gateway.publish(await compileExample("fetch-upstream", fetchFive));
    // The CID of some other bytes; the gateway answers it with the noop module instead.
    cids["forged"] = await cidOf(new TextEncoder().encode("not the module"));
    gateway.serveWrong(cids["forged"]!, await compileExample("noop"));

    origin = await startOrigin((req, res, body) => {
      if (req.url?.startsWith("/text")) {
        res.setHeader("content-type", "text/plain");
        res.end("hello from origin");
        return;
      }
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ url: req.url, headers: req.headers, body: body.toString() }));
    });
    api = createServer((_req, res) => res.end("api says hi"));
    await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
    apiPort = (api.address() as AddressInfo).port;

    registry = ConfigModuleRegistry.fromToml(`
[[module]]
zone = "${ZONE}"
name = "versioned"
owner = "ops"
versions = [{ version = 1, cid = "${cids["v1"]}" }]
`);
    cacheDir = mkdtempSync(join(tmpdir(), "aegis-fn-cache-"));
    const logger = pino({ level: "info" }, { write: (s: string) => void logs.push(JSON.parse(s) as LogLine) });
    fns = await EdgeFunctions.start({ store: { gateways: [gateway.url], cacheDir }, registry, logger, runtime: { workers: 2 } });

    const route = (pattern: string, modules: string[], extra: Partial<FunctionRoute> = {}) => ({ pattern, modules, ...extra });
    const zone: ZonePolicyInput = zoneFor(ZONE, origin, {
      cache: { enabled: false },
      functions: [
        route("/rewrite/*", [cids["header-rewrite"]!], { methods: ["GET"] }),
        route("/admin/**", [cids["block-403"]!], { failMode: "closed" }),
        route("/text/*", [cids["body-transform"]!]),
        route("/counter/*", [cids["cache-counter"]!]),
        route("/fetch", [cids["fetch-upstream"]!], { fetchAllow: [`127.0.0.1:${apiPort}`], fetchTimeoutMs: 500 }),
        route("/fetch5", [cids["fetch5"]!], { fetchAllow: [`127.0.0.1:${apiPort}`] }),
        route("/loop", [cids["infinite-loop"]!], { failMode: "closed" }),
        route("/loop-open", [cids["infinite-loop"]!, cids["header-rewrite"]!]),
        route("/loop-timeout", [cids["infinite-loop"]!], { failMode: "closed", fuel: 1_000_000_000, timeoutMs: 50 }),
        // Touching 50 MiB takes longer than the default 50 ms on a small VM: give the bomb time to reach the cap.
        route("/bomb", [cids["memory-bomb"]!], { failMode: "closed", timeoutMs: 3000 }),
        route("/forged", [cids["forged"]!], { failMode: "closed" }),
        route("re:^/v/[a-z0-9]+$", ["versioned"], { failMode: "closed" }),
        route("/chain/**", [cids["header-rewrite"]!, cids["body-transform"]!, cids["noop"]!]),
      ],
    });
    node = await startTestNode({
      zones: [zone],
      config: { requestPhases: [fns.requestPhase], responsePhases: [fns.responsePhase] },
    });
  });

  after(async () => {
    await node?.close();
    await fns?.close();
    await origin?.close();
    await gateway?.close();
    await new Promise<void>((r) => (api ? api.close(() => r()) : r()));
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  it("rewrites request headers to the origin and adds response headers", async () => {
    const r = await node.get("/rewrite/a", { headers: { "user-agent": "agent-7", "x-internal-token": "secret" } });
    expect(r.status).to.equal(200);
    expect(r.headers["x-served-by-function"]).to.equal("header-rewrite");
    const seen = JSON.parse(r.text) as { headers: Record<string, string> };
    expect(seen.headers["x-edge-user-agent"]).to.equal("agent-7");
    expect(seen.headers["x-edge-function"]).to.equal("header-rewrite");
    expect(seen.headers).to.not.have.property("x-internal-token");
  });

  it("only runs a route for its methods", async () => {
    const r = await node.get("/rewrite/a", { method: "POST", body: "x", headers: { "x-internal-token": "kept" } });
    expect(r.status).to.equal(200);
    expect(r.headers["x-served-by-function"]).to.equal(undefined);
    expect((JSON.parse(r.text) as { headers: Record<string, string> }).headers["x-internal-token"]).to.equal("kept");
  });

  it("answers 403 early without contacting the origin", async () => {
    const before = origin.requests.length;
    const r = await node.get("/admin/users/1");
    expect(r.status).to.equal(403);
    expect(r.text).to.equal("forbidden by edge function\n");
    expect(origin.requests.length).to.equal(before);
    const ok = await node.get("/admin/users/1", { headers: { "x-admin-key": "let-me-in" } });
    expect(ok.status).to.equal(200);
    expect(origin.requests.length).to.equal(before + 1);
  });

  it("transforms the origin's body", async () => {
    const r = await node.get("/text/greeting");
    expect(r.status).to.equal(200);
    expect(r.text).to.equal("HELLO FROM ORIGIN");
    expect(r.headers["x-body-transformed"]).to.equal("upper");
    expect(r.headers["content-length"]).to.equal(String("HELLO FROM ORIGIN".length));
  });

  it("runs a chain of modules in order", async () => {
    origin.setHandler((req, res) => {
      res.setHeader("content-type", "text/plain");
      res.end(`edge header: ${req.headers["x-edge-function"]}`);
    });
    try {
      const r = await node.get("/chain/x/y");
      expect(r.text).to.equal("EDGE HEADER: HEADER-REWRITE");
      expect(r.headers["x-served-by-function"]).to.equal("header-rewrite");
    } finally {
      origin.setHandler((req, res, body) => {
        if (req.url?.startsWith("/text")) {
          res.setHeader("content-type", "text/plain");
          res.end("hello from origin");
          return;
        }
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ url: req.url, headers: req.headers, body: body.toString() }));
      });
    }
  });

  it("keeps state in the zone cache across requests and workers", async () => {
    const counts: string[] = [];
    for (let i = 0; i < 4; i++) counts.push((await node.get("/counter/page")).text);
    expect(counts).to.deep.equal(["hits=1\n", "hits=2\n", "hits=3\n", "hits=4\n"]);
    expect((await node.get("/counter/other")).text).to.equal("hits=1\n");
  });

  it("fetches from an allow-listed host and is refused for any other", async () => {
    const allowed = await node.get("/fetch", { headers: { "x-fetch-url": `http://127.0.0.1:${apiPort}/x` } });
    expect(allowed.text).to.equal("fetched 200 api says hi");
    const other = await node.get("/fetch", { headers: { "x-fetch-url": `${origin.url}/secret` } });
    expect(other.text).to.equal("fetch-error -2\n");
    const localhostAlias = await node.get("/fetch", { headers: { "x-fetch-url": `http://localhost:${apiPort}/x` } });
    expect(localhostAlias.text).to.equal("fetch-error -2\n");
    const fifth = await node.get("/fetch5", { headers: { "x-fetch-url": `http://127.0.0.1:${apiPort}/x` } });
    expect(fifth.text).to.equal("fetch-error -5\n"); // 4 fetches per invocation
  });

  it("stops an infinite loop by fuel at the same count every run, while serving other requests", async () => {
    const runs = await Promise.all([
      node.get("/loop"),
      node.get("/loop"),
      node.get("/loop"),
      ...Array.from({ length: 20 }, (_, i) => node.get(`/plain/${i}`)),
    ]);
    for (const r of runs.slice(0, 3)) {
      expect(r.status).to.equal(503);
      expect(r.headers["x-aegis-error"]).to.equal("AEGIS_ERR_FN_FUEL");
    }
    for (const r of runs.slice(3)) expect(r.status).to.equal(200);
    const fuel = logs.filter((l) => l.code === "AEGIS_ERR_FN_FUEL").map((l) => l.fuelUsed);
    expect(fuel).to.have.length(3);
    expect(new Set(fuel).size).to.equal(1);
    expect(fuel[0]).to.be.greaterThan(fns.config.fuel);
    expect(fuel[0]! - fns.config.fuel).to.be.lessThan(100); // stops within one block of the budget
  });

  it("skips a failing module on a fail-open route", async () => {
    const r = await node.get("/loop-open");
    expect(r.status).to.equal(200);
    expect(r.headers["x-served-by-function"]).to.equal("header-rewrite");
  });

  it("terminates and replaces a worker that overruns its wall time", async () => {
    const restartsBefore = await metricValue("aegis_fn_worker_restarts_total");
    const [stuck, ...others] = await Promise.all([node.get("/loop-timeout"), ...Array.from({ length: 10 }, () => node.get("/rewrite/z"))]);
    expect(stuck.status).to.equal(503);
    expect(stuck.headers["x-aegis-error"]).to.equal("AEGIS_ERR_FN_TIMEOUT");
    for (const r of others) expect(r.headers["x-served-by-function"]).to.equal("header-rewrite");
    expect(await metricValue("aegis_fn_worker_restarts_total")).to.equal(restartsBefore + 1);
    // The replacement worker serves again.
    const after = await Promise.all(Array.from({ length: 6 }, () => node.get("/rewrite/after")));
    for (const r of after) expect(r.headers["x-served-by-function"]).to.equal("header-rewrite");
  });

  it("stops a memory bomb at the cap and keeps serving", async () => {
    const [bomb, ...others] = await Promise.all([node.get("/bomb"), ...Array.from({ length: 10 }, (_, i) => node.get(`/plain/b${i}`))]);
    expect(bomb.status).to.equal(503);
    expect(bomb.headers["x-aegis-error"]).to.equal("AEGIS_ERR_FN_MEMORY");
    for (const r of others) expect(r.status).to.equal(200);
    const line = logs.find((l) => l.code === "AEGIS_ERR_FN_MEMORY");
    const pages = Number(/\((\d+) pages/.exec(line?.err ?? "")?.[1]);
    expect(pages).to.be.at.most(800); // 50 MiB
    expect(pages).to.be.at.least(780);
  });

  it("refuses a module whose bytes do not match its CID", async () => {
    const r = await node.get("/forged");
    expect(r.status).to.equal(503);
    expect(r.headers["x-aegis-error"]).to.equal("AEGIS_ERR_FN_CID_MISMATCH");
    expect(gateway.hits.get(cids["forged"]!)).to.be.at.least(1);
    expect(existsSync(join(cacheDir, `${cids["forged"]}.wasm`))).to.equal(false);
    expect(readdirSync(cacheDir)).to.include(`${cids["block-403"]}.wasm`);
  });

  it("hot-reloads a new version under load without a failed request, then rolls back", async () => {
    expect((await node.get("/v/a")).headers["x-module-version"]).to.equal("1");
    const seen: string[][] = [[], [], [], [], [], []];
    const failures: string[] = [];
    let stop = false;
    const clients = seen.map(async (mine, c) => {
      for (let i = 0; !stop; i++) {
        try {
          const r = await node.get(`/v/c${c}r${i}`);
          if (r.status !== 200) failures.push(`${r.status} ${r.text}`);
          mine.push(String(r.headers["x-module-version"]));
        } catch (err) {
          failures.push(String(err));
        }
      }
    });
    await sleep(300);
    registry.publish(ZONE, "versioned", "ops", { version: 2, cid: cids["v2"]! });
    await waitFor(() => seen.every((s) => s.at(-1) === "2"));
    registry.rollback(ZONE, "versioned");
    await waitFor(() => seen.every((s) => s.at(-1) === "1"));
    stop = true;
    await Promise.all(clients);

    expect(failures).to.deep.equal([]);
    for (const s of seen) {
      // Each client saw 1s, then 2s, then 1s again: one swap each way, never back and forth.
      const runs = s.filter((v, i) => i === 0 || v !== s[i - 1]);
      expect(runs).to.deep.equal(["1", "2", "1"]);
    }
    expect(registry.get(ZONE, "versioned")?.current.version).to.equal(1);
  });

  async function metricValue(name: string): Promise<number> {
    const m = await fns.metricsRegistry.getSingleMetric(name)?.get();
    return (m?.values ?? []).reduce((a, v) => a + v.value, 0);
  }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await sleep(20);
  }
}
