// Purge cached objects on the edge nodes serving the site (their admin endpoints), by URL, prefix or tag.
// Run: AEGIS_RPC_URL=… AEGIS_NODE_ADMIN=http://127.0.0.1:9090 node --import tsx sdk/examples/purge.ts
import { Connection } from "@solana/web3.js";
import { AegisClient } from "../src/client/index.js";

// Purging needs no wallet: the nodes' admin endpoints are operator-controlled.
const client = new AegisClient({
  connection: new Connection(process.env.AEGIS_RPC_URL!, "confirmed"),
  purgeEndpoints: [process.env.AEGIS_NODE_ADMIN!],
});

const byUrl = await client.purge({ domain: "shop.example.com", url: "/index.html" });
const byPrefix = await client.purge({ domain: "shop.example.com", prefix: "/assets/", soft: true });
console.log(JSON.stringify({ byUrl: byUrl.map((r) => r.result), byPrefix: byPrefix.map((r) => r.result) }));
