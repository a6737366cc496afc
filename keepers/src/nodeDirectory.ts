/** Identity key → on-chain node, cached for `ttlMs` (ingest looks up every report's signer). */
import { PublicKey } from "@solana/web3.js";
import { nodeKey } from "../../sdk/src/index.js";
import type { Chain, NodeInfo } from "./chain.js";

export class NodeDirectory {
  private cache = new Map<string, { at: number; node: NodeInfo | undefined }>();
  private oracleCache: { at: number; set: Set<string> } | undefined;

  constructor(
    private readonly chain: Chain,
    private readonly ttlMs: number,
  ) {}

  async byIdentity(identity: string): Promise<NodeInfo | undefined> {
    const hit = this.cache.get(identity);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.node;
    const node = await this.chain.node(nodeKey(new PublicKey(identity))[0]);
    this.cache.set(identity, { at: Date.now(), node });
    return node;
  }

  async oracles(): Promise<Set<string>> {
    if (this.oracleCache && Date.now() - this.oracleCache.at < this.ttlMs) return this.oracleCache.set;
    const { oracles } = await this.chain.oracles();
    this.oracleCache = { at: Date.now(), set: new Set(oracles) };
    return this.oracleCache.set;
  }
}
