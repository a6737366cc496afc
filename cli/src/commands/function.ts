/** `aegis function deploy|list|rollback` (edge-function modules in the registry). */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { AegisClient, assertWasm, moduleCid } from "../../../sdk/src/client/index.js";
import { moduleKey, registry } from "../../../sdk/src/index.js";
import type { Context } from "../context.js";
import { CliError, EXIT, notFound, usageError } from "../errors.js";
import { parsePubkey } from "../keypair.js";
import { run } from "../run.js";

const collect = (v: string, prev: string[] = []) => [...prev, v];
const NAME_RE = /^[A-Za-z0-9._-]{1,32}$/;

export function registerFunctionCommands(program: Command, ctx: () => Context): void {
  const fn = program.command("function").description("edge functions: deploy, list, rollback (site owners)");

  fn.command("deploy")
    .argument("<wasm>", "the module's .wasm file")
    .requiredOption("--name <name>", "module name (1-32 of A-Z a-z 0-9 . _ -)")
    .option("--zone <domain>", "also route requests of this zone to the module")
    .option("--route <pattern>", "route pattern (/api/* or re:…), repeatable; needs --zone", collect)
    .option("--methods <list>", "HTTP methods for the routes, e.g. GET,POST (default all)")
    .option("--fail-mode <mode>", "open | closed", "open")
    .option("--copy-to <dir>", "also write <dir>/<cid>.wasm (a node's module cache or a pin directory)")
    .action(
      run(ctx, async (c, file: string, o: { name: string; zone?: string; route?: string[]; methods?: string; failMode: string; copyTo?: string }) => {
        if (!NAME_RE.test(o.name)) throw usageError(`module name "${o.name}" must be 1-32 of A-Z a-z 0-9 . _ -`);
        if (o.failMode !== "open" && o.failMode !== "closed") throw usageError("--fail-mode is open or closed");
        if (o.route && !o.zone) throw usageError("--route needs --zone");
        let wasm: Uint8Array;
        try {
          wasm = readFileSync(file);
        } catch (err) {
          throw new CliError("AEGIS_ERR_WASM_FILE", `cannot read ${file}: ${(err as Error).message}`, EXIT.localFile);
        }
        assertWasm(wasm, file);
        const cid = await moduleCid(wasm);
        const store = o.copyTo
          ? async (id: string, bytes: Uint8Array) => {
              mkdirSync(o.copyTo!, { recursive: true });
              writeFileSync(join(o.copyTo!, `${id}.wasm`), bytes);
            }
          : undefined;
        let result: { cid: string; name: string; module: string; version: number; routes: string[]; signatures: string[] };
        if (o.zone) {
          const client = new AegisClient({ connection: c.connection, wallet: c.wallet, commitment: c.commitment });
          const routes = (o.route ?? ["/*"]).map((pattern) => ({ pattern, methods: o.methods ? o.methods.split(",") : [], failMode: o.failMode as "open" | "closed" }));
          const r = await c.out.wait(`deploying ${o.name} to ${o.zone}`, () => client.deployEdgeFunction({ domain: o.zone!, wasm, name: o.name, routes, ...(store ? { store } : {}) }));
          result = { cid: r.cid, name: r.name, module: r.module.toBase58(), version: r.version, routes: routes.map((x) => x.pattern), signatures: r.signatures };
        } else {
          await store?.(cid, wasm);
          const reg = c.registry();
          const [module] = moduleKey(c.walletKey, o.name);
          const before = await reg.account.moduleV0.fetchNullable(module);
          const signatures = before?.cid === cid ? [] : [await c.out.wait(`publishing ${o.name}`, () => registry.publishModule(reg, { owner: c.walletKey, name: o.name, cid }).rpc())];
          const after = await reg.account.moduleV0.fetch(module);
          result = { cid, name: o.name, module: module.toBase58(), version: after.version, routes: [], signatures };
        }
        c.out.result(result, (d) => [
          `module ${d.name} v${d.version}: ${d.cid}${d.signatures.length === 0 ? " (unchanged)" : ""}`,
          ...(d.routes.length ? [`routes on ${o.zone}: ${d.routes.join(", ")}`] : []),
          ...(o.copyTo ? [`bytes written to ${join(o.copyTo, `${d.cid}.wasm`)}`] : [`make ${d.cid} reachable by the nodes (IPFS pin or their module cache)`]),
        ]);
      }),
    );

  fn.command("list")
    .description("modules published by an owner (default: you)")
    .option("--owner <address>")
    .action(
      run(ctx, async (c, o: { owner?: string }) => {
        const owner = o.owner ? parsePubkey(o.owner, "--owner") : c.walletKey;
        const list = await c.out.wait("reading modules", () => new AegisClient({ connection: c.connection }).listEdgeFunctions(owner));
        c.out.result({ owner, modules: list }, (d) => (d.modules.length ? d.modules.map((m) => `${m.name}  v${m.version}  ${m.cid}${m.previousCid ? `  (previous ${m.previousCid})` : ""}`) : [`no modules published by ${d.owner.toBase58()}`]));
      }),
    );

  fn.command("rollback")
    .argument("<name>")
    .description("swap a module back to its previous CID (nodes reload it)")
    .action(
      run(ctx, async (c, name: string) => {
        if (!NAME_RE.test(name)) throw usageError(`module name "${name}" must be 1-32 of A-Z a-z 0-9 . _ -`);
        const [module] = moduleKey(c.walletKey, name);
        if (!(await c.registry(true).account.moduleV0.fetchNullable(module))) throw notFound(`you have no module named ${name}`, "see `aegis function list`");
        const m = await c.out.wait(`rolling back ${name}`, () => new AegisClient({ connection: c.connection, wallet: c.wallet, commitment: c.commitment }).rollbackEdgeFunction(name));
        c.out.result(m, (d) => `module ${d.name} v${d.version} now serves ${d.cid} (was ${d.previousCid})`);
      }),
    );
}
