/**
 * `aegis-keeper compute <inputs.json>`: the oracle's computation alone, from a file, printing the
 * root, total, CID and hash. Lets anyone check an epoch report (and tests compare processes).
 * Input: { epoch, pool, timing: { genesisTs, epochLengthSecs }, nodes: [NodeEpochInput with u64s as strings] }.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { computeEpochRewards } from "../../sdk/src/rewardsFormula.js";
import { buildEpochReport } from "./epochReport.js";
import { ConfigError } from "./errors.js";

const big = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform((v) => BigInt(v));
const inputSchema = z.object({
  epoch: z.number().int().min(0),
  pool: big,
  timing: z.object({ genesisTs: z.number().int(), epochLengthSecs: z.number().int().positive() }),
  counts: z.object({ reports: z.number().int(), probes: z.number().int() }).default({ reports: 0, probes: 0 }),
  nodes: z.array(
    z.object({
      node: z.string(),
      destination: z.string(),
      bytes: big,
      requests: big,
      reports: z.number().int().min(0),
      uptime: big,
      reputation: z.number().int(),
      stake: big,
      active: z.boolean(),
    }),
  ),
});

export async function computeFromFile(path: string): Promise<{ root: string | null; total: string; cid: string; hash: string; leaves: number }> {
  const r = inputSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!r.success) throw new ConfigError(`bad inputs ${path}: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const rewards = computeEpochRewards({ epoch: r.data.epoch, pool: r.data.pool, nodes: r.data.nodes });
  const rep = await buildEpochReport(rewards, r.data.timing, r.data.counts);
  return { root: rep.doc.root, total: rep.doc.total, cid: rep.cid, hash: rep.hash, leaves: rep.doc.leaves.length };
}
