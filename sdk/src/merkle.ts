/**
 * Reward Merkle tree with the rewards program's encoding (programs/rewards/src/merkle.rs):
 * leaf = sha256(0x00 ‖ node ‖ destination ‖ amount u64 LE ‖ metricsHash),
 * inner = sha256(0x01 ‖ min(a, b) ‖ max(a, b)); an odd node is promoted unchanged.
 */
import { sha256 } from "@noble/hashes/sha256";
import type { PublicKey } from "@solana/web3.js";

export interface RewardLeaf {
  node: PublicKey;
  /** Token account the reward is paid to. */
  destination: PublicKey;
  amount: bigint;
  /** 32 bytes: hash of the metrics the amount was computed from. */
  metricsHash: Uint8Array;
}

export class MerkleError extends Error {
  readonly code = "AEGIS_ERR_MERKLE";
}

export function leafHash(leaf: RewardLeaf): Buffer {
  if (leaf.metricsHash.length !== 32) throw new MerkleError("metricsHash must be 32 bytes");
  if (leaf.amount < 0n || leaf.amount >= 1n << 64n) throw new MerkleError("amount out of u64 range");
  const amount = Buffer.alloc(8);
  amount.writeBigUInt64LE(leaf.amount);
  return Buffer.from(sha256(Buffer.concat([Buffer.from([0]), leaf.node.toBuffer(), leaf.destination.toBuffer(), amount, Buffer.from(leaf.metricsHash)])));
}

export function innerHash(a: Uint8Array, b: Uint8Array): Buffer {
  const [lo, hi] = Buffer.compare(Buffer.from(a), Buffer.from(b)) <= 0 ? [a, b] : [b, a];
  return Buffer.from(sha256(Buffer.concat([Buffer.from([1]), Buffer.from(lo), Buffer.from(hi)])));
}

export function verifyProof(proof: Uint8Array[], root: Uint8Array, leaf: Uint8Array): boolean {
  const got = proof.reduce<Buffer>((acc, sib) => innerHash(acc, sib), Buffer.from(leaf));
  return got.equals(Buffer.from(root));
}

export class RewardTree {
  private readonly levels: Buffer[][];
  readonly leaves: RewardLeaf[];

  constructor(leaves: RewardLeaf[]) {
    if (leaves.length === 0) throw new MerkleError("a reward tree needs at least one leaf");
    this.leaves = leaves;
    this.levels = [leaves.map(leafHash)];
    for (let level = this.levels[0]!; level.length > 1; ) {
      const next: Buffer[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? innerHash(level[i]!, level[i + 1]!) : level[i]!);
      this.levels.push(next);
      level = next;
    }
  }

  get root(): Buffer {
    return this.levels[this.levels.length - 1]![0]!;
  }

  /** Sum of the leaf amounts: the epoch total submitted with the root. */
  get total(): bigint {
    return this.leaves.reduce((a, l) => a + l.amount, 0n);
  }

  proof(index: number): Buffer[] {
    if (index < 0 || index >= this.leaves.length) throw new MerkleError(`no leaf ${index}`);
    const out: Buffer[] = [];
    let i = index;
    for (const level of this.levels.slice(0, -1)) {
      const sib = i ^ 1;
      if (sib < level.length) out.push(level[sib]!);
      i = Math.floor(i / 2);
    }
    return out;
  }

  indexOf(node: PublicKey): number {
    return this.leaves.findIndex((l) => l.node.equals(node));
  }
}
