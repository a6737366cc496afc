/**
 * Signed, hash-chained analytics reports: the canonical byte encoding, signing, verification and
 * chain checking. Pure functions with no node state, imported as-is by the keepers that verify
 * reports. The format is specified in docs/analytics-report.md; change both together and bump
 * REPORT_VERSION.
 */
import { ed25519 } from "@noble/curves/ed25519";
import { sha256 } from "@noble/hashes/sha2";

export const REPORT_MAGIC = new TextEncoder().encode("AEGISRPT");
export const REPORT_VERSION = 1;
/** Upper bounds (ms) of the latency histogram buckets; the last bucket is unbounded. */
export const LATENCY_BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, Infinity] as const;
export const SIGNATURE_BYTES = 64;
const HEADER_BYTES = 8 + 1 + 32 + 8 + 32 + 8 + 8 + 2;
const ZONE_FIXED_BYTES = 8 * (2 + 3 + 5 + LATENCY_BUCKETS_MS.length);

export interface ZoneCounters {
  requests: bigint;
  bytesOut: bigint;
  cacheHit: bigint;
  cacheMiss: bigint;
  cacheStale: bigint;
  /** Responses by status class: index 0 = 1xx … 4 = 5xx. */
  status: [bigint, bigint, bigint, bigint, bigint];
  /** Counts per LATENCY_BUCKETS_MS bucket. */
  latency: bigint[];
}

export interface AnalyticsReport {
  version: number;
  nodePublicKey: Uint8Array;
  sequence: bigint;
  /** SHA-256 of the previous report's bytes (body ‖ signature); zeros for sequence 0. */
  prevHash: Uint8Array;
  intervalStartMs: bigint;
  intervalEndMs: bigint;
  /** Domain → counters. Encoded sorted by domain bytes. */
  zones: Map<string, ZoneCounters>;
}

export interface DecodedReport {
  report: AnalyticsReport;
  body: Uint8Array;
  signature: Uint8Array;
}

export class ReportFormatError extends Error {
  readonly code = "AEGIS_ERR_REPORT_FORMAT";
  constructor(message: string) {
    super(message);
    this.name = "ReportFormatError";
  }
}

export function emptyCounters(): ZoneCounters {
  return { requests: 0n, bytesOut: 0n, cacheHit: 0n, cacheMiss: 0n, cacheStale: 0n, status: [0n, 0n, 0n, 0n, 0n], latency: LATENCY_BUCKETS_MS.map(() => 0n) };
}

const U64_MAX = (1n << 64n) - 1n;
const enc = new TextEncoder();
const dec = new TextDecoder("ascii", { fatal: true });

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** The signed part of a report, in canonical form. */
export function encodeReportBody(r: AnalyticsReport): Uint8Array {
  if (r.nodePublicKey.length !== 32) throw new ReportFormatError("node public key must be 32 bytes");
  if (r.prevHash.length !== 32) throw new ReportFormatError("prevHash must be 32 bytes");
  if (r.zones.size > 0xffff) throw new ReportFormatError("too many zones");
  const zones = [...r.zones.entries()].map(([d, c]) => [enc.encode(d), c] as const).sort((a, b) => compareBytes(a[0], b[0]));
  let size = HEADER_BYTES;
  for (const [d] of zones) {
    if (d.length < 1 || d.length > 253) throw new ReportFormatError("domain must be 1..253 bytes");
    size += 1 + d.length + ZONE_FIXED_BYTES;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let o = 0;
  const u64 = (v: bigint) => {
    if (v < 0n || v > U64_MAX) throw new ReportFormatError(`u64 out of range: ${v}`);
    view.setBigUint64(o, v, true);
    o += 8;
  };
  out.set(REPORT_MAGIC, o);
  o += 8;
  out[o++] = r.version;
  out.set(r.nodePublicKey, o);
  o += 32;
  u64(r.sequence);
  out.set(r.prevHash, o);
  o += 32;
  u64(r.intervalStartMs);
  u64(r.intervalEndMs);
  view.setUint16(o, zones.length, true);
  o += 2;
  for (const [d, c] of zones) {
    out[o++] = d.length;
    out.set(d, o);
    o += d.length;
    u64(c.requests);
    u64(c.bytesOut);
    u64(c.cacheHit);
    u64(c.cacheMiss);
    u64(c.cacheStale);
    for (const s of c.status) u64(s);
    if (c.latency.length !== LATENCY_BUCKETS_MS.length) throw new ReportFormatError("latency histogram has the wrong bucket count");
    for (const l of c.latency) u64(l);
  }
  return out;
}

/** body ‖ Ed25519(body). `sign` is the node identity's signer. */
export function signReport(r: AnalyticsReport, sign: (message: Uint8Array) => Uint8Array): Uint8Array {
  const body = encodeReportBody(r);
  const sig = sign(body);
  if (sig.length !== SIGNATURE_BYTES) throw new ReportFormatError("signature must be 64 bytes");
  const out = new Uint8Array(body.length + SIGNATURE_BYTES);
  out.set(body, 0);
  out.set(sig, body.length);
  return out;
}

/** Parses a signed report strictly (exact length, known version, sorted unique zones). Does not verify the signature. */
export function decodeReport(bytes: Uint8Array): DecodedReport {
  if (bytes.length < HEADER_BYTES + SIGNATURE_BYTES) throw new ReportFormatError("report too short");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 0;
  const need = (n: number) => {
    if (o + n > bytes.length - SIGNATURE_BYTES) throw new ReportFormatError("report truncated");
  };
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(o, true);
    o += 8;
    return v;
  };
  if (compareBytes(bytes.subarray(0, 8), REPORT_MAGIC) !== 0) throw new ReportFormatError("bad magic");
  o = 8;
  const version = bytes[o++]!;
  if (version !== REPORT_VERSION) throw new ReportFormatError(`unknown report version ${version}`);
  const nodePublicKey = bytes.slice(o, o + 32);
  o += 32;
  const sequence = u64();
  const prevHash = bytes.slice(o, o + 32);
  o += 32;
  const intervalStartMs = u64();
  const intervalEndMs = u64();
  const count = view.getUint16(o, true);
  o += 2;
  const zones = new Map<string, ZoneCounters>();
  let prev: Uint8Array | undefined;
  for (let i = 0; i < count; i++) {
    need(1);
    const len = bytes[o++]!;
    if (len < 1 || len > 253) throw new ReportFormatError("bad domain length");
    need(len);
    const d = bytes.subarray(o, o + len);
    o += len;
    if (prev && compareBytes(prev, d) >= 0) throw new ReportFormatError("zones not in canonical order");
    prev = d;
    let domain: string;
    try {
      domain = dec.decode(d);
    } catch {
      throw new ReportFormatError("domain not ASCII");
    }
    const c: ZoneCounters = {
      requests: u64(),
      bytesOut: u64(),
      cacheHit: u64(),
      cacheMiss: u64(),
      cacheStale: u64(),
      status: [u64(), u64(), u64(), u64(), u64()],
      latency: LATENCY_BUCKETS_MS.map(() => u64()),
    };
    zones.set(domain, c);
  }
  if (o !== bytes.length - SIGNATURE_BYTES) throw new ReportFormatError("trailing bytes after zones");
  if (intervalEndMs < intervalStartMs) throw new ReportFormatError("interval ends before it starts");
  return {
    report: { version, nodePublicKey, sequence, prevHash, intervalStartMs, intervalEndMs, zones },
    body: bytes.subarray(0, o),
    signature: bytes.subarray(o),
  };
}

/** True when the report parses, is signed by its node key and (if given) that key is `expectedPublicKey`. */
export function verifyReport(bytes: Uint8Array, expectedPublicKey?: Uint8Array): boolean {
  let d: DecodedReport;
  try {
    d = decodeReport(bytes);
  } catch {
    return false;
  }
  if (expectedPublicKey && compareBytes(expectedPublicKey, d.report.nodePublicKey) !== 0) return false;
  try {
    return ed25519.verify(d.signature, d.body, d.report.nodePublicKey);
  } catch {
    return false;
  }
}

/** SHA-256 of the full signed report: the next report's prevHash. */
export function reportHash(bytes: Uint8Array): Uint8Array {
  return sha256(bytes);
}

export type ChainProblem = "bad_report" | "node_changed" | "sequence_gap" | "hash_mismatch" | "interval_overlap";

export type ChainCheck = { ok: true; last: bigint | undefined } | { ok: false; index: number; problem: ChainProblem; detail: string };

/**
 * Checks consecutive reports of one node: each verifies, sequences increase by exactly one,
 * each prevHash is the hash of the report before, intervals do not overlap. The first report of
 * the list may start anywhere (pass `anchor` = the hash and sequence of the last report already
 * accepted to check continuity with it).
 */
export function checkChain(reports: readonly Uint8Array[], anchor?: { hash: Uint8Array; sequence: bigint; intervalEndMs?: bigint }): ChainCheck {
  let prevHash = anchor?.hash;
  let prevSeq = anchor?.sequence;
  let prevEnd = anchor?.intervalEndMs;
  let node: Uint8Array | undefined;
  for (let i = 0; i < reports.length; i++) {
    const bytes = reports[i]!;
    if (!verifyReport(bytes)) return { ok: false, index: i, problem: "bad_report", detail: "report does not parse or its signature fails" };
    const { report } = decodeReport(bytes);
    if (node && compareBytes(node, report.nodePublicKey) !== 0) return { ok: false, index: i, problem: "node_changed", detail: "report signed by a different node" };
    node = report.nodePublicKey;
    if (prevSeq !== undefined && report.sequence !== prevSeq + 1n) {
      return { ok: false, index: i, problem: "sequence_gap", detail: `sequence ${report.sequence} follows ${prevSeq}` };
    }
    if (prevHash !== undefined && compareBytes(prevHash, report.prevHash) !== 0) {
      return { ok: false, index: i, problem: "hash_mismatch", detail: "prevHash is not the hash of the previous report" };
    }
    if (prevSeq === undefined && report.sequence === 0n && report.prevHash.some((b) => b !== 0)) {
      return { ok: false, index: i, problem: "hash_mismatch", detail: "first report must have a zero prevHash" };
    }
    if (prevEnd !== undefined && report.intervalStartMs < prevEnd) {
      return { ok: false, index: i, problem: "interval_overlap", detail: "interval starts before the previous one ended" };
    }
    prevHash = reportHash(bytes);
    prevSeq = report.sequence;
    prevEnd = report.intervalEndMs;
  }
  return { ok: true, last: prevSeq };
}

export function latencyBucket(ms: number): number {
  for (let i = 0; i < LATENCY_BUCKETS_MS.length; i++) if (ms <= LATENCY_BUCKETS_MS[i]!) return i;
  return LATENCY_BUCKETS_MS.length - 1;
}
