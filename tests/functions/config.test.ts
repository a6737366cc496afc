/** Starting the runtime from a node config section, with a watched TOML module registry. */
import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { cidOf } from "../../node/src/functions/cid.js";
import { startEdgeFunctions, type EdgeFunctions } from "../../node/src/functions/index.js";
import type { EdgeRequest } from "../../node/src/phase.js";
import { zonePolicySchema } from "../../node/src/policy/schema.js";
import { compileExample } from "./helpers/compile.js";

describe("functions: start from config", function () {
  this.timeout(60_000);
  let dataDir: string;
  let fns: EdgeFunctions | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), "aegis-fn-cfg-"));
  });
  afterEach(async () => {
    await fns?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("serves named modules from the registry file and follows its edits", async () => {
    const cids: string[] = [];
    mkdirSync(join(dataDir, "modules"));
    for (const v of [1, 2]) {
      const bytes = await compileExample("versioned", (s) => s.replace("MODULE_VERSION: i32 = 1", `MODULE_VERSION: i32 = ${v}`));
      const cid = await cidOf(bytes);
      writeFileSync(join(dataDir, "modules", `${cid}.wasm`), bytes); // as if fetched earlier
      cids.push(cid);
    }
    const registryToml = (active: number) =>
      `[[module]]\nzone = "cfg.test"\nname = "tag"\nowner = "ops"\nactive = ${active}\nversions = [{ version = 1, cid = "${cids[0]}" }, { version = 2, cid = "${cids[1]}" }]\n`;
    writeFileSync(join(dataDir, "modules.toml"), registryToml(1));
    fns = await startEdgeFunctions({ registryFile: "modules.toml", workers: 1 }, { dataDir, logger: pino({ level: "silent" }) });

    const policy = zonePolicySchema.parse({
      domain: "cfg.test",
      policyVersion: 1,
      origins: [{ url: "http://127.0.0.1:1" }],
      functions: [{ pattern: "/**", modules: ["tag"], failMode: "closed" }],
    });
    const version = async (): Promise<unknown> => {
      const req: EdgeRequest = {
        id: "r", zone: "cfg.test", clientIp: "127.0.0.1", method: "GET", url: "/x", httpVersion: "1.1",
        headers: { host: "cfg.test" }, rawHeaderNames: ["Host"], body: undefined, tls: undefined, receivedAt: Date.now(),
      };
      expect((await fns!.requestPhase.onRequest(req, policy)).kind).to.equal("continue");
      const res = await fns!.responsePhase.onResponse(req, { status: 200, headers: {}, body: Buffer.from("x") }, policy);
      return res.headers["x-module-version"];
    };
    expect(await version()).to.equal("1");
    writeFileSync(join(dataDir, "modules.toml"), registryToml(2));
    const until = Date.now() + 10_000;
    while ((await version()) !== "2") {
      if (Date.now() > until) throw new Error("registry edit not picked up");
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});
