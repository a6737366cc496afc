/**
 * Types shared by the kernel (XDP) filter and the user-space fallback. Both implement
 * `DdosFilter`, so the proxy holds one object whatever this machine can do.
 */
import type { Logger } from "pino";
import type { Registry } from "prom-client";

/** Where the filter runs. */
export type FilterMode = "xdp-native" | "xdp-generic" | "userspace";

/** Per-source budgets. A rate of 0 disables that budget. */
export interface RateLimits {
  /** Packets per second per source address (user space: requests per second). */
  readonly packetsPerSec: number;
  readonly packetBurst: number;
  /** TCP SYNs per second per source address (user space: new connections per second). */
  readonly synPerSec: number;
  readonly synBurst: number;
}

/** Why a list entry exists; stored as a small code in the kernel map. */
export const LIST_REASONS = ["other", "manual", "threat-intel", "policy", "abuse"] as const;
export type ListReason = (typeof LIST_REASONS)[number];

export interface ListEntryInput {
  readonly cidr: string;
  /** Lifetime in seconds; 0 = until removed. */
  readonly ttlSecs: number;
  readonly reason?: ListReason;
}

export interface ListEntry {
  /** Normalised CIDR (`10.0.0.0/8`, `2001:db8::/32`). */
  readonly cidr: string;
  readonly reason: ListReason;
  /** Unix time in ms at which the entry stops applying; undefined = never. */
  readonly expiresAt: number | undefined;
}

export interface BatchResult {
  readonly applied: number;
  /** Entries refused (bad CIDR, bad TTL), with the error message; the others were applied. */
  readonly rejected: ReadonlyArray<{ readonly entry: ListEntryInput; readonly error: string }>;
}

/** The verdicts the filter counts; every packet (or connection/request in user space) gets one. */
export const VERDICTS = [
  "pass",
  "pass_syn",
  "pass_allowlist",
  "pass_non_ip",
  "drop_blocklist",
  "drop_rate",
  "drop_syn_rate",
  "drop_malformed",
] as const;
export type VerdictName = (typeof VERDICTS)[number];

export interface CounterValue {
  packets: number;
  bytes: number;
}
export type Counters = Record<VerdictName, CounterValue>;

/** What the user-space limiter is asked about: a new connection (SYN) or a request (packet). */
export type AdmitKind = "connection" | "request";

export interface DdosFilter {
  readonly mode: FilterMode;
  /** Block a CIDR (threat intelligence, operator). ttlSecs 0 = until unblocked. */
  block(cidr: string, ttlSecs: number, reason?: ListReason): Promise<void>;
  /** Apply many blocks in one map update; bad entries are reported, good ones applied. */
  blockMany(entries: readonly ListEntryInput[]): Promise<BatchResult>;
  /** Returns false when the CIDR was not blocked. */
  unblock(cidr: string): Promise<boolean>;
  allow(cidr: string, ttlSecs: number, reason?: ListReason): Promise<void>;
  unallow(cidr: string): Promise<boolean>;
  listBlocked(): Promise<ListEntry[]>;
  listAllowed(): Promise<ListEntry[]>;
  setLimits(limits: RateLimits): Promise<void>;
  limits(): RateLimits;
  /** Remove expired list entries now (also runs on a timer); returns how many were removed. */
  sweep(): Promise<number>;
  counters(): Promise<Counters>;
  /**
   * User-space check for the proxy's early phase. The XDP filter already dropped what it
   * drops in the kernel, so there it always answers true.
   */
  admit(clientIp: string, kind: AdmitKind): boolean;
  /** Detach / stop timers. Safe to call twice. */
  close(): Promise<void>;
}

export interface XdpOptions {
  /** Interface the node receives traffic on. */
  readonly iface: string;
  /** Network namespace name (`ip netns`), when the interface is not in ours. */
  readonly netns?: string;
  /** Compiled object; default node/xdp/build/aegis_xdp.o. */
  readonly objectPath?: string;
  /** bpffs directory for pins; default /sys/fs/bpf/aegis/<netns>-<iface>. */
  readonly pinDir?: string;
  /** Attach mode: "auto" tries native then generic. */
  readonly attachMode?: "auto" | "native" | "generic";
  /** How often expired entries are removed; default 5000 ms; 0 = only on sweep(). */
  readonly sweepIntervalMs?: number;
}

export interface DdosFilterConfig {
  /** "auto": XDP when possible, else user space with a warning. "xdp": fail when XDP cannot run. */
  readonly engine?: "auto" | "xdp" | "userspace";
  readonly xdp?: XdpOptions;
  /** Initial limits; default from sensitivity. */
  readonly limits?: RateLimits;
  /** Zone DDoS sensitivity 0–5 when limits are not given; default 2. */
  readonly sensitivity?: number;
  readonly logger?: Logger;
  readonly registry?: Registry;
}
