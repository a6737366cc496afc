/** Cluster names → RPC URLs, as the Solana CLI spells them. */
import { usageError } from "./errors.js";

export const CLUSTERS: Record<string, string> = {
  localnet: "http://127.0.0.1:8899",
  devnet: "https://api.devnet.solana.com",
  testnet: "https://api.testnet.solana.com",
  "mainnet-beta": "https://api.mainnet-beta.solana.com",
};

export function resolveCluster(nameOrUrl: string): string {
  const known = CLUSTERS[nameOrUrl];
  if (known) return known;
  if (/^https?:\/\//.test(nameOrUrl)) {
    try {
      return new URL(nameOrUrl).toString().replace(/\/$/, "");
    } catch {
      /* fall through */
    }
  }
  throw usageError(`unknown cluster "${nameOrUrl}"`, `use ${Object.keys(CLUSTERS).join(", ")} or an http(s) RPC URL`);
}
