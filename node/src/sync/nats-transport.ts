/**
 * SyncTransport over NATS: core subjects carry every message with the lowest latency; a
 * JetStream stream bound to the same subjects stores a copy of each (core publishes are captured
 * by the stream without a round trip), so a node that was away replays what it missed from an
 * ephemeral consumer starting at the time it lost the connection.
 */
import type { Logger } from "pino";
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  StorageType,
  connect,
  nanos,
  type NatsConnection,
  type Subscription,
} from "nats";
import type { MessageHandler, SyncTransport, Unsubscribe } from "./types.js";

export interface NatsTransportOptions {
  /** e.g. nats://127.0.0.1:4222 (several allowed). */
  readonly servers: string | string[];
  /** JetStream stream name holding the sync subjects. */
  readonly stream: string;
  /** Subjects the stream captures, e.g. `aegis.sync.>`. */
  readonly streamSubjects: string[];
  /** How long the stream keeps messages (ms): must cover the longest catch-up. */
  readonly retentionMs: number;
  readonly maxStreamBytes?: number;
  readonly name?: string;
  readonly logger: Logger;
  /** Delay between connection attempts while NATS is unreachable (ms). */
  readonly retryMs?: number;
}

interface SubRecord {
  readonly subject: string;
  readonly handler: MessageHandler;
  sub: Subscription | undefined;
}

export class NatsTransport implements SyncTransport {
  private nc: NatsConnection | undefined;
  private wanted = false;
  private connecting = false;
  private connected = false;
  private readonly subs = new Set<SubRecord>();
  private readonly listeners = new Set<(connected: boolean) => void>();
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: NatsTransportOptions) {}

  get isConnected(): boolean {
    return this.connected;
  }

  async start(): Promise<void> {
    this.wanted = true;
    void this.connectLoop();
  }

  async stop(): Promise<void> {
    this.wanted = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const nc = this.nc;
    this.nc = undefined;
    for (const s of this.subs) s.sub = undefined;
    this.setConnected(false);
    if (nc) await nc.close().catch(() => undefined);
  }

  publish(subject: string, payload: Uint8Array): boolean {
    const nc = this.nc;
    if (!nc || !this.connected) return false;
    try {
      nc.publish(subject, payload);
      return true;
    } catch (err) {
      this.opts.logger.warn({ err, subject }, "nats publish failed");
      return false;
    }
  }

  subscribe(subject: string, handler: MessageHandler): Unsubscribe {
    const rec: SubRecord = { subject, handler, sub: undefined };
    this.subs.add(rec);
    if (this.nc) this.attach(this.nc, rec);
    return () => {
      this.subs.delete(rec);
      rec.sub?.unsubscribe();
      rec.sub = undefined;
    };
  }

  async replay(subject: string, sinceMs: number, handler: MessageHandler): Promise<number> {
    const nc = this.nc;
    if (!nc) return 0;
    const jsm = await nc.jetstreamManager();
    const info = await jsm.consumers.add(this.opts.stream, {
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: new Date(Math.max(0, sinceMs)).toISOString(),
      filter_subject: subject,
      inactive_threshold: nanos(30_000),
      mem_storage: true,
    });
    let remaining = info.num_pending;
    let count = 0;
    try {
      const consumer = await nc.jetstream().consumers.get(this.opts.stream, info.name);
      while (remaining > 0) {
        const batch = await consumer.fetch({ max_messages: Math.min(remaining, 1000), expires: 5000 });
        let got = 0;
        for await (const m of batch) {
          got++;
          count++;
          remaining--;
          try {
            handler(m.subject, m.data);
          } catch (err) {
            this.opts.logger.error({ err, subject: m.subject }, "replay handler failed");
          }
        }
        if (got === 0) break;
      }
    } finally {
      await jsm.consumers.delete(this.opts.stream, info.name).catch(() => undefined);
    }
    return count;
  }

  onStatus(listener: (connected: boolean) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async connectLoop(): Promise<void> {
    if (this.connecting || this.nc || !this.wanted) return;
    this.connecting = true;
    try {
      const nc = await connect({
        servers: this.opts.servers,
        name: this.opts.name ?? "aegis-sync",
        noEcho: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: this.opts.retryMs ?? 250,
        pingInterval: 2000,
        maxPingOut: 2,
        timeout: 2000,
      });
      if (!this.wanted) {
        await nc.close();
        return;
      }
      this.nc = nc;
      this.watch(nc);
      await this.ensureStream(nc);
      for (const s of this.subs) this.attach(nc, s);
      this.setConnected(true);
    } catch (err) {
      this.opts.logger.debug({ err: (err as Error).message }, "nats not reachable, retrying");
      if (this.wanted) this.retryTimer = setTimeout(() => void this.connectLoop(), this.opts.retryMs ?? 250);
    } finally {
      this.connecting = false;
    }
  }

  private watch(nc: NatsConnection): void {
    void (async () => {
      for await (const s of nc.status()) {
        if (this.nc !== nc) return;
        if (s.type === "disconnect") this.setConnected(false);
        else if (s.type === "reconnect") {
          await this.ensureStream(nc);
          this.setConnected(true);
        }
      }
    })().catch(() => undefined);
    void nc.closed().then(() => {
      if (this.nc !== nc) return;
      this.nc = undefined;
      for (const s of this.subs) s.sub = undefined;
      this.setConnected(false);
      if (this.wanted) this.retryTimer = setTimeout(() => void this.connectLoop(), this.opts.retryMs ?? 250);
    });
  }

  private attach(nc: NatsConnection, rec: SubRecord): void {
    rec.sub = nc.subscribe(rec.subject, {
      callback: (err, msg) => {
        if (err) {
          this.opts.logger.warn({ err, subject: rec.subject }, "nats subscription error");
          return;
        }
        try {
          rec.handler(msg.subject, msg.data);
        } catch (e) {
          this.opts.logger.error({ err: e, subject: msg.subject }, "sync message handler failed");
        }
      },
    });
  }

  /** Creates the stream, or widens its subjects; a failure is logged (catch-up then fails, live sync works). */
  private async ensureStream(nc: NatsConnection): Promise<void> {
    try {
      const jsm = await nc.jetstreamManager();
      const config = {
        name: this.opts.stream,
        subjects: this.opts.streamSubjects,
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        max_age: nanos(this.opts.retentionMs),
        max_bytes: this.opts.maxStreamBytes ?? 256 * 1024 * 1024,
        num_replicas: 1,
      };
      try {
        const info = await jsm.streams.info(this.opts.stream);
        const missing = this.opts.streamSubjects.filter((s) => !info.config.subjects.includes(s));
        if (missing.length) await jsm.streams.update(this.opts.stream, { ...config, subjects: [...info.config.subjects, ...missing] });
      } catch (err) {
        if (!/not found/i.test((err as Error).message)) throw err;
        await jsm.streams.add(config).catch(async (addErr: Error) => {
          // another node created it between our info and add
          if (!/already in use|name already/i.test(addErr.message)) throw addErr;
        });
      }
    } catch (err) {
      this.opts.logger.error({ err, stream: this.opts.stream }, "cannot ensure JetStream stream; catch-up after disconnect will be unavailable");
    }
  }

  private setConnected(c: boolean): void {
    if (this.connected === c) return;
    this.connected = c;
    for (const l of this.listeners) {
      try {
        l(c);
      } catch (err) {
        this.opts.logger.error({ err }, "transport status listener failed");
      }
    }
  }
}
