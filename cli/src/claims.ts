/**
 * Reward claim inputs. The oracles publish each epoch's leaves (docs/rewards.md); a claim needs
 * the node's leaf and its Merkle proof. Accepted file shapes (JSON):
 *
 *   { "epoch": 3, "leaves": [{ "node", "destination", "amount", "metricsHash" }, …] }
 *       every leaf of the epoch: the CLI rebuilds the tree and derives the proof;
 *   { "epoch": 3, "node", "destination", "amount", "metricsHash", "proof": ["hex", …] }
 *       one leaf with its proof (or an array of such objects).
 *
 * `amount` is in base units (string or number), hashes are hex (0x optional). The keepers' epoch
 * report (docs/keepers.md, served at `<keeper>/epochs/<e>.json`) is of the first shape, so a
 * source may also be its http(s) URL.
 */
import { readFileSync } from "node:fs";
import { PublicKey } from "@solana/web3.js";
import { RewardTree, type RewardLeaf } from "../../sdk/src/index.js";
import { CliError, EXIT } from "./errors.js";

export interface ClaimInput {
  epoch: number;
  leaf: RewardLeaf;
  proof: Buffer[];
  /** Root the leaves rebuild to (when the whole epoch was given). */
  root?: Buffer;
}

const bad = (file: string, msg: string) => new CliError("AEGIS_ERR_CLAIMS_FILE", `${file}: ${msg}`, EXIT.localFile, "pass the epoch file the oracles published (docs/cli.md, rewards)");

const hex32 = (file: string, v: unknown, what: string): Buffer => {
  const s = typeof v === "string" ? v.replace(/^0x/, "") : "";
  if (!/^[0-9a-fA-F]{64}$/.test(s)) throw bad(file, `${what} must be 32 bytes of hex`);
  return Buffer.from(s, "hex");
};

function leafOf(file: string, o: Record<string, unknown>): RewardLeaf {
  try {
    const amount = BigInt(String(o.amount));
    if (amount < 0n) throw new Error("negative");
    return { node: new PublicKey(String(o.node)), destination: new PublicKey(String(o.destination)), amount, metricsHash: hex32(file, o.metricsHash, "metricsHash") };
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw bad(file, `bad leaf (${(err as Error).message}): node, destination, amount, metricsHash`);
  }
}

async function readDoc(source: string): Promise<unknown> {
  if (/^https?:\/\//.test(source)) {
    let res: Response;
    try {
      res = await fetch(source, { signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      throw new CliError("AEGIS_ERR_NETWORK", `cannot fetch ${source}: ${(err as Error).message}`, EXIT.network);
    }
    if (!res.ok) throw new CliError("AEGIS_ERR_NETWORK", `${source} answered HTTP ${res.status}`, EXIT.network);
    try {
      return await res.json();
    } catch (err) {
      throw bad(source, `not JSON (${(err as Error).message})`);
    }
  }
  try {
    return JSON.parse(readFileSync(source, "utf8"));
  } catch (err) {
    throw bad(source, (err as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : `not JSON (${(err as Error).message})`);
  }
}

/** Reads a claims file or URL (see above). */
export async function loadClaims(file: string): Promise<ClaimInput[]> {
  const doc = await readDoc(file);
  const items = Array.isArray(doc) ? doc : [doc];
  const out: ClaimInput[] = [];
  for (const item of items) {
    if (!item || typeof item !== "object") throw bad(file, "expected an object");
    const o = item as Record<string, unknown>;
    const epoch = Number(o.epoch);
    if (!Number.isInteger(epoch) || epoch < 0) throw bad(file, "epoch must be a non-negative integer");
    if (Array.isArray(o.leaves)) {
      if (o.leaves.length === 0) throw bad(file, "leaves is empty");
      const leaves = o.leaves.map((l) => leafOf(file, l as Record<string, unknown>));
      const tree = new RewardTree(leaves);
      tree.leaves.forEach((leaf, i) => out.push({ epoch, leaf, proof: tree.proof(i), root: tree.root }));
    } else {
      if (!Array.isArray(o.proof)) throw bad(file, "a single leaf needs `proof` (array of hex)");
      out.push({ epoch, leaf: leafOf(file, o), proof: o.proof.map((p, i) => hex32(file, p, `proof[${i}]`)) });
    }
  }
  return out;
}
