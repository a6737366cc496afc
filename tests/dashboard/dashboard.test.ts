/**
 * The operator dashboard in headless Chromium (Debian's /usr/bin/chromium through playwright-core):
 * a node registered and staked on localnet serves a zone from chain; the page shows it Active
 * with its request count, updates live as traffic arrives, and a screenshot is written.
 */
import { expect } from "chai";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keypair } from "@solana/web3.js";
import { chromium, type Browser } from "playwright-core";
import { AegisClient } from "../../sdk/src/client/index.js";
import { nodeKey, registry, registryProgram, staking, stakingProgram } from "../../sdk/src/index.js";
import { startOrigin, startTestNode, tempDir, type TestNode, type TestOrigin } from "../helpers/edge.js";
import { startLocalnet, type Localnet } from "../helpers/localnet.js";
import { aegis, bootstrapProtocol } from "../protocol/setup.js";

const CHROMIUM = process.env.AEGIS_CHROMIUM ?? "/usr/bin/chromium";

describe("operator dashboard in headless Chromium", function () {
  this.timeout(120_000);
  let net: Localnet;
  let origin: TestOrigin;
  let edge: TestNode;
  let browser: Browser;

  before(async () => {
    net = await startLocalnet();
    const proto = await bootstrapProtocol(net);
    const operator = await net.fundedKeypair(10);
    const owner = await net.fundedKeypair(10);
    const identity = Keypair.generate();
    const source = await proto.fund(operator.publicKey, aegis(1_500));
    const [node] = nodeKey(identity.publicKey);
    await registry
      .registerNode(registryProgram(net.provider(operator)), { operator: operator.publicKey, identity: identity.publicKey, metadataCid: "none", region: "eu-west", capabilities: 31 })
      .signers([identity])
      .rpc();
    await staking.stake(stakingProgram(net.provider(operator)), { operator: operator.publicKey, source, amount: aegis(1_200) }).rpc();
    await staking.activateNode(stakingProgram(net.provider(operator)), { operator: operator.publicKey, node }).rpc();

    origin = await startOrigin((req, res) => {
      res.setHeader("cache-control", "max-age=60");
      res.end(`page ${req.url}`);
    });
    await new AegisClient({ connection: net.connection, wallet: owner }).configureDomain({ domain: "dash.test", cdn: { origins: [origin.url] }, waf: "detect" });

    const dataDir = tempDir("aegis-dash-");
    writeFileSync(join(dataDir, "identity.json"), JSON.stringify([...identity.secretKey]));
    edge = await startTestNode({
      zones: [],
      dataDir,
      config: { chain: { rpcUrl: net.rpcUrl, domains: ["dash.test"], reconcileSecs: 1 }, analytics: { intervalSecs: 1 } },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  });

  after(async () => {
    await browser?.close();
    await edge?.close();
    await origin?.close();
    await net?.stop();
  });

  it("loads, shows the node Active with a non-zero request count, updates live; writes a screenshot", async () => {
    for (let i = 0; i < 50 && edge.node.policies.all().size === 0; i++) await new Promise((r) => setTimeout(r, 100));
    for (const path of ["/a", "/a", "/b", "/a"]) expect((await edge.get(path, { host: "dash.test" })).status).to.equal(200);

    const api = (await (await fetch(`${edge.node.metricsUrl}/dashboard/api/status`)).json()) as { traffic: { requests: number; cacheHits: number }; chain: { status: string } };
    expect(api.traffic.requests).to.equal(4);
    expect(api.traffic.cacheHits).to.equal(2);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${edge.node.metricsUrl}/dashboard`);
    await page.waitForFunction(() => document.getElementById("node-status")?.textContent === "Active", undefined, { timeout: 20_000 });
    const count = async () => Number((await page.textContent("#requests-total"))!.replace(/,/g, ""));
    expect(await count()).to.be.greaterThan(0);
    expect(await page.textContent("#stake")).to.equal("1200 AEGIS");
    expect(await page.textContent("#cache-hit-ratio")).to.equal("50.0 %");
    expect(await page.textContent("#live")).to.equal("live");

    // More traffic: the page follows without a reload (SSE).
    const before = await count();
    for (let i = 0; i < 6; i++) await edge.get(`/c${i}`, { host: "dash.test" });
    await page.waitForFunction((n) => Number(document.getElementById("requests-total")!.textContent!.replace(/,/g, "")) >= n + 6, before, { timeout: 10_000 });
    // Charts draw once the history has two intervals (sampled every 2 s).
    await page.waitForSelector("#chart-rps path.line", { state: "attached", timeout: 10_000 });
    await page.waitForSelector("#chart-hit path.line", { state: "attached", timeout: 10_000 });

    const dir = process.env.AEGIS_ARTIFACTS_DIR ?? join(tmpdir(), "aegis-artifacts");
    mkdirSync(dir, { recursive: true });
    const shot = join(dir, "dashboard.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`      dashboard screenshot: ${shot}`);
  });
});
