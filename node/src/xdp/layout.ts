/**
 * Byte layouts of the XDP program's maps (node/xdp/aegis_xdp.c); keep both in step.
 * Values are host-endian (the kernel and this process share a CPU), addresses network order.
 */
import { endianness } from "node:os";
import type { Prefix } from "./cidr.js";
import { LIST_REASONS, VERDICTS, type ListReason, type RateLimits } from "./types.js";

export const MAP_NAMES = {
  block: "aegis_block",
  allow: "aegis_allow",
  buckets: "aegis_buckets",
  config: "aegis_config",
  stats: "aegis_stats",
} as const;

/** The C `enum verdict` order. */
export const VERDICT_INDEX = VERDICTS;

const LE = endianness() === "LE";

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  if (LE) b.writeUInt32LE(v);
  else b.writeUInt32BE(v);
  return b;
}

function u64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  if (LE) b.writeBigUInt64LE(v);
  else b.writeBigUInt64BE(v);
  return b;
}

export function readU64(b: Buffer, off: number): bigint {
  return LE ? b.readBigUInt64LE(off) : b.readBigUInt64BE(off);
}

export function readU32(b: Buffer, off: number): number {
  return LE ? b.readUInt32LE(off) : b.readUInt32BE(off);
}

/** `struct lpm_key`: u32 prefixlen + 16 address bytes. */
export function lpmKey(p: Prefix): Buffer {
  return Buffer.concat([u32(p.prefixLen), Buffer.from(p.addr)]);
}

export function decodeLpmKey(b: Buffer): { prefixLen: number; addr: Uint8Array } {
  return { prefixLen: readU32(b, 0), addr: Uint8Array.from(b.subarray(4, 20)) };
}

export function reasonCode(r: ListReason | undefined): number {
  const i = LIST_REASONS.indexOf(r ?? "other");
  return i < 0 ? 0 : i;
}

export function reasonName(code: number): ListReason {
  return LIST_REASONS[code] ?? "other";
}

/** `struct lpm_val`: u64 expires_ns (CLOCK_MONOTONIC, 0 = never), u32 reason, u32 pad. */
export function lpmValue(expiresNs: bigint, reason: ListReason | undefined): Buffer {
  return Buffer.concat([u64(expiresNs), u32(reasonCode(reason)), u32(0)]);
}

export function decodeLpmValue(b: Buffer): { expiresNs: bigint; reason: ListReason } {
  return { expiresNs: readU64(b, 0), reason: reasonName(readU32(b, 8)) };
}

/** `struct config`: pkt_rate, pkt_burst, syn_rate, syn_burst (u64 each). */
export function configValue(l: RateLimits): Buffer {
  return Buffer.concat([
    u64(BigInt(l.packetsPerSec)),
    u64(BigInt(l.packetBurst)),
    u64(BigInt(l.synPerSec)),
    u64(BigInt(l.synBurst)),
  ]);
}

export function u32Key(v: number): Buffer {
  return u32(v);
}

/** Monotonic clock in ns, the same clock as bpf_ktime_get_ns (CLOCK_MONOTONIC on Linux). */
export function monotonicNs(): bigint {
  return process.hrtime.bigint();
}

export function expiryNs(ttlSecs: number): bigint {
  return ttlSecs === 0 ? 0n : monotonicNs() + BigInt(Math.round(ttlSecs * 1e9));
}

/** Unix ms of a monotonic deadline, for display. */
export function expiryToUnixMs(expiresNs: bigint): number | undefined {
  if (expiresNs === 0n) return undefined;
  return Date.now() + Number(expiresNs - monotonicNs()) / 1e6;
}

export function hex(b: Buffer): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
}

/** bpftool -j prints bytes as ["0x0a", ...]. */
export function fromJsonBytes(bytes: readonly string[]): Buffer {
  return Buffer.from(bytes.map((s) => parseInt(s, 16)));
}
