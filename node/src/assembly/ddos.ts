/**
 * The DDoS filter in the node: kernel XDP where it can run, else the user-space limiter
 * (node/src/xdp/). In user space the proxy applies it: new connections spend the source's SYN
 * budget (`guardConnections`), requests spend its packet budget (`DdosAdmitPhase`, 429).
 */
import type { Server as NetServer, Socket } from "node:net";
import type { Registry } from "prom-client";
import type { Logger } from "../logger.js";
import { CONTINUE, type EdgeRequest, type RequestPhase, type Verdict } from "../phase.js";
import type { TrustedProxies } from "../proxy/clientIp.js";
import type { Blocklist } from "../sync/types.js";
import { createDdosFilter, type DdosFilter, type ListEntryInput } from "../xdp/index.js";
import type { DdosConfig } from "./config.js";

export async function startDdosFilter(config: DdosConfig, logger: Logger, registry: Registry): Promise<DdosFilter | undefined> {
  if (config.engine === "off") return undefined;
  const filter = await createDdosFilter({
    engine: config.engine,
    ...(config.iface ? { xdp: { iface: config.iface, attachMode: config.attachMode, ...(config.netns ? { netns: config.netns } : {}) } } : {}),
    logger,
    registry,
  });
  for (const c of config.allow) await filter.allow(c, 0, "manual");
  if (config.block.length) {
    const r = await filter.blockMany(config.block.map((cidr) => ({ cidr, ttlSecs: 0, reason: "manual" as const })));
    for (const bad of r.rejected) logger.error({ cidr: bad.entry.cidr, err: bad.error }, "ddos.block entry refused");
  }
  logger.info({ mode: filter.mode, allow: config.allow.length, block: config.block.length }, "ddos filter ready");
  return filter;
}

/** Early request step: a request spends one token of its client's packet budget (user space only). */
export class DdosAdmitPhase implements RequestPhase {
  readonly name = "ddos";
  constructor(private readonly filter: DdosFilter) {}

  onRequest(req: EdgeRequest): Verdict {
    if (this.filter.admit(req.clientIp, "request")) return CONTINUE;
    return {
      kind: "respond",
      reason: "ddos:limited",
      response: {
        status: 429,
        headers: { "retry-after": "1", "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
        body: Buffer.from("Too Many Requests\n"),
      },
    };
  }
}

/**
 * Spends one SYN token per accepted connection and closes refused ones before any parsing
 * (the user-space stand-in for the kernel's SYN budget). Connections from trusted proxies are
 * not counted: their clients are limited per request, by the address the proxy reports.
 * (xdp's `guardServer` does the same without the trusted-proxy exemption.)
 */
export function guardConnections(filter: DdosFilter, server: NetServer, trusted: TrustedProxies): void {
  if (filter.mode !== "userspace") return;
  server.prependListener("connection", (socket: Socket) => {
    const peer = socket.remoteAddress ?? "";
    if (trusted.trusts(peer)) return;
    if (!filter.admit(peer, "connection")) socket.destroy();
  });
}

/**
 * Threat intelligence → the filter's blocklist (XDP maps where present): the sync layer's
 * `Blocklist` sink, batching the blocks of one tick into one `blockMany` (one bpftool batch).
 */
export class DdosBlocklistSink implements Blocklist {
  private pending: ListEntryInput[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly filter: DdosFilter,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  block(ip: string, untilMs: number): void {
    const ttlSecs = Math.ceil((untilMs - this.now()) / 1000);
    if (ttlSecs <= 0) return;
    this.pending.push({ cidr: ip, ttlSecs, reason: "threat-intel" });
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  async unblock(ip: string): Promise<void> {
    await this.flushing;
    await this.filter.unblock(ip).catch((err: Error) => this.logger.warn({ ip, err: err.message }, "ddos unblock failed"));
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.flushing = undefined;
    try {
      const r = await this.filter.blockMany(batch);
      for (const bad of r.rejected) this.logger.warn({ cidr: bad.entry.cidr, err: bad.error }, "threat block refused by the ddos filter");
    } catch (err) {
      this.logger.error({ err: (err as Error).message, entries: batch.length }, "threat blocks not applied to the ddos filter");
    }
  }

  /** Waits for blocks queued so far (shutdown, tests). */
  async settled(): Promise<void> {
    await this.flushing;
  }
}
