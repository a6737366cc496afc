/**
 * JetStream transport: a durable pull consumer per stream (reports, probes). A message is acked
 * only after ingest has stored it (or refused it for good), so a keeper killed at any point gets
 * the unacknowledged messages again on restart.
 */
import { AckPolicy, DeliverPolicy, connect, nanos, type Consumer, type JetStreamClient, type NatsConnection } from "nats";
import type { Logger } from "./logger.js";

export const REPORT_SUBJECTS = "aegis.reports.>";
export const PROBE_SUBJECTS = "aegis.probes.>";
export const probeSubject = (prober: string) => `aegis.probes.${prober}`;

export interface StreamSpec {
  stream: string;
  subjects: string;
  handle(data: Uint8Array): Promise<void>;
}

export class JetStreamTransport {
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private consumers: { spec: StreamSpec; consumer: Consumer }[] = [];
  private stopped = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly url: string,
    private readonly durable: string,
    private readonly log: Logger,
    /** Redelivery delay of a message fetched but never acked (its keeper died holding it). */
    private readonly ackWaitMs = 30_000,
  ) {}

  async start(specs: StreamSpec[]): Promise<void> {
    this.nc = await connect({ servers: this.url, name: `aegis-keeper-${this.durable}`, maxReconnectAttempts: -1, reconnectTimeWait: 1_000 });
    const jsm = await this.nc.jetstreamManager();
    this.js = this.nc.jetstream();
    for (const spec of specs) {
      try {
        await jsm.streams.info(spec.stream);
      } catch {
        try {
          await jsm.streams.add({ name: spec.stream, subjects: [spec.subjects] });
        } catch (err) {
          // Another process created it in between.
          if (!/already in use|exists/i.test((err as Error).message)) throw err;
        }
      }
      const name = `${this.durable}-${spec.stream}`.replace(/[^A-Za-z0-9_-]/g, "_");
      try {
        await jsm.consumers.info(spec.stream, name);
      } catch {
        await jsm.consumers.add(spec.stream, { durable_name: name, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: spec.subjects, max_ack_pending: 1024, ack_wait: nanos(this.ackWaitMs) });
      }
      const consumer = await this.js.consumers.get(spec.stream, name);
      this.consumers.push({ spec, consumer });
    }
    for (const c of this.consumers) this.loops.push(this.loop(c.spec, c.consumer));
  }

  private async loop(spec: StreamSpec, consumer: Consumer): Promise<void> {
    while (!this.stopped) {
      try {
        const batch = await consumer.fetch({ max_messages: 64, expires: 1_000 });
        for await (const m of batch) {
          try {
            await spec.handle(m.data);
            m.ack();
          } catch (err) {
            // Ingest could not decide (RPC down): redeliver later rather than lose the report.
            this.log.warn({ stream: spec.stream, err: (err as Error).message }, "message not processed; will be redelivered");
            m.nak(2_000);
          }
        }
      } catch (err) {
        if (!this.stopped) {
          this.log.warn({ stream: spec.stream, err: (err as Error).message }, "jetstream fetch failed");
          await new Promise((r) => setTimeout(r, 1_000));
        }
      }
    }
  }

  /** True when every consumer has nothing pending or unacknowledged. */
  async drained(): Promise<boolean> {
    for (const { consumer } of this.consumers) {
      const info = await consumer.info();
      if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
    }
    return true;
  }

  async publish(subject: string, data: Uint8Array, msgID: string): Promise<void> {
    if (!this.js) throw new Error("jetstream not started");
    await this.js.publish(subject, data, { msgID });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(this.loops);
    await this.nc?.drain().catch(() => undefined);
  }
}
