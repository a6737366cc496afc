/** Where closed reports go besides the local file. NATS JetStream when configured. */
import { connect, type NatsConnection, type JetStreamClient } from "nats";
import type { Logger } from "../logger.js";

export interface ReportMeta {
  nodeAddress: string;
  sequence: bigint;
}

export interface ReportPublisher {
  publish(report: Uint8Array, meta: ReportMeta): Promise<void>;
  close(): Promise<void>;
}

export const reportSubject = (nodeAddress: string) => `aegis.reports.${nodeAddress}`;

/**
 * Publishes to JetStream subject `aegis.reports.<nodeAddress>` with a message id of
 * `<nodeAddress>:<sequence>` so a re-publish after a reconnect is de-duplicated by the server.
 */
export class NatsReportPublisher implements ReportPublisher {
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private ready: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly stream: string,
    private readonly log: Logger,
  ) {}

  private async ensure(): Promise<JetStreamClient> {
    if (this.js) return this.js;
    this.ready ??= (async () => {
      const nc = await connect({ servers: this.url, name: "aegis-node", maxReconnectAttempts: -1, reconnectTimeWait: 1_000 });
      const jsm = await nc.jetstreamManager();
      try {
        await jsm.streams.info(this.stream);
      } catch {
        await jsm.streams.add({ name: this.stream, subjects: ["aegis.reports.>"] });
      }
      this.nc = nc;
      this.js = nc.jetstream();
    })().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    await this.ready;
    return this.js!;
  }

  async publish(report: Uint8Array, meta: ReportMeta): Promise<void> {
    const js = await this.ensure();
    await js.publish(reportSubject(meta.nodeAddress), report, { msgID: `${meta.nodeAddress}:${meta.sequence}` });
  }

  async close(): Promise<void> {
    await this.nc?.drain().catch((err: Error) => this.log.warn({ err: err.message }, "nats drain failed"));
  }
}
