/**
 * Config-based peer directory for the embedded mode (no chain): the operator lists the nodes it
 * trusts, with stake and status, in a TOML or JSON file. The file is re-read when it changes; an
 * invalid file is reported and the last good directory stays in force. The on-chain directory
 * implements the same `PeerDirectory` interface from cached registry accounts.
 */
import { readFileSync, unwatchFile, watchFile } from "node:fs";
import bs58 from "bs58";
import { parse as parseToml } from "smol-toml";
import { z } from "zod";
import { PeerDirectoryError } from "./errors.js";
import type { PeerDirectory, PeerStanding } from "./types.js";

const stakeValue = z.union([z.string().regex(/^[0-9]{1,30}$/), z.number().int().nonnegative(), z.bigint().nonnegative()]).transform((v) => BigInt(v));

const address = z.string().refine((s) => {
  try {
    return bs58.decode(s).length === 32;
  } catch {
    return false;
  }
}, "not a base58 Ed25519 address");

export const peerDirectoryFileSchema = z
  .object({
    min_stake: stakeValue.default(0),
    peers: z
      .array(
        z
          .object({
            address,
            stake: stakeValue,
            active: z.boolean().default(true),
            zones: z.array(z.string().min(1).max(253)).max(10_000).optional(),
          })
          .strict(),
      )
      .max(100_000)
      .default([]),
  })
  .strict();

export type PeerDirectoryFile = z.input<typeof peerDirectoryFileSchema>;

export class ConfigPeerDirectory implements PeerDirectory {
  private peers = new Map<string, PeerStanding>();
  private zoneCounts = new Map<string, number>();
  private min = 0n;
  private watching: string | undefined;

  /** Builds from already-parsed data (throws PeerDirectoryError when invalid). */
  static fromData(data: unknown): ConfigPeerDirectory {
    const dir = new ConfigPeerDirectory();
    dir.apply(data, "directory data");
    return dir;
  }

  /** Loads `path` (.toml or .json); throws PeerDirectoryError when the first load fails. */
  static load(path: string): ConfigPeerDirectory {
    const dir = new ConfigPeerDirectory();
    dir.apply(readDirectoryFile(path), path);
    return dir;
  }

  get minStake(): bigint {
    return this.min;
  }

  lookup(addr: string): PeerStanding | undefined {
    return this.peers.get(addr);
  }

  nodesServing(zone: string): number | undefined {
    return this.zoneCounts.get(zone);
  }

  get size(): number {
    return this.peers.size;
  }

  /** Re-reads `path`. On error the previous directory stays and the error is returned. */
  reload(path: string): PeerDirectoryError | undefined {
    try {
      this.apply(readDirectoryFile(path), path);
      return undefined;
    } catch (err) {
      return err instanceof PeerDirectoryError ? err : new PeerDirectoryError(String(err), { cause: err });
    }
  }

  /** Polls `path` for changes and reloads; `onError` hears about rejected files. */
  watch(path: string, onError: (err: PeerDirectoryError) => void, intervalMs = 1000): void {
    this.unwatch();
    this.watching = path;
    watchFile(path, { interval: intervalMs, persistent: false }, () => {
      const err = this.reload(path);
      if (err) onError(err);
    });
  }

  unwatch(): void {
    if (this.watching) unwatchFile(this.watching);
    this.watching = undefined;
  }

  private apply(data: unknown, source: string): void {
    const parsed = peerDirectoryFileSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PeerDirectoryError(`${source}: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
    }
    const peers = new Map<string, PeerStanding>();
    const counts = new Map<string, number>();
    for (const p of parsed.data.peers) {
      if (peers.has(p.address)) throw new PeerDirectoryError(`${source}: peer ${p.address} listed twice`);
      peers.set(p.address, { address: p.address, active: p.active, stake: p.stake, ...(p.zones ? { zones: [...p.zones] } : {}) });
      if (p.active && p.stake >= parsed.data.min_stake) for (const z of p.zones ?? []) counts.set(z, (counts.get(z) ?? 0) + 1);
    }
    this.peers = peers;
    this.zoneCounts = counts;
    this.min = parsed.data.min_stake;
  }
}

function readDirectoryFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new PeerDirectoryError(`cannot read peer directory ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return path.endsWith(".json") ? JSON.parse(text) : parseToml(text);
  } catch (err) {
    throw new PeerDirectoryError(`${path}: not valid ${path.endsWith(".json") ? "JSON" : "TOML"}: ${(err as Error).message}`, { cause: err });
  }
}

export type TrustVerdict = { ok: true; standing: PeerStanding } | { ok: false; reason: "unknown_peer" | "inactive_peer" | "insufficient_stake" | "not_serving_zone" };

/** Whether `addr` may publish, optionally about `zone`. */
export function checkTrust(dir: PeerDirectory, addr: string, zone?: string): TrustVerdict {
  const standing = dir.lookup(addr);
  if (!standing) return { ok: false, reason: "unknown_peer" };
  if (!standing.active) return { ok: false, reason: "inactive_peer" };
  if (standing.stake < dir.minStake) return { ok: false, reason: "insufficient_stake" };
  if (zone !== undefined && standing.zones !== undefined && !standing.zones.includes(zone)) return { ok: false, reason: "not_serving_zone" };
  return { ok: true, standing };
}
