/**
 * The main job: `npm start` (scripts/up.sh) brings up a whole network on this machine. Checks the
 * README's promises: a page from the sample origin through the edge node within 60 s, a cache
 * hit on the second request, claimable rewards for the demo operator an epoch later (shown and
 * claimed with the aegis CLI), a clean Ctrl-C, and a second start that reuses the ledger.
 */
import { expect } from "chai";
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { request } from "undici";
import { freePort, freePortPair } from "../helpers/ports.js";
import { natsService, redisService, type Service } from "../helpers/services.js";

const root = new URL("../..", import.meta.url).pathname;
const run = promisify(execFile);
const EPOCH_SECS = 15;

interface Up {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startUp(args: string[], services: { nats?: string; redis?: string } = {}): Up {
  const env = { ...process.env, AEGIS_NATS_URL: services.nats ?? "", AEGIS_REDIS_URL: services.redis ?? "" };
  const child = spawn("bash", [join(root, "scripts/up.sh"), ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"], env });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs: number, up: Up): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    const v = await f().catch((e: Error) => {
      last = `${e.message} ${String((e as { cause?: unknown }).cause ?? "")}`;
      return undefined;
    });
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s (last error: ${last})\n${up.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("npm start: a whole AEGIS network on one machine", function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), "aegis-up-"));
  let ports: { rpc: number; http: number; admin: number; origin: number; keeper: number };
  let args: string[];
  let up: Up | undefined;
  /** A request for the demo zone (undici: fetch would not send our Host header). */
  const demo = async (path = "/") => {
    const res = await request(`http://127.0.0.1:${ports.http}${path}`, { headers: { host: "demo.aegis.localhost" } });
    const body = await res.body.text();
    return { status: res.statusCode, header: (name: string) => String(res.headers[name] ?? ""), body };
  };
  const cli = async (...a: string[]) => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", join(root, "cli/src/main.ts"), "--cluster", `http://127.0.0.1:${ports.rpc}`, "--keypair", join(dir, "keys/operator.json"), "--json", ...a], { cwd: root });
    return JSON.parse(stdout) as Record<string, unknown>;
  };

  before(async () => {
    ports = { rpc: await freePortPair(), http: await freePort(), admin: await freePort(), origin: await freePort(), keeper: await freePort() };
    args = ["--dir", dir, "--rpc-port", String(ports.rpc), "--http-port", String(ports.http), "--admin-port", String(ports.admin), "--origin-port", String(ports.origin), "--keeper-port", String(ports.keeper), "--epoch-secs", String(EPOCH_SECS)];
  });
  after(async () => {
    if (up && up.child.exitCode === null) {
      up.child.kill("SIGINT");
      await up.exited;
    }
    if (!process.env.AEGIS_KEEP_UP_DIR) rmSync(dir, { recursive: true, force: true });
  });

  it("serves the sample origin's page through the edge node within 60 s; the second request is a cache hit", async () => {
    const t0 = Date.now();
    up = startUp(args);
    const first = await until("the demo page through the edge node", async () => {
      const res = await demo();
      if (res.status !== 200) throw new Error(`status ${res.status}: ${res.body}`);
      return res;
    }, 60_000, up);
    await until("the 'AEGIS is up.' banner", async () => (up!.output().includes("AEGIS is up.") ? true : undefined), 60_000 - (Date.now() - t0), up);
    const seconds = (Date.now() - t0) / 1000;
    expect(seconds, "seconds from start to serving").to.be.below(60);
    process.stdout.write(`      (first start: page served and banner printed after ${seconds.toFixed(1)} s)\n`);
    expect(first.body).to.include("Hello from the AEGIS demo origin");
    expect(first.header("via")).to.include("aegis-demo");
    expect(first.header("x-aegis-cache")).to.equal("MISS");
    const second = await demo();
    expect(second.header("x-aegis-cache")).to.equal("HIT");
    expect(second.body).to.equal(first.body);
    expect(up.output()).to.include(`http://127.0.0.1:${ports.admin}/dashboard`);
    const metrics = await (await fetch(`http://127.0.0.1:${ports.keeper}/metrics`)).text();
    expect(metrics).to.include("keeper_");
  });

  it("an epoch later the demo operator has claimable rewards (aegis rewards show / claim)", async () => {
    const epochs = join(dir, "keeper-1", "epochs");
    const pending = await until("a pending reward for the demo node", async () => {
      if (!existsSync(epochs)) return undefined;
      for (const f of readdirSync(epochs).sort()) {
        const shown = await cli("rewards", "show", "--claims", join(epochs, f));
        const list = shown.pending as Array<{ epoch: number; amount: string }>;
        if (list.length > 0) return { file: join(epochs, f), list };
      }
      return undefined;
    }, 4 * EPOCH_SECS * 1000 + 30_000, up!);
    expect(Number(pending.list[0]!.amount.replaceAll(",", ""))).to.be.greaterThan(0);
    // The operator dashboard shows the pending reward once its background read (every 2 s) has run.
    await until("the dashboard's pending reward", async () => {
      const status = (await (await fetch(`http://127.0.0.1:${ports.admin}/dashboard/api/status`)).json()) as { chain?: { rewards?: { pending?: string | null } } };
      const p = Number((status.chain?.rewards?.pending ?? "0").replaceAll(",", ""));
      return p > 0 ? p : undefined;
    }, 15_000, up!);
    const before = await cli("balance");
    const claimed = await cli("rewards", "claim", "--claims", pending.file);
    expect(JSON.stringify(claimed)).to.match(/signature|claimed/i);
    const after = await cli("balance");
    expect(JSON.stringify(after)).to.not.equal(JSON.stringify(before));
  });

  it("Ctrl-C stops every service; a second start reuses the ledger", async () => {
    const network = readFileSync(join(dir, "network.json"), "utf8");
    up!.child.kill("SIGINT");
    expect(await up!.exited).to.equal(0);
    expect(up!.output()).to.include("stopped.");
    const refused = await fetch(`http://127.0.0.1:${ports.rpc}`, { method: "POST" }).then(() => false, () => true);
    expect(refused, "localnet still answers after Ctrl-C").to.equal(true);
    const proxyRefused = await demo().then(() => false, () => true);
    expect(proxyRefused, "the edge node still answers after Ctrl-C").to.equal(true);

    up = startUp(args);
    const page = await until("the demo page after a restart", async () => {
      const res = await demo();
      if (res.status !== 200) throw new Error(`status ${res.status}: ${res.body}`);
      return res.body;
    }, 60_000, up);
    expect(page).to.include("Hello from the AEGIS demo origin");
    expect(up.output()).to.include("ledger already bootstrapped: reusing it");
    expect(readFileSync(join(dir, "network.json"), "utf8")).to.equal(network);
    up.child.kill("SIGINT");
    expect(await up.exited).to.equal(0);
  });
});

describe("npm start with NATS and Redis configured", function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), "aegis-up-nats-"));
  let nats: Service;
  let redis: Service;
  let up: Up | undefined;
  let http: number;
  let rpc: number;

  before(async () => {
    // Own servers: the node publishes on the fixed aegis.reports.* subjects, and keepers keep
    // state under aegis:up:* — nothing shared with other tests.
    nats = await natsService();
    redis = await redisService({ fresh: true });
    rpc = await freePortPair();
    http = await freePort();
    const args = ["--dir", dir, "--rpc-port", String(rpc), "--http-port", String(http), "--admin-port", String(await freePort()), "--origin-port", String(await freePort()), "--keeper-port", String(await freePort()), "--epoch-secs", String(EPOCH_SECS)];
    up = startUp(args, { nats: nats.url, redis: redis.url });
  });
  after(async () => {
    if (up && up.child.exitCode === null) {
      up.child.kill("SIGINT");
      await up.exited;
    }
    await nats?.stop();
    await redis?.stop();
    if (!process.env.AEGIS_KEEP_UP_DIR) rmSync(dir, { recursive: true, force: true });
  });

  it("three oracles share reports and probes through JetStream and write identical epoch reports; the node caches in Redis", async () => {
    const page = await until("the demo page", async () => {
      const res = await request(`http://127.0.0.1:${http}/`, { headers: { host: "demo.aegis.localhost" } });
      const body = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}: ${body}`);
      return body;
    }, 60_000, up!);
    expect(page).to.include("Hello from the AEGIS demo origin");
    await until("the 'AEGIS is up.' banner", async () => (up!.output().includes("AEGIS is up.") ? true : undefined), 60_000, up!);
    for (const i of [1, 2, 3]) expect(up!.output()).to.include(`keeper ${i} (/metrics`);
    const cached = await until("the demo page in the Redis tier", async () => {
      const { stdout } = await run("redis-cli", ["-u", redis.url, "--scan", "--pattern", "aegis:cache:*demo.aegis.localhost*"]);
      return stdout.trim() ? stdout.trim() : undefined;
    }, 20_000, up!);
    expect(cached).to.include("demo.aegis.localhost");

    const epochFile = (k: number, e: string) => join(dir, `keeper-${k}`, "epochs", e);
    const accepted = await until("an epoch report written by all three oracles", async () => {
      const first = join(dir, "keeper-1", "epochs");
      if (!existsSync(first)) return undefined;
      for (const f of readdirSync(first).sort()) {
        const doc = JSON.parse(readFileSync(epochFile(1, f), "utf8")) as { leaves: unknown[] };
        if (doc.leaves.length > 0 && [2, 3].every((k) => existsSync(epochFile(k, f)))) return f;
      }
      return undefined;
    }, 5 * EPOCH_SECS * 1000 + 30_000, up!);
    const bytes = [1, 2, 3].map((k) => readFileSync(epochFile(k, accepted), "utf8"));
    expect(bytes[1]).to.equal(bytes[0]);
    expect(bytes[2]).to.equal(bytes[0]);
    up!.child.kill("SIGINT");
    expect(await up!.exited).to.equal(0);
  });
});
