/**
 * Keeper configuration of the one-machine network (docs/keepers.md).
 * - Embedded default (no NATS): one foundation oracle runs every role and reads the edge node's
 *   report log; the demo registry is bootstrapped with that one oracle and quorum 1.
 * - With NATS (AEGIS_NATS_URL): three oracles, quorum 2-of-3, sharing reports and probe results
 *   through JetStream; the first one also cranks and slashes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "smol-toml";

export interface KeeperPlanInput {
  dir: string;
  rpcUrl: string;
  keeperPort: number;
  nodeAddress: string;
  nodeEndpoint: string;
  canaryDomain: string;
  canarySecret: string;
  reportDir: string;
  natsUrl?: string;
  redisUrl?: string;
}

/** Oracle count and quorum the demo registry is bootstrapped with. */
export function oracleSet(natsUrl: string | undefined): { count: number; quorum: number } {
  return natsUrl ? { count: 3, quorum: 2 } : { count: 1, quorum: 1 };
}

/** Writes one TOML per keeper process; returns their paths. */
export function keeperConfigs(p: KeeperPlanInput): string[] {
  const { count } = oracleSet(p.natsUrl);
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `oracle-${i + 1}`;
    const first = i === 0;
    const config: Record<string, unknown> = {
      name,
      roles: first ? ["ingest", "prober", "oracle", "slasher", "cranker"] : ["ingest", "prober", "oracle"],
      rpcUrl: p.rpcUrl,
      keypair: join(p.dir, "keys", `${name}.json`),
      dataDir: join(p.dir, `keeper-${i + 1}`),
      tickMs: 2_000,
      http: { listen: `127.0.0.1:${p.keeperPort + i}` },
      probe: {
        canaryHost: p.canaryDomain,
        canarySecret: p.canarySecret,
        endpoints: { [p.nodeAddress]: p.nodeEndpoint },
        perEpoch: 3,
      },
      oracle: { graceSecs: 5 },
      cranker: { autoClaim: "opted-in" },
    };
    if (p.natsUrl) config.nats = { url: p.natsUrl, durable: `up-${name}` };
    else config.reportDirs = [p.reportDir];
    if (p.redisUrl) config.redis = { url: p.redisUrl, prefix: "aegis:up" }; // keys: aegis:up:<keeper name>:…
    const file = join(p.dir, `${name}.toml`);
    mkdirSync(p.dir, { recursive: true });
    writeFileSync(file, stringify(config));
    files.push(file);
  }
  return files;
}
