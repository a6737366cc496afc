/**
 * Wire form of rate-limit counter deltas. One message carries, for one zone, the PN entries of
 * one or more replicas: `[ip, windowSecs, windowIndex, p, n]`. Entries are absolute replica
 * values (not increments), so a message can be lost, duplicated or reordered without harm: the
 * next one carries the newer value and join is a max.
 */
import { SyncDecodeError } from "./errors.js";

export type CounterEntry = [ip: string, windowSecs: number, index: number, p: number, n: number];

export interface CounterGroup {
  /** Replica (node address) the entries belong to. */
  readonly node: string;
  readonly entries: CounterEntry[];
}

export interface CounterMessage {
  readonly v: 1;
  /** Sending node. */
  readonly from: string;
  /** Sender's wall clock at send (ms, sub-ms precision) — used to measure propagation. */
  readonly sentAt: number;
  readonly zone: string;
  readonly groups: CounterGroup[];
  /** True for an anti-entropy snapshot (all known replicas) rather than a delta. */
  readonly full?: boolean;
}

const encoder = new TextEncoder();

export function encodeCounterMessage(msg: CounterMessage): Uint8Array {
  return encoder.encode(JSON.stringify(msg));
}

const MAX_ENTRIES = 100_000;

/** Decodes and validates; throws SyncDecodeError on any malformed part (the whole message is dropped). */
export function decodeCounterMessage(payload: Uint8Array): CounterMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload).toString("utf8"));
  } catch {
    throw new SyncDecodeError("counter message is not JSON");
  }
  const m = raw as Partial<CounterMessage> | null;
  if (!m || typeof m !== "object" || m.v !== 1) throw new SyncDecodeError("counter message: bad version");
  if (typeof m.from !== "string" || m.from.length === 0 || m.from.length > 64) throw new SyncDecodeError("counter message: bad sender");
  if (typeof m.sentAt !== "number" || !Number.isFinite(m.sentAt)) throw new SyncDecodeError("counter message: bad sentAt");
  if (typeof m.zone !== "string" || m.zone.length === 0 || m.zone.length > 253) throw new SyncDecodeError("counter message: bad zone");
  if (!Array.isArray(m.groups)) throw new SyncDecodeError("counter message: groups missing");
  let total = 0;
  for (const g of m.groups) {
    if (!g || typeof g.node !== "string" || g.node.length === 0 || g.node.length > 64 || !Array.isArray(g.entries)) {
      throw new SyncDecodeError("counter message: bad group");
    }
    total += g.entries.length;
    if (total > MAX_ENTRIES) throw new SyncDecodeError("counter message: too many entries");
    for (const e of g.entries) {
      if (
        !Array.isArray(e) ||
        e.length !== 5 ||
        typeof e[0] !== "string" ||
        e[0].length === 0 ||
        e[0].length > 64 ||
        !isCount(e[1]) ||
        e[1] < 1 ||
        !isCount(e[2]) ||
        !isCount(e[3]) ||
        !isCount(e[4])
      ) {
        throw new SyncDecodeError("counter message: bad entry");
      }
    }
  }
  return { v: 1, from: m.from, sentAt: m.sentAt, zone: m.zone, groups: m.groups, ...(m.full ? { full: true } : {}) };
}

function isCount(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}
