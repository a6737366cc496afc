/** Module bytes by CID: gateways, verification and the disk cache. */
import { expect } from "chai";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { Registry } from "prom-client";
import { cidOf } from "../../node/src/functions/cid.js";
import { CidMismatchError, FunctionError } from "../../node/src/functions/errors.js";
import { createFunctionMetrics } from "../../node/src/functions/metrics.js";
import { ModuleStore } from "../../node/src/functions/module-store.js";
import { startGateway, type TestGateway } from "./helpers/gateway.js";

describe("functions: module store", () => {
  let gw: TestGateway;
  let dir: string;
  const log = pino({ level: "silent" });
  const store = (gateways: string[]) =>
    new ModuleStore({ gateways, cacheDir: dir, maxModuleBytes: 1024, fetchTimeoutMs: 2000 }, log, createFunctionMetrics(new Registry()));

  beforeEach(async () => {
    gw = await startGateway();
    dir = mkdtempSync(join(tmpdir(), "aegis-fn-store-"));
  });
  afterEach(async () => {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("fetches from a gateway, verifies, and serves later reads from disk", async () => {
    const bytes = new TextEncoder().encode("module one");
    const cid = await gw.publish(bytes);
    const s = store([gw.url]);
    expect(Buffer.from(await s.get(cid)).toString()).to.equal("module one");
    expect(existsSync(join(dir, `${cid}.wasm`))).to.equal(true);
    expect(Buffer.from(await s.get(cid)).toString()).to.equal("module one");
    expect(gw.hits.get(cid)).to.equal(1);
  });

  it("refuses bytes that do not match the CID and caches nothing", async () => {
    const cid = await cidOf(new TextEncoder().encode("the real module"));
    gw.serveWrong(cid, new TextEncoder().encode("an impostor"));
    const err = await store([gw.url]).get(cid).catch((e: Error) => e);
    expect(err).to.be.instanceOf(CidMismatchError);
    expect((err as CidMismatchError).code).to.equal("AEGIS_ERR_FN_CID_MISMATCH");
    expect(existsSync(join(dir, `${cid}.wasm`))).to.equal(false);
  });

  it("tries the next gateway when one fails, and re-fetches a corrupt cache file", async () => {
    const bytes = new TextEncoder().encode("module two");
    const cid = await gw.publish(bytes);
    const s = store(["http://127.0.0.1:1", gw.url]);
    await s.get(cid);
    writeFileSync(join(dir, `${cid}.wasm`), "bit rot");
    expect(Buffer.from(await s.get(cid)).toString()).to.equal("module two");
    expect(gw.hits.get(cid)).to.equal(2);
  });

  it("reports an unavailable module and an oversized one", async () => {
    const missing = await cidOf(new TextEncoder().encode("nowhere"));
    const e1 = (await store([gw.url]).get(missing).catch((e: FunctionError) => e)) as FunctionError;
    expect(e1).to.be.instanceOf(FunctionError);
    expect(e1.code).to.equal("AEGIS_ERR_FN_FETCH_MODULE");
    const big = await gw.publish(new Uint8Array(4096));
    const e2 = (await store([gw.url]).get(big).catch((e: FunctionError) => e)) as FunctionError;
    expect(e2).to.be.instanceOf(FunctionError);
    expect(e2.code).to.equal("AEGIS_ERR_FN_FETCH_MODULE");
    expect(e2.message).to.match(/larger than 1024/);
  });

  it("adds local bytes under their CID", async () => {
    const s = store([]);
    const cid = await s.put(new TextEncoder().encode("local build"));
    expect(cid).to.equal(await cidOf(new TextEncoder().encode("local build")));
    expect(Buffer.from(await s.get(cid)).toString()).to.equal("local build");
  });
});
