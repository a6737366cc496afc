/**
 * AegisClient against localnet and a real edge node, and the examples of docs/sdk.md: each
 * example file under sdk/examples is run as a child process, and the doc must contain it verbatim.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Keypair } from "@solana/web3.js";
import { cidOf } from "../../node/src/functions/cid.js";
import { zonePolicySchema } from "../../node/src/policy/schema.js";
import { AegisClient, AegisClientError, moduleCid } from "../../sdk/src/client/index.js";
import { moduleKey, registryProgram, zoneKey, zonePolicyFromAccount } from "../../sdk/src/index.js";
import { startOrigin, startTestNode, tempDir, zoneFor, type TestNode, type TestOrigin } from "../helpers/edge.js";
import { repoRoot, startLocalnet, type Localnet } from "../helpers/localnet.js";

const WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const DOMAIN = "shop.example.com";

function runExample(name: string, env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(repoRoot, "sdk", "examples", name)], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

async function rejects(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(AegisClientError);
    expect((e as AegisClientError).code).to.equal(code);
    expect((e as Error).message).to.match(message);
    return;
  }
  expect.fail(`expected ${code}`);
}

describe("AegisClient (site-owner SDK) and the docs/sdk.md examples", function () {
  this.timeout(120_000);
  let net: Localnet;
  let origin: TestOrigin;
  let edge: TestNode;
  let dir: string;
  let owner: Keypair;
  let env: Record<string, string>;

  before(async () => {
    net = await startLocalnet();
    // The registry needs its config for zones; the rest of the protocol is not used here.
    const { bootstrapProtocol } = await import("../protocol/setup.js");
    await bootstrapProtocol(net);
    owner = await net.fundedKeypair(20);
    dir = tempDir("aegis-sdk-");
    const keypair = join(dir, "owner.json");
    writeFileSync(keypair, JSON.stringify([...owner.secretKey]));
    origin = await startOrigin((req, res) => {
      res.setHeader("cache-control", "max-age=300");
      res.end(`origin ${req.url}`);
    });
    edge = await startTestNode({ zones: [zoneFor(DOMAIN, origin)] });
    writeFileSync(join(dir, "hello.wasm"), WASM);
    env = { AEGIS_RPC_URL: net.rpcUrl, AEGIS_KEYPAIR: keypair, ORIGIN_URL: origin.url, WASM_FILE: join(dir, "hello.wasm"), MODULE_DIR: join(dir, "modules"), AEGIS_NODE_ADMIN: edge.node.metricsUrl };
  });

  after(async () => {
    await edge?.close();
    await origin?.close();
    await net?.stop();
  });

  it("docs/sdk.md contains every example verbatim", () => {
    const doc = readFileSync(join(repoRoot, "docs", "sdk.md"), "utf8");
    for (const f of ["configure-domain.ts", "deploy-function.ts", "purge.ts"]) {
      const code = readFileSync(join(repoRoot, "sdk", "examples", f), "utf8");
      expect(doc, f).to.contain("```ts\n" + code + "```");
    }
  });

  it("example configure-domain: creates the zone; the node's schema accepts the policy it reads back", async () => {
    const r = await runExample("configure-domain.ts", env);
    expect(r.code, r.err).to.equal(0);
    const out = JSON.parse(r.out) as { zone: string; created: boolean; policyVersion: number };
    expect(out).to.deep.equal({ zone: zoneKey(DOMAIN)[0].toBase58(), created: true, policyVersion: 1 });
    const zone = await registryProgram(net.provider(owner)).account.zoneV0.fetch(zoneKey(DOMAIN)[0]);
    const p = zonePolicySchema.parse(zonePolicyFromAccount(zone));
    expect(p.origins).to.deep.equal([{ url: origin.url, weight: 1 }]);
    expect(p.cache).to.deep.include({ enabled: true, defaultTtlSecs: 300, staleIfErrorSecs: 3600 });
    expect(p.waf).to.deep.include({ mode: "block", paranoia: 2, inboundThreshold: 5 });
    expect(p.ddos.sensitivity).to.equal(3);
    expect(p.rateLimit).to.deep.equal({ requests: 600, windowSecs: 60, burst: 0 });
    expect(p.bots).to.deep.equal({ mode: "detect", challengeAt: 70, blockAt: 90 });
    // Running it again updates the same zone.
    const again = JSON.parse((await runExample("configure-domain.ts", env)).out) as { created: boolean; policyVersion: number };
    expect(again).to.deep.include({ created: false, policyVersion: 2 });
  });

  it("example deploy-function: CID computed locally (same as the node), bytes stored, module and route on chain", async () => {
    const r = await runExample("deploy-function.ts", env);
    expect(r.code, r.err).to.equal(0);
    const out = JSON.parse(r.out) as { cid: string; name: string; version: number };
    const cid = await cidOf(WASM);
    expect(await moduleCid(WASM)).to.equal(cid);
    expect(out).to.deep.equal({ cid, name: "hello", version: 1 });
    expect(existsSync(join(dir, "modules", `${cid}.wasm`))).to.equal(true);
    const reg = registryProgram(net.provider(owner));
    expect((await reg.account.moduleV0.fetch(moduleKey(owner.publicKey, "hello")[0])).cid).to.equal(cid);
    const zone = zonePolicyFromAccount(await reg.account.zoneV0.fetch(zoneKey(DOMAIN)[0]));
    expect(zone.functions).to.have.length(1);
    expect(zone.functions[0]).to.deep.include({ pattern: "/api/*", modules: ["hello"], methods: ["GET", "POST"], failMode: "closed", timeoutMs: 20 });
    // Deploying the same bytes again publishes nothing new and replaces the route in place.
    const again = JSON.parse((await runExample("deploy-function.ts", env)).out) as { version: number };
    expect(again.version).to.equal(1);
    expect(zonePolicyFromAccount(await reg.account.zoneV0.fetch(zoneKey(DOMAIN)[0])).functions).to.have.length(1);
  });

  it("example purge: the edge node drops the cached object", async () => {
    await edge.get("/index.html");
    expect((await edge.get("/index.html")).headers["x-aegis-cache"]).to.match(/HIT/i);
    const r = await runExample("purge.ts", env);
    expect(r.code, r.err).to.equal(0);
    const out = JSON.parse(r.out) as { byUrl: Array<{ purged?: number }> };
    expect(out.byUrl).to.have.length(1);
    expect((await edge.get("/index.html")).headers["x-aegis-cache"]).to.match(/MISS/i);
  });

  it("refuses bad input before sending: domain, origins, ownership, wasm, endpoints", async () => {
    const client = new AegisClient({ connection: net.connection, wallet: owner });
    const stranger = new AegisClient({ connection: net.connection, wallet: await net.fundedKeypair(2) });
    await rejects(client.configureDomain({ domain: "Shop.Example.com", cdn: { origins: [origin.url] } }), "AEGIS_ERR_CLIENT_INPUT", /not a lower-case DNS name/);
    await rejects(client.configureDomain({ domain: "new.example.com" }), "AEGIS_ERR_CLIENT_INPUT", /at least one origin/);
    await rejects(client.configureDomain({ domain: "new.example.com", cdn: { origins: ["ftp://x"] } }), "AEGIS_ERR_CLIENT_INPUT", /must be http\(s\)/);
    await rejects(client.configureDomain({ domain: "new.example.com", cdn: { origins: [origin.url] }, ddos: 9 }), "AEGIS_ERR_CLIENT_INPUT", /ddos\.sensitivity must be an integer in 0\.\.5/);
    await rejects(stranger.configureDomain({ domain: DOMAIN, waf: "off" }), "AEGIS_ERR_NOT_ZONE_OWNER", /belongs to/);
    await rejects(client.deployEdgeFunction({ domain: DOMAIN, wasm: Buffer.from("nope nope"), routes: [{ pattern: "/x" }] }), "AEGIS_ERR_NOT_WASM", /not a WebAssembly binary/);
    await rejects(client.deployEdgeFunction({ domain: "none.example.com", wasm: WASM, routes: [{ pattern: "/x" }] }), "AEGIS_ERR_ZONE_NOT_FOUND", /not registered/);
    await rejects(client.purge({ domain: DOMAIN, url: "/" }), "AEGIS_ERR_CLIENT_INPUT", /no node endpoints/);
    await rejects(client.purge({ domain: DOMAIN, url: "/", endpoints: ["http://127.0.0.1:9"] }), "AEGIS_ERR_PURGE_FAILED", /no node accepted/);
    await rejects(new AegisClient({ connection: net.connection }).configureDomain({ domain: "ro.example.com", cdn: { origins: [origin.url] } }), "AEGIS_ERR_CLIENT_INPUT", /no wallet/);
    expect(await client.getDomain("absent.example.com")).to.equal(undefined);
    const mods = await client.listEdgeFunctions();
    expect(mods.map((m) => m.name)).to.deep.equal(["hello"]);
  });
});
