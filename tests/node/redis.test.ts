import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "smol-toml";
import { httpGet, startOrigin, startTestNode, tempDir, writePolicyFile, zoneFor, type TestNode, type TestOrigin } from "../helpers/edge.js";

/** Starts `node main.ts --config <file>` and resolves with its HTTP URL from the startup log line. */
function startNodeProcess(configPath: string): Promise<{ child: ChildProcess; httpUrl: string; metricsUrl: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "node/src/main.ts", "--config", configPath], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const t = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`node process did not start: ${err}`));
    }, 20_000);
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      for (const line of out.split("\n")) {
        if (!line.includes('"edge node listening"')) continue;
        const j = JSON.parse(line) as { http: string; metrics: string };
        clearTimeout(t);
        resolve({ child, httpUrl: j.http, metricsUrl: j.metrics });
        return;
      }
    });
    child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
    child.on("exit", (code) => {
      clearTimeout(t);
      reject(new Error(`node process exited (${code}): ${err}`));
    });
  });
}

describe("node cache: Redis shared tier", function () {
  this.timeout(60_000);
  let origin: TestOrigin;
  let a: TestNode;
  let proc: ChildProcess | undefined;
  const dir = tempDir();
  const redisUrl = process.env.AEGIS_TEST_REDIS_URL;
  const prefix = `aegis-test-${process.pid}-${Date.now()}:`;

  before(async () => {
    if (!redisUrl) throw new Error("AEGIS_TEST_REDIS_URL must point at a redis-server");
    origin = await startOrigin((req, res) => {
      res.setHeader("cache-control", "max-age=120");
      res.setHeader("surrogate-key", "shared");
      res.end(`from-origin ${req.url}`);
    });
    a = await startTestNode({ zones: [zoneFor("shared.test", origin)], config: { cache: { redis: { url: redisUrl, keyPrefix: prefix } } } });
  });
  after(async () => {
    if (proc && proc.exitCode === null) {
      proc.kill("SIGTERM");
      await new Promise((r) => proc!.once("exit", r));
    }
    await a?.close();
    await origin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("an object stored by one node process is served by a second node process without an origin fetch", async () => {
    const first = await a.get("/obj");
    expect(first.headers["x-aegis-cache"]).to.equal("MISS");
    const policyFile = join(dir, "zones.toml");
    writePolicyFile(policyFile, [zoneFor("shared.test", origin)]);
    const configPath = join(dir, "node.toml");
    writeFileSync(
      configPath,
      stringify({
        dataDir: join(dir, "data"),
        listen: { http: "127.0.0.1:0", metrics: "127.0.0.1:0" },
        policy: { file: policyFile },
        cache: { redis: { url: redisUrl!, keyPrefix: prefix } },
        log: { level: "info" },
      }),
    );
    const b = await startNodeProcess(configPath);
    proc = b.child;
    const second = await httpGet(b.httpUrl + "/obj", { host: "shared.test" });
    expect(second.status).to.equal(200);
    expect(second.text).to.equal("from-origin /obj");
    expect(second.headers["x-aegis-cache"]).to.equal("HIT");
    expect(origin.requests.length).to.equal(1);

    // a tag purge through process B's admin endpoint removes it from the shared tier
    const purge = await fetch(b.metricsUrl + "/purge", { method: "POST", body: JSON.stringify({ tag: "shared" }) });
    expect(purge.status).to.equal(200);
    const third = await httpGet(b.httpUrl + "/obj", { host: "shared.test" });
    expect(third.headers["x-aegis-cache"]).to.equal("MISS");
    expect(origin.requests.length).to.equal(2);

    proc.kill("SIGTERM");
    const code = await new Promise((r) => proc!.once("exit", r));
    expect(code).to.equal(0); // graceful shutdown
  });
});
