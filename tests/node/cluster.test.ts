import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "smol-toml";
import { checkChain, decodeReport } from "../../node/src/analytics/report.js";
import { freePort } from "../helpers/ports.js";
import { httpGet, sleep, startOrigin, tempDir, writePolicyFile, zoneFor, type TestOrigin } from "../helpers/edge.js";

describe("node cluster mode (2 workers)", function () {
  this.timeout(90_000);
  let origin: TestOrigin;
  let proc: ChildProcess | undefined;
  const dir = tempDir();

  before(async () => {
    origin = await startOrigin((req, res) => {
      res.setHeader("cache-control", "max-age=60");
      res.end(`c ${req.url}`);
    });
  });
  after(async () => {
    if (proc && proc.exitCode === null) proc.kill("SIGKILL");
    await origin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves from every worker, aggregates /metrics, fans out /purge and signs one report chain in the primary", async () => {
    const [httpPort, metricsPort] = [await freePort(), await freePort()];
    writePolicyFile(join(dir, "zones.toml"), [zoneFor("cl.test", origin)]);
    const configPath = join(dir, "node.toml");
    writeFileSync(
      configPath,
      stringify({ dataDir: join(dir, "data"), workers: 2, listen: { http: `127.0.0.1:${httpPort}`, metrics: `127.0.0.1:${metricsPort}` }, policy: { file: join(dir, "zones.toml") }, analytics: { intervalSecs: 1 }, log: { level: "warn" } }),
    );
    proc = spawn(process.execPath, ["--import", "tsx", "node/src/main.ts", "--config", configPath], { stdio: ["ignore", "ignore", "pipe"] });
    const base = `http://127.0.0.1:${httpPort}`;
    let up = false;
    for (let i = 0; i < 300 && !up; i++) {
      try {
        up = (await httpGet(base + "/warm", { host: "cl.test" })).status === 200;
      } catch {
        await sleep(100);
      }
    }
    expect(up).to.equal(true);
    await sleep(1_000); // let the second worker come up too
    const N = 40;
    for (let i = 0; i < N; i++) expect((await httpGet(base + "/obj", { host: "cl.test" })).status).to.equal(200);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const total = [...metrics.matchAll(/^aegis_requests_total\{zone="cl.test"[^}]*\} (\d+)/gm)].reduce((s, m) => s + Number(m[1]), 0);
    expect(total).to.equal(N + 1);
    const purge = (await (await fetch(`http://127.0.0.1:${metricsPort}/purge`, { method: "POST", body: JSON.stringify({ zone: "cl.test", url: "/obj" }) })).json()) as { workers: number };
    expect(purge.workers).to.equal(2);
    await sleep(1_300); // at least one interval closes with the traffic in it
    proc.kill("SIGTERM");
    const code = await new Promise((r) => proc!.once("exit", r));
    expect(code).to.equal(0);
    const reportsDir = join(dir, "data", "reports");
    const [file] = readdirSync(reportsDir);
    const reports = readFileSync(join(reportsDir, file!), "utf8").trim().split("\n").map((l) => Buffer.from(l, "base64"));
    expect(checkChain(reports).ok).to.equal(true);
    const counted = reports.reduce((s, r) => s + Number(decodeReport(r).report.zones.get("cl.test")?.requests ?? 0n), 0);
    expect(counted).to.equal(N + 1);
  });
});
