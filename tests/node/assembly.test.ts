/**
 * Acceptance for the assembled node: one TOML config switches on every request-path module at
 * once — DDoS filter (user-space fallback), rate limit, WAF (CRS, block mode), bots (challenge),
 * an edge-function route (AssemblyScript modules compiled here) — next to an ordinary cached
 * object, and /metrics shows each module's counters. Run twice: through main.ts as a child
 * process, and in-process through startEdgeNode (with HTTPS, for the JA3/JA4 tap).
 *
 * Every scenario uses its own loopback source address (127.0.0.x), so the per-client rate limit
 * and DDoS budgets of one scenario do not touch the others.
 */
import { expect } from "chai";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import pino from "pino";
import { stringify } from "smol-toml";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { request } from "undici";
import { VERIFY_PATH, solveChallenge } from "../../node/src/bots/challenge.js";
import { loadConfigFile } from "../../node/src/config.js";
import { cidOf } from "../../node/src/functions/cid.js";
import type { ZonePolicyInput } from "../../node/src/policy/schema.js";
import { startEdgeNode, type EdgeNodeHandle } from "../../node/src/server.js";
import { compileExample } from "../functions/helpers/compile.js";
import { freePort } from "../helpers/ports.js";
import { sleep, startOrigin, tempDir, type TestOrigin } from "../helpers/edge.js";

const ZONE = "shop.test";
const RATE_N = 6;
const BROWSER = {
  "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  accept: "text/html,application/xhtml+xml",
  "accept-language": "en-GB,en;q=0.9",
  "accept-encoding": "gzip, deflate, br",
};
const CURL = { "user-agent": "curl/8.5.0", accept: "*/*" };

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request over a fresh connection from loopback address `from` (undici ignores localAddress). */
function get(base: string, path: string, from: string, headers: Record<string, string> = BROWSER): Promise<Reply> {
  const url = new URL(path, base);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, localAddress: from, headers: { host: ZONE, ...headers }, agent: false, servername: ZONE, rejectUnauthorized: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

async function metricsText(metricsUrl: string): Promise<string> {
  const r = await request(`${metricsUrl}/metrics`);
  return r.body.text();
}

function sum(text: string, re: RegExp): number {
  return [...text.matchAll(re)].reduce((s, m) => s + Number(m[1]), 0);
}

/** The same checks against either way of starting the node. */
async function exercise(base: string, metricsUrl: string, origin: TestOrigin, octet: number): Promise<void> {
  const ip = (n: number) => `127.0.${octet}.${n}`;

  // ── ordinary cached request: second answer from the cache, origin asked once ──
  const before = origin.requests.filter((r) => r.url === "/static/app.css").length;
  const c1 = await get(base, "/static/app.css", ip(5));
  const c2 = await get(base, "/static/app.css", ip(5));
  expect([c1.status, c2.status]).to.deep.equal([200, 200]);
  expect(c2.headers["x-aegis-cache"]).to.equal("HIT");
  expect(c2.text).to.equal("body{}");
  expect(origin.requests.filter((r) => r.url === "/static/app.css").length - before).to.equal(1);

  // ── WAF in block mode: a classic SQL injection is refused with the request id ──
  const w = await get(base, "/products?id=1%27%20OR%20%271%27%3D%271", ip(2));
  expect(w.status).to.equal(403);
  const reqId = String(w.headers["x-request-id"]);
  expect(reqId).to.have.length.greaterThan(8);
  expect(w.text).to.include(`Request id: ${reqId}`);
  expect(origin.requests.some((r) => r.url.startsWith("/products?id=1%27"))).to.equal(false);

  // ── bots in challenge mode: curl is challenged; solving the PoW lets it through with the cookie ──
  const ch = await get(base, "/catalog", ip(3), CURL);
  expect(ch.status).to.equal(403);
  expect(ch.headers["x-aegis-challenge"]).to.equal("pow");
  const challenge = /data-challenge="([^"]+)"/.exec(ch.text)![1]!.replace(/&#(\d+);/g, (_x, d: string) => String.fromCharCode(Number(d)));
  const v = await get(base, `${VERIFY_PATH}?c=${encodeURIComponent(challenge)}&s=${solveChallenge(challenge)}&r=%2Fcatalog`, ip(3), CURL);
  expect(v.status).to.equal(302);
  const cookie = String(v.headers["set-cookie"]).split(";")[0]!;
  const passed = await get(base, "/catalog", ip(3), { ...CURL, cookie });
  expect(passed.status, JSON.stringify(passed)).to.equal(200);
  expect(passed.text).to.equal("origin /catalog");

  // ── edge functions: header rewrite on /fn/*, early 403 on /admin/* (origin never asked) ──
  const fn = await get(base, "/fn/hello", ip(4));
  expect(fn.status, JSON.stringify(fn)).to.equal(200);
  expect(fn.headers["x-served-by-function"]).to.equal("header-rewrite");
  expect(origin.requests.at(-1)!.headers["x-edge-function"]).to.equal("header-rewrite");
  const admin = await get(base, "/admin/panel", ip(4));
  expect(admin.status).to.equal(403);
  expect(admin.text).to.equal("forbidden by edge function\n");
  expect(origin.requests.some((r) => r.url === "/admin/panel")).to.equal(false);

  // ── rate limit: N requests per window admitted, the N+1th gets 429 (a new client if the window rolled over) ──
  for (let attempt = 0; ; attempt++) {
    const client = ip(10 + attempt);
    const window = Math.floor(Date.now() / 3_600_000);
    const statuses: number[] = [];
    for (let i = 0; i <= RATE_N; i++) statuses.push((await get(base, `/api/item/${i}`, client)).status);
    if (Math.floor(Date.now() / 3_600_000) !== window && attempt < 2) continue;
    expect(statuses).to.deep.equal([...Array(RATE_N).fill(200), 429]);
    break;
  }

  // ── DDoS filter (user space): a blocked source and a connection flood are cut at accept ──
  const refused = await get(base, "/static/app.css", "127.0.66.66").then(
    () => false,
    () => true,
  );
  expect(refused, "blocklisted source refused").to.equal(true);
  const flood = ip(77);
  const sockets = await Promise.all(Array.from({ length: 120 }, () => openAndWait(base, flood)));
  const closedEarly = sockets.filter((s) => s === "closed").length;
  expect(closedEarly, "connections over the SYN budget are closed").to.be.greaterThan(0);
  const ok = await get(base, "/static/app.css", ip(6));
  expect(ok.status, "other sources unaffected").to.equal(200);

  // ── /metrics: counters from every module ──
  const m = await metricsText(metricsUrl);
  expect(m).to.match(/aegis_ddos_filter_mode\{mode="userspace"\} 1/);
  expect(sum(m, /aegis_ddos_filter_packets_total\{verdict="drop_blocklist"\} (\d+)/g)).to.be.greaterThan(0);
  expect(sum(m, /aegis_ddos_filter_packets_total\{verdict="drop_syn_rate"\} (\d+)/g)).to.equal(closedEarly);
  expect(sum(m, /aegis_sync_ratelimit_decisions_total\{result="limited",mode="connected"\} (\d+)/g)).to.be.greaterThan(0);
  expect(m).to.match(/aegis_waf_decisions_total\{zone="shop.test",mode="block",outcome="blocked"\} [1-9]/);
  expect(m).to.match(/aegis_bot_decisions_total\{zone="shop.test",mode="enforce",action="challenge",reason="score"\} [1-9]/);
  expect(m).to.match(/aegis_bot_challenge_verifications_total\{result="ok"\} [1-9]/);
  expect(sum(m, /aegis_fn_invocations_total\{[^}]*outcome="ok"[^}]*\} (\d+)/g)).to.be.greaterThan(0);
  expect(m).to.match(/aegis_cache_outcomes_total\{zone="shop.test",outcome="hit"\} [1-9]/);
  expect(m).to.match(/aegis_phase_responses_total\{phase="rate-limit",reason="rate-limited"\} [1-9]/);
}

/** Opens a TCP connection from `from`; "open" if it is still up after a moment, else "closed". */
function openAndWait(base: string, from: string): Promise<"open" | "closed"> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const s: Socket = connect({ host: url.hostname, port: Number(url.port), localAddress: from });
    let state: "open" | "closed" = "open";
    s.on("error", () => (state = "closed"));
    s.on("close", () => (state = "closed"));
    setTimeout(() => {
      s.destroy();
      resolve(state);
    }, 300);
  });
}

describe("node assembly: every module from one config file", function () {
  this.timeout(120_000);
  let origin: TestOrigin;
  let dir: string;
  let zone: ZonePolicyInput;

  before(async () => {
    dir = tempDir("aegis-assembly-");
    origin = await startOrigin((req, res) => {
      if (req.url?.startsWith("/static/")) {
        res.setHeader("cache-control", "public, max-age=300");
        res.setHeader("content-type", "text/css");
        return res.end("body{}");
      }
      res.setHeader("cache-control", "no-store");
      res.end(`origin ${req.url}`);
    });
    // Edge functions: compiled from AssemblyScript now, pinned by CID, placed in the module cache.
    const modules = join(dir, "modules");
    mkdirSync(modules, { recursive: true });
    const cids: Record<string, string> = {};
    for (const name of ["header-rewrite", "block-403"]) {
      const bytes = await compileExample(name);
      cids[name] = await cidOf(bytes);
      writeFileSync(join(modules, `${cids[name]}.wasm`), bytes);
    }
    zone = {
      domain: ZONE,
      policyVersion: 1,
      origins: [{ url: origin.url }],
      cache: { enabled: true },
      waf: { mode: "block", paranoia: 1 },
      bots: { mode: "enforce", challengeAt: 60, blockAt: 95 },
      rateLimit: { requests: RATE_N, windowSecs: 3600 },
      ddos: { sensitivity: 4 },
      functions: [
        { pattern: "/fn/*", modules: [cids["header-rewrite"]!] },
        { pattern: "/admin/*", modules: [cids["block-403"]!], failMode: "closed" },
      ],
    };
    writeFileSync(join(dir, "zones.toml"), stringify({ zones: [zone] }));
  });

  after(async () => {
    await origin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** node.toml as an operator writes it (relative paths resolve against the file). */
  function writeConfig(name: string, ports: { http: number; https?: number; metrics: number }): string {
    const config = {
      dataDir: `./${name}-data`,
      listen: { http: `127.0.0.1:${ports.http}`, metrics: `127.0.0.1:${ports.metrics}`, ...(ports.https ? { https: `127.0.0.1:${ports.https}` } : {}) },
      ...(ports.https ? { tls: { certs: [{ domains: [ZONE], cert: "./cert.pem", key: "./key.pem" }] } } : {}),
      policy: { file: "./zones.toml" },
      analytics: { intervalSecs: 3600 },
      shutdownGraceMs: 2_000,
      log: { level: "info" },
      ddos: { engine: "auto", allow: [], block: ["127.0.66.66/32"] },
      waf: { enabled: true },
      bots: { difficulty: 8 },
      functions: { cacheDir: "./modules", workers: 1 },
    };
    const path = join(dir, `${name}.toml`);
    writeFileSync(path, stringify(config));
    return path;
  }

  it("main.ts --config node.toml: WAF, bots, rate limit, edge functions, DDoS fallback and cache together", async () => {
    const ports = { http: await freePort(), metrics: await freePort() };
    const configPath = writeConfig("cli", ports);
    const lines: Array<Record<string, unknown>> = [];
    let stderr = "";
    const proc: ChildProcess = spawn(process.execPath, ["--import", "tsx", "node/src/main.ts", "--config", configPath], { stdio: ["ignore", "pipe", "pipe"] });
    let buf = "";
    proc.stdout!.on("data", (c: Buffer) => {
      buf += c.toString();
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          /* not a log line */
        }
      }
    });
    proc.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    try {
      const base = `http://127.0.0.1:${ports.http}`;
      for (let i = 0; i < 300 && !lines.some((l) => l.msg === "edge node listening"); i++) {
        if (proc.exitCode !== null) throw new Error(`node exited ${proc.exitCode}: ${stderr}`);
        await sleep(100);
      }
      expect(lines.some((l) => l.msg === "edge node listening"), stderr).to.equal(true);
      expect(lines.some((l) => String(l.msg).startsWith("ddos filter: no xdp.iface configured; using the user-space limiter"))).to.equal(true);
      expect(lines.some((l) => l.msg === "waf: OWASP CRS loaded")).to.equal(true);
      await exercise(base, `http://127.0.0.1:${ports.metrics}`, origin, 1);
      const waf = lines.find((l) => l.msg === "waf blocked request");
      expect(waf, "WAF decision logged with rule ids").to.not.equal(undefined);
      proc.kill("SIGTERM");
      const code = await new Promise((r) => proc.once("exit", r));
      expect(code).to.equal(0);
    } finally {
      if (proc.exitCode === null) proc.kill("SIGKILL");
    }
  });

  it("startEdgeNode(loadConfigFile(...)): the same, plus JA3/JA4 of HTTPS clients reach the bot manager", async () => {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", `/CN=${ZONE}`, "-addext", `subjectAltName=DNS:${ZONE}`], { stdio: "ignore" });
    const configPath = writeConfig("lib", { http: await freePort(), https: await freePort(), metrics: await freePort() });
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
    const node: EdgeNodeHandle = await startEdgeNode(loadConfigFile(configPath), { logger });
    try {
      expect(node.modules.ddos?.mode).to.equal("userspace");
      expect(node.modules.waf?.loaded).to.equal(true);
      await exercise(node.httpUrl, node.metricsUrl, origin, 2);

      const tls = await get(node.httpsUrl!, "/catalog", "127.0.2.30", CURL);
      expect(tls.status).to.equal(403);
      const decision = lines.filter((l) => l.msg === "bot decision").at(-1)!;
      expect(decision.ja3, "JA3 from the ClientHello").to.match(/^[0-9a-f]{32}$/);
      expect(decision.ja4, "JA4 from the ClientHello").to.match(/^t1[23]d\d{4}/);
    } finally {
      await node.close();
    }
  });
});
