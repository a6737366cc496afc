/**
 * One node's distributed state: wires the transport to the rate limiter, threat intelligence and
 * zone notices, batches counter deltas, queues signed events while disconnected and reconciles on
 * every (re)connect: first it republishes its full counter state and queued events, then it
 * replays from JetStream everything published since it lost the connection.
 */
import pino, { type Logger } from "pino";
import type { Registry } from "prom-client";
import type { NodeIdentity } from "../identity.js";
import { decodeCounterMessage, encodeCounterMessage } from "./counter-codec.js";
import { decodeEnvelope, encodeEnvelope } from "./envelope.js";
import { EventGate } from "./event-gate.js";
import { MemoryBlocklist } from "./memory-blocklist.js";
import { SyncMetrics, type SyncKind } from "./metrics.js";
import { NatsTransport } from "./nats-transport.js";
import { RateLimitPhase, ThreatBlockPhase } from "./phases.js";
import { DistributedRateLimiter } from "./rate-limiter.js";
import { Subjects } from "./subjects.js";
import { ThreatIntel } from "./threat-intel.js";
import { ZoneNotices } from "./notices.js";
import type { Blocklist, PeerDirectory, SignedEnvelope, SyncTransport } from "./types.js";

export interface SyncNodeOptions {
  readonly identity: NodeIdentity;
  readonly transport: SyncTransport;
  readonly directory: PeerDirectory;
  /** Subject prefix (default `aegis.sync`). */
  readonly subjectPrefix?: string;
  readonly logger?: Logger;
  readonly registry?: Registry;
  readonly now?: () => number;
  /** Counter delta batching interval (ms). Part of the rate-limit error bound. Default 5. */
  readonly flushIntervalMs?: number;
  /** Oldest signed event accepted, and the catch-up horizon on first connect (ms). Default 15 min. */
  readonly maxEventAgeMs?: number;
  /** Accepted clock skew for event timestamps (ms). Default 30 s. */
  readonly maxSkewMs?: number;
  /** Longest threat block (s). Default 1 day. */
  readonly maxThreatTtlSecs?: number;
  /** Zones this node serves (notices for others are ignored). Default: every zone. */
  readonly servesZone?: (zone: string) => boolean;
  /** Extra blocklist sinks (the XDP manager). The in-memory blocklist is always attached. */
  readonly blocklists?: readonly Blocklist[];
  /** Signed events kept while disconnected. Default 10 000 (oldest dropped first). */
  readonly outboxLimit?: number;
  /** Observes live propagation delays (ms), e.g. for benchmarks. */
  readonly onPropagation?: (kind: SyncKind, ms: number) => void;
}

/** Wall clock with sub-millisecond resolution, comparable across processes on one host. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

export class SyncNode {
  readonly limiter: DistributedRateLimiter;
  readonly threats: ThreatIntel;
  readonly notices: ZoneNotices;
  readonly blocklist: MemoryBlocklist;
  readonly metrics: SyncMetrics;
  readonly subjects: Subjects;
  readonly rateLimitPhase: RateLimitPhase;
  readonly threatBlockPhase: ThreatBlockPhase;
  private readonly logger: Logger;
  private readonly gate: EventGate;
  private readonly now: () => number;
  private readonly outbox: { subject: string; payload: Uint8Array }[] = [];
  private readonly unsubs: (() => void)[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private disconnectedAt: number | undefined;
  private everConnected = false;
  private catchup: Promise<void> = Promise.resolve();
  /** Resolves when the latest reconnect's catch-up finished (tests, bench). */
  lastCatchup: { at: number; replayed: number; ms: number } | undefined;

  constructor(private readonly opts: SyncNodeOptions) {
    this.logger = opts.logger ?? pino({ level: process.env.AEGIS_LOG_LEVEL ?? "info", base: { svc: "aegis-sync" } });
    this.now = opts.now ?? Date.now;
    this.metrics = new SyncMetrics(opts.registry);
    this.subjects = new Subjects(opts.subjectPrefix ?? "aegis.sync");
    const gate = (this.gate = new EventGate(opts.directory, { maxAgeMs: opts.maxEventAgeMs ?? 900_000, maxSkewMs: opts.maxSkewMs ?? 30_000 }));
    this.blocklist = new MemoryBlocklist(this.now);
    this.limiter = new DistributedRateLimiter({
      nodeId: opts.identity.address,
      now: this.now,
      nodesServing: opts.directory.nodesServing ? (z) => opts.directory.nodesServing!(z) : undefined,
    });
    this.limiter.setIsolated(true); // until the first connect
    this.threats = new ThreatIntel({
      identity: opts.identity,
      gate,
      metrics: this.metrics,
      logger: this.logger,
      now: this.now,
      send: (env) => this.sendSigned(this.subjects.threat(), env, "threat"),
      sinks: [this.blocklist, ...(opts.blocklists ?? [])],
      maxTtlSecs: opts.maxThreatTtlSecs ?? 86_400,
    });
    this.notices = new ZoneNotices({
      identity: opts.identity,
      gate,
      metrics: this.metrics,
      logger: this.logger,
      now: this.now,
      send: (env) => this.sendSigned(this.subjects.notice(env.body.zone), env, "notice"),
      servesZone: opts.servesZone ?? (() => true),
    });
    this.rateLimitPhase = new RateLimitPhase(this.limiter, { metrics: this.metrics });
    this.threatBlockPhase = new ThreatBlockPhase(this.blocklist);
  }

  get address(): string {
    return this.opts.identity.address;
  }

  get transport(): SyncTransport {
    return this.opts.transport;
  }

  async start(): Promise<void> {
    const t = this.opts.transport;
    this.unsubs.push(t.subscribe(this.subjects.all(), (subject, payload) => this.handle(subject, payload, "live")));
    this.unsubs.push(t.onStatus((c) => this.onStatus(c)));
    const flushMs = this.opts.flushIntervalMs ?? 5;
    this.flushTimer = setInterval(() => this.flush(), flushMs);
    this.sweepTimer = setInterval(() => {
      this.threats.sweep();
      this.limiter.prune();
      this.gate.guard.sweep(this.now());
    }, 1000);
    this.flushTimer.unref();
    this.sweepTimer.unref();
    await t.start();
  }

  async stop(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.flush();
    for (const u of this.unsubs.splice(0)) u();
    await this.catchup.catch(() => undefined);
    await this.opts.transport.stop();
  }

  /** Waits for the catch-up that follows the latest connect. */
  async settled(): Promise<void> {
    await this.catchup;
  }

  /** Publishes pending counter deltas now (also runs on the flush timer). */
  flush(): void {
    if (!this.opts.transport.isConnected || !this.limiter.hasDeltas) return;
    for (const msg of this.limiter.takeDeltas(preciseNow())) {
      if (this.opts.transport.publish(this.subjects.rateLimit(msg.zone), encodeCounterMessage(msg))) this.metrics.published.labels("rl").inc();
    }
  }

  private sendSigned(subject: string, env: SignedEnvelope, kind: SyncKind): void {
    const payload = encodeEnvelope(env);
    if (this.opts.transport.publish(subject, payload)) {
      this.metrics.published.labels(kind).inc();
      return;
    }
    this.outbox.push({ subject, payload });
    const limit = this.opts.outboxLimit ?? 10_000;
    while (this.outbox.length > limit) {
      this.outbox.shift();
      this.metrics.outboxDropped.inc();
    }
  }

  private onStatus(connected: boolean): void {
    this.metrics.connected.set(connected ? 1 : 0);
    if (!connected) {
      this.disconnectedAt ??= this.now();
      this.limiter.setIsolated(true);
      this.logger.warn("sync transport disconnected; enforcing locally");
      return;
    }
    const since = this.everConnected ? (this.disconnectedAt ?? this.now()) - 2000 : this.now() - (this.opts.maxEventAgeMs ?? 900_000);
    this.everConnected = true;
    this.disconnectedAt = undefined;
    this.limiter.setIsolated(false);
    this.logger.info({ since }, "sync transport connected; reconciling");
    this.catchup = this.reconcile(since);
  }

  private async reconcile(since: number): Promise<void> {
    const t = this.opts.transport;
    const started = this.now();
    // 1. what we hold that others may lack
    for (const msg of this.limiter.fullState(preciseNow())) {
      if (t.publish(this.subjects.rateLimit(msg.zone), encodeCounterMessage(msg))) this.metrics.published.labels("rl").inc();
    }
    this.limiter.takeDeltas(0); // covered by the full state
    while (this.outbox.length && t.isConnected) {
      const m = this.outbox[0]!;
      if (!t.publish(m.subject, m.payload)) break;
      this.outbox.shift();
      this.metrics.published.labels(this.subjects.kind(m.subject) ?? "threat").inc();
    }
    // 2. what others published while we were away
    try {
      const replayed = await t.replay(this.subjects.all(), since, (subject, payload) => this.handle(subject, payload, "replay"));
      this.lastCatchup = { at: this.now(), replayed, ms: this.now() - started };
      this.metrics.catchups.labels("ok").inc();
      this.logger.info({ replayed, ms: this.lastCatchup.ms }, "sync catch-up done");
    } catch (err) {
      this.metrics.catchups.labels("failed").inc();
      this.logger.error({ err }, "sync catch-up from JetStream failed; live sync continues");
    }
  }

  private handle(subject: string, payload: Uint8Array, via: "live" | "replay"): void {
    const kind = this.subjects.kind(subject);
    if (!kind) return;
    this.metrics.received.labels(kind, via).inc();
    if (kind === "rl") {
      let msg;
      try {
        msg = decodeCounterMessage(payload);
      } catch (err) {
        this.metrics.decodeErrors.labels("rl").inc();
        this.logger.warn({ subject, err: (err as Error).message }, "dropping malformed counter message");
        return;
      }
      if (msg.from === this.address) return;
      const merged = this.limiter.applyRemote(msg);
      this.metrics.merges.inc(merged);
      if (via === "live" && !msg.full) this.observe("rl", msg.sentAt);
      return;
    }
    const decoded = decodeEnvelope(payload);
    if (!decoded.ok) {
      this.metrics.decodeErrors.labels(kind).inc();
      this.metrics.rejected.labels(kind, "malformed").inc();
      this.logger.warn({ subject, error: decoded.error }, "dropping malformed signed event");
      return;
    }
    const env = decoded.env;
    if (env.node === this.address) return; // our own, seen again through the replay
    if (env.kind === "threat" && kind === "threat") {
      const r = this.threats.receive(env);
      if (r.accepted && via === "live") this.observe("threat", env.ts);
    } else if (env.kind === "notice" && kind === "notice" && subject === this.subjects.notice(env.body.zone)) {
      const r = this.notices.receive(env);
      if (r.accepted && via === "live") this.observe("notice", env.ts);
    } else {
      this.metrics.rejected.labels(kind, "malformed").inc();
    }
  }

  private observe(kind: SyncKind, sentAt: number): void {
    const ms = Math.max(0, preciseNow() - sentAt);
    this.metrics.propagation.labels(kind).observe(ms / 1000);
    this.opts.onPropagation?.(kind, ms);
  }
}

export interface NatsSyncNodeOptions extends Omit<SyncNodeOptions, "transport"> {
  readonly natsUrl: string | string[];
  /** JetStream stream (default AEGIS_SYNC). */
  readonly stream?: string;
  /** How long the stream keeps messages (ms, default 2 h). */
  readonly retentionMs?: number;
}

/** A SyncNode on a NatsTransport with matching stream subjects. */
export function createNatsSyncNode(opts: NatsSyncNodeOptions): SyncNode {
  const logger = opts.logger ?? pino({ level: process.env.AEGIS_LOG_LEVEL ?? "info", base: { svc: "aegis-sync" } });
  const prefix = opts.subjectPrefix ?? "aegis.sync";
  const transport = new NatsTransport({
    servers: opts.natsUrl,
    stream: opts.stream ?? "AEGIS_SYNC",
    streamSubjects: [`${prefix}.>`],
    retentionMs: Math.max(opts.retentionMs ?? 7_200_000, opts.maxEventAgeMs ?? 900_000),
    name: `aegis-sync-${opts.identity.address.slice(0, 8)}`,
    logger,
  });
  return new SyncNode({ ...opts, logger, transport });
}
