/**
 * Distributed fixed-window rate limiter built on PN-Counters, one per (zone, client IP, window).
 *
 * A decision reads only local memory: the counter holds this node's exact count and the latest
 * values received from the other nodes. Deltas (this node's absolute entries) are shipped in
 * batches; a receiver joins them with max, so loss, duplication and reordering are harmless.
 *
 * Error bound (see docs/sync.md): with k nodes, a flush interval f and a propagation delay d,
 * each other node can admit at most what it receives in (f + d) before this node hears of it, so
 * the cluster admits at most L + (k−1)·r·(f + d) per window for a per-node arrival rate r.
 * While a node is cut off from NATS it keeps enforcing locally but stops at its partition share
 * ceil(L / nodesServing) of new admissions, so a partition adds at most one share per isolated node.
 */
import { PNCounter } from "./crdt/pncounter.js";
import type { CounterEntry, CounterMessage } from "./counter-codec.js";
import type { RateDecision, RateRule } from "./types.js";

interface Slot {
  readonly ip: string;
  readonly windowSecs: number;
  readonly index: number;
  readonly counter: PNCounter;
}

export interface RateLimiterOptions {
  /** This node's replica id (its identity address). */
  readonly nodeId: string;
  readonly now?: () => number;
  /** Nodes serving a zone (peer directory); falls back to the nodes seen recently. */
  readonly nodesServing?: (zone: string) => number | undefined;
  /** How long a node counts as "seen" for the fallback (ms). */
  readonly peerSeenWindowMs?: number;
}

export interface CounterView {
  readonly value: number;
  readonly perNode: Record<string, { p: number; n: number }>;
}

export class DistributedRateLimiter {
  private readonly zones = new Map<string, Map<string, Slot>>();
  private readonly dirty = new Map<string, Set<string>>();
  private readonly peersSeen = new Map<string, Map<string, number>>();
  /** Own P at the moment the node became isolated, per zone\0key. */
  private readonly isolationBase = new Map<string, number>();
  private isolated = false;
  private readonly now: () => number;
  private readonly peerSeenWindowMs: number;
  /** Merged remote entries (for metrics and the merges/s bench). */
  merges = 0;

  constructor(private readonly opts: RateLimiterOptions) {
    this.now = opts.now ?? Date.now;
    this.peerSeenWindowMs = opts.peerSeenWindowMs ?? 300_000;
  }

  get nodeId(): string {
    return this.opts.nodeId;
  }

  static limitOf(rule: RateRule): number {
    return rule.requests + rule.burst;
  }

  /** Counts the request when admitted. `requests: 0` means unlimited (nothing is counted). */
  check(zone: string, ip: string, rule: RateRule): RateDecision {
    const now = this.now();
    const windowMs = rule.windowSecs * 1000;
    const index = Math.floor(now / windowMs);
    const retryAfterSecs = Math.max(1, Math.ceil(((index + 1) * windowMs - now) / 1000));
    const limit = DistributedRateLimiter.limitOf(rule);
    if (rule.requests === 0) return { allowed: true, count: 0, limit: Infinity, remaining: Infinity, retryAfterSecs, isolated: this.isolated };

    const key = slotKey(ip, rule.windowSecs, index);
    const slot = this.slot(zone, key, ip, rule.windowSecs, index);
    const count = slot.counter.value();
    let allowed = count < limit;
    if (allowed && this.isolated) {
      const baseKey = zone + "\u0000" + key;
      let base = this.isolationBase.get(baseKey);
      if (base === undefined) {
        base = slot.counter.entry(this.opts.nodeId).p;
        this.isolationBase.set(baseKey, base);
      }
      allowed = slot.counter.entry(this.opts.nodeId).p - base < this.partitionShare(zone, limit, now);
    }
    if (!allowed) return { allowed, count, limit, remaining: 0, retryAfterSecs, isolated: this.isolated };
    slot.counter.increment(this.opts.nodeId);
    this.markDirty(zone, key);
    return { allowed, count: count + 1, limit, remaining: Math.max(0, limit - count - 1), retryAfterSecs, isolated: this.isolated };
  }

  /** Gives back one admission of the current window (e.g. the request was answered without origin work). */
  refund(zone: string, ip: string, rule: RateRule): void {
    if (rule.requests === 0) return;
    const index = Math.floor(this.now() / (rule.windowSecs * 1000));
    const key = slotKey(ip, rule.windowSecs, index);
    const slot = this.zones.get(zone)?.get(key);
    if (!slot || slot.counter.value() <= 0) return;
    slot.counter.decrement(this.opts.nodeId);
    this.markDirty(zone, key);
  }

  /** What this node currently believes about (zone, ip) in the current window of `windowSecs`. */
  view(zone: string, ip: string, windowSecs: number): CounterView {
    const index = Math.floor(this.now() / (windowSecs * 1000));
    const slot = this.zones.get(zone)?.get(slotKey(ip, windowSecs, index));
    if (!slot) return { value: 0, perNode: {} };
    const perNode: Record<string, { p: number; n: number }> = {};
    for (const r of slot.counter.replicas()) perNode[r] = slot.counter.entry(r);
    return { value: slot.counter.value(), perNode };
  }

  /** Cut off from the other nodes (true) or back (false). */
  setIsolated(isolated: boolean): void {
    if (isolated === this.isolated) return;
    this.isolated = isolated;
    this.isolationBase.clear();
    if (isolated) {
      for (const [zone, slots] of this.zones) {
        for (const [key, slot] of slots) this.isolationBase.set(zone + "\u0000" + key, slot.counter.entry(this.opts.nodeId).p);
      }
    }
  }

  get isIsolated(): boolean {
    return this.isolated;
  }

  /** Joins a received message. Entries for windows that are over (or far ahead) are ignored. */
  applyRemote(msg: CounterMessage): number {
    const now = this.now();
    let merged = 0;
    this.seen(msg.zone, msg.from, now);
    for (const group of msg.groups) {
      if (group.node === this.opts.nodeId) continue; // our own entry is always exact locally
      this.seen(msg.zone, group.node, now);
      for (const [ip, windowSecs, index, p, n] of group.entries) {
        const current = Math.floor(now / (windowSecs * 1000));
        if (index < current - 1 || index > current + 1) continue;
        const key = slotKey(ip, windowSecs, index);
        this.slot(msg.zone, key, ip, windowSecs, index).counter.merge({ p: { [group.node]: p }, n: { [group.node]: n } });
        merged++;
      }
    }
    this.merges += merged;
    return merged;
  }

  /** This node's changed entries since the last call, one message per zone. */
  takeDeltas(sentAt: number): CounterMessage[] {
    const out: CounterMessage[] = [];
    for (const [zone, keys] of this.dirty) {
      const slots = this.zones.get(zone);
      if (!slots) continue;
      const entries: CounterEntry[] = [];
      for (const key of keys) {
        const s = slots.get(key);
        if (!s) continue;
        const e = s.counter.entry(this.opts.nodeId);
        entries.push([s.ip, s.windowSecs, s.index, e.p, e.n]);
      }
      if (entries.length) out.push({ v: 1, from: this.opts.nodeId, sentAt, zone, groups: [{ node: this.opts.nodeId, entries }] });
    }
    this.dirty.clear();
    return out;
  }

  get hasDeltas(): boolean {
    return this.dirty.size > 0;
  }

  /** Every replica's entries for live windows: sent after a reconnect so peers catch up on what we counted. */
  fullState(sentAt: number, maxEntriesPerMessage = 5000): CounterMessage[] {
    const out: CounterMessage[] = [];
    for (const [zone, slots] of this.zones) {
      const byNode = new Map<string, CounterEntry[]>();
      let size = 0;
      const flush = (): void => {
        if (size === 0) return;
        out.push({ v: 1, from: this.opts.nodeId, sentAt, zone, full: true, groups: [...byNode].map(([node, entries]) => ({ node, entries })) });
        byNode.clear();
        size = 0;
      };
      for (const s of slots.values()) {
        for (const node of s.counter.replicas()) {
          const e = s.counter.entry(node);
          let list = byNode.get(node);
          if (!list) byNode.set(node, (list = []));
          list.push([s.ip, s.windowSecs, s.index, e.p, e.n]);
          if (++size >= maxEntriesPerMessage) flush();
        }
      }
      flush();
    }
    return out;
  }

  /** Drops windows that are over; returns how many slots were freed. */
  prune(): number {
    const now = this.now();
    let freed = 0;
    for (const [zone, slots] of this.zones) {
      for (const [key, s] of slots) {
        if (s.index < Math.floor(now / (s.windowSecs * 1000)) - 1) {
          slots.delete(key);
          this.isolationBase.delete(zone + "\u0000" + key);
          freed++;
        }
      }
      if (slots.size === 0) this.zones.delete(zone);
    }
    for (const [zone, seen] of this.peersSeen) {
      for (const [node, at] of seen) if (at < now - this.peerSeenWindowMs) seen.delete(node);
      if (seen.size === 0) this.peersSeen.delete(zone);
    }
    return freed;
  }

  get slotCount(): number {
    let n = 0;
    for (const s of this.zones.values()) n += s.size;
    return n;
  }

  private partitionShare(zone: string, limit: number, now: number): number {
    let nodes = this.opts.nodesServing?.(zone);
    if (nodes === undefined || nodes < 1) {
      const seen = this.peersSeen.get(zone);
      let recent = 1; // this node
      if (seen) for (const [node, at] of seen) if (node !== this.opts.nodeId && at >= now - this.peerSeenWindowMs) recent++;
      nodes = recent;
    }
    return Math.ceil(limit / nodes);
  }

  private seen(zone: string, node: string, now: number): void {
    let m = this.peersSeen.get(zone);
    if (!m) this.peersSeen.set(zone, (m = new Map()));
    m.set(node, now);
  }

  private slot(zone: string, key: string, ip: string, windowSecs: number, index: number): Slot {
    let slots = this.zones.get(zone);
    if (!slots) this.zones.set(zone, (slots = new Map()));
    let s = slots.get(key);
    if (!s) slots.set(key, (s = { ip, windowSecs, index, counter: new PNCounter() }));
    return s;
  }

  private markDirty(zone: string, key: string): void {
    let set = this.dirty.get(zone);
    if (!set) this.dirty.set(zone, (set = new Set()));
    set.add(key);
  }
}

function slotKey(ip: string, windowSecs: number, index: number): string {
  return `${ip}|${windowSecs}|${index}`;
}
