// Deploy an edge function: the module's CID is computed locally, the bytes are stored where the
// nodes fetch modules (here a node's module cache directory), then the module and its route go on chain.
// Run: AEGIS_RPC_URL=… AEGIS_KEYPAIR=owner.json WASM_FILE=hello.wasm MODULE_DIR=/var/lib/aegis/modules \
//      node --import tsx sdk/examples/deploy-function.ts
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Connection, Keypair } from "@solana/web3.js";
import { AegisClient } from "../src/client/index.js";

const wallet = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(await readFile(process.env.AEGIS_KEYPAIR!, "utf8"))));
const client = new AegisClient({ connection: new Connection(process.env.AEGIS_RPC_URL!, "confirmed"), wallet });

const deployed = await client.deployEdgeFunction({
  domain: "shop.example.com",
  name: "hello",
  wasm: await readFile(process.env.WASM_FILE!),
  routes: [{ pattern: "/api/*", methods: ["GET", "POST"], failMode: "closed", timeoutMs: 20 }],
  store: async (cid, wasm) => {
    await mkdir(process.env.MODULE_DIR!, { recursive: true });
    await writeFile(join(process.env.MODULE_DIR!, `${cid}.wasm`), wasm);
  },
});
console.log(JSON.stringify({ cid: deployed.cid, name: deployed.name, version: deployed.version }));
