// Put a site behind AEGIS: register its zone (or update it) with caching, WAF, DDoS, rate limit and bots.
// Run: AEGIS_RPC_URL=http://127.0.0.1:8899 AEGIS_KEYPAIR=owner.json ORIGIN_URL=https://origin.example.com \
//      node --import tsx sdk/examples/configure-domain.ts
import { readFileSync } from "node:fs";
import { Connection, Keypair } from "@solana/web3.js";
import { AegisClient } from "../src/client/index.js";

const wallet = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(process.env.AEGIS_KEYPAIR!, "utf8"))));
const client = new AegisClient({ connection: new Connection(process.env.AEGIS_RPC_URL!, "confirmed"), wallet });

const result = await client.configureDomain({
  domain: "shop.example.com",
  cdn: { origins: [process.env.ORIGIN_URL!], defaultTtlSecs: 300, staleIfErrorSecs: 3600 },
  waf: { mode: "block", paranoia: 2 },
  ddos: 3,
  rateLimit: { requests: 600, windowSecs: 60 },
  bots: { mode: "detect", challengeAt: 70 },
});
console.log(JSON.stringify({ zone: result.zone.toBase58(), created: result.created, policyVersion: result.policyVersion }));
