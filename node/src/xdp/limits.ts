/**
 * Zone DDoS sensitivity (policy `ddos.sensitivity`, 0–5) to per-source budgets. The filter is
 * node-wide (a packet does not say which zone it is for), so a node follows the strictest zone
 * it serves.
 */
import type { ZonePolicy } from "../policy/schema.js";
import { XdpError } from "./errors.js";
import type { RateLimits } from "./types.js";

const OFF: RateLimits = { packetsPerSec: 0, packetBurst: 0, synPerSec: 0, synBurst: 0 };

/** Index = sensitivity. Budgets are per source address; bursts are two seconds' worth. */
const TABLE: readonly RateLimits[] = [
  OFF,
  { packetsPerSec: 20_000, packetBurst: 40_000, synPerSec: 400, synBurst: 800 },
  { packetsPerSec: 10_000, packetBurst: 20_000, synPerSec: 200, synBurst: 400 },
  { packetsPerSec: 5_000, packetBurst: 10_000, synPerSec: 100, synBurst: 200 },
  { packetsPerSec: 2_000, packetBurst: 4_000, synPerSec: 40, synBurst: 80 },
  { packetsPerSec: 1_000, packetBurst: 2_000, synPerSec: 20, synBurst: 40 },
];

export const MAX_RATE = 100_000_000;
export const MAX_BURST = 1_000_000_000;

export function limitsForSensitivity(sensitivity: number): RateLimits {
  const s = Math.max(0, Math.min(TABLE.length - 1, Math.trunc(sensitivity)));
  return TABLE[s] ?? OFF;
}

/** The strictest sensitivity among the zones; zones at 0 (off) do not loosen the others. */
export function sensitivityOf(policies: ReadonlyArray<Pick<ZonePolicy, "ddos">>): number {
  return policies.reduce((max, p) => Math.max(max, p.ddos.sensitivity), 0);
}

export function validateLimits(l: RateLimits): RateLimits {
  const check = (name: string, v: number, max: number) => {
    if (!Number.isInteger(v) || v < 0 || v > max) {
      throw new XdpError("AEGIS_ERR_XDP_BAD_LIMITS", `${name} must be an integer in 0..${max}, got ${v}`);
    }
  };
  check("packetsPerSec", l.packetsPerSec, MAX_RATE);
  check("synPerSec", l.synPerSec, MAX_RATE);
  check("packetBurst", l.packetBurst, MAX_BURST);
  check("synBurst", l.synBurst, MAX_BURST);
  return {
    packetsPerSec: l.packetsPerSec,
    synPerSec: l.synPerSec,
    // A bucket must hold at least one packet.
    packetBurst: Math.max(1, l.packetBurst),
    synBurst: Math.max(1, l.synBurst),
  };
}

export function validateTtl(ttlSecs: number): number {
  if (!Number.isFinite(ttlSecs) || ttlSecs < 0 || ttlSecs > 10 * 365 * 86_400) {
    throw new XdpError("AEGIS_ERR_XDP_BAD_TTL", `ttlSecs must be 0 (never) or a positive number of seconds, got ${ttlSecs}`);
  }
  return ttlSecs;
}
