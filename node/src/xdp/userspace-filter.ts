/**
 * The fallback used where XDP cannot run (no privileges, not Linux, no clang/bpftool): the same
 * lists and per-source budgets, applied by the proxy to connections (the SYN budget) and
 * requests (the packet budget) through `admit`.
 */
import type { Logger } from "pino";
import { LRUCache } from "lru-cache";
import { Registry } from "prom-client";
import { addressBytes, addressHex, parseCidr } from "./cidr.js";
import { XdpError } from "./errors.js";
import { validateLimits, validateTtl } from "./limits.js";
import { createFilterMetrics, emptyCounters, type FilterMetrics } from "./metrics.js";
import { PrefixTable } from "./prefix-table.js";
import { take, type Bucket } from "./token-bucket.js";
import type {
  AdmitKind,
  BatchResult,
  Counters,
  DdosFilter,
  ListEntry,
  ListEntryInput,
  ListReason,
  RateLimits,
  VerdictName,
} from "./types.js";

/** Parsed client addresses kept (see `UserspaceFilter.parsed`). */
const PARSED_MAX = 16_384;

interface SourceState {
  syn: Bucket;
  req: Bucket;
}

export interface UserspaceFilterOptions {
  readonly limits: RateLimits;
  readonly logger?: Logger;
  readonly registry?: Registry;
  /** Distinct sources tracked before the least recently seen is forgotten. */
  readonly maxSources?: number;
  readonly sweepIntervalMs?: number;
  /** Injected clock (ms) for tests of the arithmetic; default performance.now. */
  readonly now?: () => number;
}

export class UserspaceFilter implements DdosFilter {
  readonly mode = "userspace" as const;
  private current: RateLimits;
  private readonly blocked: PrefixTable;
  private readonly allowed: PrefixTable;
  private readonly sources: LRUCache<string, SourceState>;
  /**
   * Client address text → `addressHex` ("" when not an IP). A busy node sees the same clients
   * again and again; parsing the text per request was a measurable part of each request.
   */
  private readonly parsed: LRUCache<string, string>;
  private readonly tally: Counters = emptyCounters();
  private readonly now: () => number;
  private readonly metrics: FilterMetrics;
  private readonly timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: UserspaceFilterOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.current = validateLimits(opts.limits);
    this.blocked = new PrefixTable(this.now);
    this.allowed = new PrefixTable(this.now);
    this.sources = new LRUCache({ max: opts.maxSources ?? 100_000 });
    this.parsed = new LRUCache({ max: Math.min(opts.maxSources ?? 100_000, PARSED_MAX) });
    this.metrics = createFilterMetrics(opts.registry ?? new Registry(), this.mode, async () => this.snapshot());
    const every = opts.sweepIntervalMs ?? 5000;
    if (every > 0) {
      this.timer = setInterval(() => void this.sweep(), every);
      this.timer.unref();
    }
  }

  admit(clientIp: string, kind: AdmitKind): boolean {
    const key = this.hexOf(clientIp);
    if (key === "") return this.count("pass_non_ip", true);
    if (this.allowed.matches(key)) return this.count("pass_allowlist", true);
    if (this.blocked.matches(key)) return this.count("drop_blocklist", false);
    const l = this.current;
    if (l.packetsPerSec === 0 && l.synPerSec === 0) return this.count(kind === "connection" ? "pass_syn" : "pass", true);
    const t = this.now();
    let s = this.sources.get(key);
    if (!s) {
      s = { syn: { tokens: l.synBurst, at: t }, req: { tokens: l.packetBurst, at: t } };
      this.sources.set(key, s);
    }
    if (kind === "connection") {
      return take(s.syn, t, l.synPerSec, l.synBurst)
        ? this.count("pass_syn", true)
        : this.count("drop_syn_rate", false);
    }
    return take(s.req, t, l.packetsPerSec, l.packetBurst) ? this.count("pass", true) : this.count("drop_rate", false);
  }

  private hexOf(clientIp: string): string {
    let hex = this.parsed.get(clientIp);
    if (hex === undefined) {
      const addr = addressBytes(clientIp);
      hex = addr ? addressHex(addr) : "";
      this.parsed.set(clientIp, hex);
    }
    return hex;
  }

  private count(v: VerdictName, result: boolean): boolean {
    this.tally[v].packets++;
    return result;
  }

  async block(cidr: string, ttlSecs: number, reason: ListReason = "other"): Promise<void> {
    this.ensureOpen();
    this.blocked.set(parseCidr(cidr), validateTtl(ttlSecs), reason);
  }

  async blockMany(entries: readonly ListEntryInput[]): Promise<BatchResult> {
    this.ensureOpen();
    const rejected: Array<{ entry: ListEntryInput; error: string }> = [];
    let applied = 0;
    for (const e of entries) {
      try {
        this.blocked.set(parseCidr(e.cidr), validateTtl(e.ttlSecs), e.reason ?? "other");
        applied++;
      } catch (err) {
        rejected.push({ entry: e, error: (err as Error).message });
      }
    }
    return { applied, rejected };
  }

  async unblock(cidr: string): Promise<boolean> {
    return this.blocked.delete(parseCidr(cidr));
  }

  async allow(cidr: string, ttlSecs: number, reason: ListReason = "other"): Promise<void> {
    this.ensureOpen();
    this.allowed.set(parseCidr(cidr), validateTtl(ttlSecs), reason);
  }

  async unallow(cidr: string): Promise<boolean> {
    return this.allowed.delete(parseCidr(cidr));
  }

  async listBlocked(): Promise<ListEntry[]> {
    return this.blocked.list();
  }

  async listAllowed(): Promise<ListEntry[]> {
    return this.allowed.list();
  }

  async setLimits(limits: RateLimits): Promise<void> {
    this.current = validateLimits(limits);
    this.sources.clear();
  }

  limits(): RateLimits {
    return this.current;
  }

  async sweep(): Promise<number> {
    const removed = this.blocked.sweep() + this.allowed.sweep();
    if (removed) {
      this.metrics.expired.inc(removed);
      this.opts.logger?.debug({ removed }, "ddos filter: expired list entries removed");
    }
    this.metrics.listEntries.set({ list: "block" }, this.blocked.size);
    this.metrics.listEntries.set({ list: "allow" }, this.allowed.size);
    return removed;
  }

  async counters(): Promise<Counters> {
    return this.snapshot();
  }

  private snapshot(): Counters {
    return Object.fromEntries(Object.entries(this.tally).map(([k, v]) => [k, { ...v }])) as Counters;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
  }

  private ensureOpen(): void {
    if (this.closed) throw new XdpError("AEGIS_ERR_XDP_CLOSED", "ddos filter is closed");
  }
}
