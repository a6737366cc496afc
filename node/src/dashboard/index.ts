/**
 * Operator dashboard, served by the node's admin/metrics listener:
 *
 *   GET /dashboard              the page (HTML, hand-written SVG charts, live over SSE)
 *   GET /dashboard/api/status   one snapshot (JSON)
 *   GET /dashboard/events       snapshots as Server-Sent Events every `intervalMs`
 *   GET /dashboard/api/reports  the latest signed analytics reports (base64), for `aegis metrics`
 *
 * Traffic, cache, WAF and DDoS numbers come from the node's Prometheus registry; status, stake,
 * epoch and rewards from the chain through the SDK ([chain] rpcUrl), read in the background and
 * kept when the chain is unreachable.
 */
import { open, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import type { Commitment } from "@solana/web3.js";
import type { NodeIdentity } from "../identity.js";
import type { Logger } from "../logger.js";
import type { PolicyStore } from "../policy/store.js";
import { decodeReport } from "../analytics/report.js";
import { ChainReader } from "./chain.js";
import { readCounters } from "./counters.js";
import { dashboardPage } from "./page.js";
import type { ChainStatus, DashboardSnapshot, Sample } from "./types.js";

export type { DashboardSnapshot } from "./types.js";

export interface DashboardDeps {
  registry: Registry;
  identity: NodeIdentity;
  nodeName: string;
  dataDir: string;
  policies: PolicyStore;
  /** The node's signed report log (AnalyticsRecorder.path). */
  reportsPath: string;
  chain?: { rpcUrl: string; commitment?: Commitment };
  logger: Logger;
  /** Sample and push interval (ms). Default 2000. */
  intervalMs?: number;
  /** Chart points kept. Default 180. */
  historyPoints?: number;
}

const MAX_REPORTS = 1000;
const REPORT_TAIL_BYTES = 4 * 1024 * 1024;

export class Dashboard {
  private readonly started = Date.now();
  private readonly history: Sample[] = [];
  private readonly clients = new Set<ServerResponse>();
  private readonly timer: NodeJS.Timeout;
  private readonly chainReader: ChainReader | undefined;
  private chainStatus: ChainStatus;
  private chainReading: Promise<void> | undefined;
  private readonly intervalMs: number;

  constructor(private readonly d: DashboardDeps) {
    this.intervalMs = d.intervalMs ?? 2_000;
    this.chainReader = d.chain ? new ChainReader({ rpcUrl: d.chain.rpcUrl, commitment: d.chain.commitment, identity: d.identity.publicKey, dataDir: d.dataDir, logger: d.logger }) : undefined;
    this.chainStatus = {
      rpcUrl: d.chain?.rpcUrl ?? null, node: this.chainReader?.nodeAddress ?? "", registered: false, status: null, reputation: null, operator: null, region: null,
      autoClaim: null, stake: null, epoch: null, rewards: null, readAt: null, error: d.chain ? null : "no [chain] section in the node config",
    };
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Serves the dashboard routes; false when the path is not one of them. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? "/", "http://admin");
    if (req.method !== "GET" || !(url.pathname === "/dashboard" || url.pathname.startsWith("/dashboard/"))) return false;
    const send = (status: number, body: string, type: string) => {
      res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
      res.end(body);
    };
    const fail = (err: Error) => {
      this.d.logger.error({ err: err.message }, "dashboard request failed");
      if (!res.headersSent) send(500, JSON.stringify({ error: { code: "AEGIS_ERR_DASHBOARD", message: err.message } }), "application/json");
    };
    switch (url.pathname) {
      case "/dashboard":
      case "/dashboard/":
        send(200, dashboardPage(this.d.nodeName), "text/html; charset=utf-8");
        return true;
      case "/dashboard/api/status":
        this.snapshot().then((s) => send(200, JSON.stringify(s), "application/json"), fail);
        return true;
      case "/dashboard/api/reports": {
        const limit = Math.min(MAX_REPORTS, Math.max(1, Number(url.searchParams.get("limit") ?? 10) || 10));
        this.reports(limit).then((reports) => send(200, JSON.stringify({ identity: this.d.identity.address, reports }), "application/json"), fail);
        return true;
      }
      case "/dashboard/events":
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
        res.write("retry: 2000\n\n");
        this.clients.add(res);
        req.on("close", () => this.clients.delete(res));
        this.snapshot().then((s) => res.write(`data: ${JSON.stringify(s)}\n\n`), fail);
        return true;
      default:
        send(404, JSON.stringify({ error: "not found" }), "application/json");
        return true;
    }
  }

  async snapshot(): Promise<DashboardSnapshot> {
    const traffic = await readCounters(this.d.registry);
    const last = await this.lastReport();
    return {
      identity: this.d.identity.address,
      nodeName: this.d.nodeName,
      startedAt: this.started,
      now: Date.now(),
      zones: [...this.d.policies.all().values()].map((z) => ({ domain: z.domain, policyVersion: z.policyVersion })),
      traffic,
      chain: this.chainStatus,
      history: this.history,
      reports: last,
    };
  }

  private async tick(): Promise<void> {
    try {
      const c = await readCounters(this.d.registry);
      this.history.push({ t: Date.now(), requests: c.requests, cacheHits: c.cacheHits, cacheMisses: c.cacheMisses, wafBlocked: c.wafBlocked, ddosDropped: c.ddosDropped });
      while (this.history.length > (this.d.historyPoints ?? 180)) this.history.shift();
      this.refreshChain();
      if (this.clients.size > 0) {
        const s = JSON.stringify(await this.snapshot());
        for (const res of this.clients) res.write(`data: ${s}\n\n`);
      }
    } catch (err) {
      this.d.logger.warn({ err: (err as Error).message }, "dashboard sample failed");
    }
  }

  /** One chain read at a time, in the background; the last good status stays on failure. */
  private refreshChain(): void {
    if (!this.chainReader || this.chainReading) return;
    this.chainReading = this.chainReader
      .read()
      .then(
        (s) => void (this.chainStatus = s),
        (err: Error) => void (this.chainStatus = { ...this.chainStatus, error: `chain unreachable: ${err.message}` }),
      )
      .finally(() => (this.chainReading = undefined));
  }

  /** The last `limit` lines of the report log (reads at most the file's last 4 MiB). */
  private async reports(limit: number): Promise<string[]> {
    let size: number;
    try {
      size = (await stat(this.d.reportsPath)).size;
    } catch {
      return [];
    }
    const start = Math.max(0, size - REPORT_TAIL_BYTES);
    const fh = await open(this.d.reportsPath, "r");
    try {
      const buf = Buffer.alloc(size - start);
      await fh.read(buf, 0, buf.length, start);
      const lines = buf.toString("utf8").split("\n").filter(Boolean);
      if (start > 0) lines.shift(); // possibly cut in the middle
      return lines.slice(-limit);
    } finally {
      await fh.close();
    }
  }

  private async lastReport(): Promise<DashboardSnapshot["reports"]> {
    const lines = await this.reports(1);
    const line = lines[0];
    if (!line) return { count: 0, lastSequence: null, lastEnd: null };
    try {
      const { report } = decodeReport(Buffer.from(line, "base64"));
      return { count: Number(report.sequence) + 1, lastSequence: report.sequence.toString(), lastEnd: Number(report.intervalEndMs) };
    } catch {
      return { count: 0, lastSequence: null, lastEnd: null };
    }
  }

  close(): void {
    clearInterval(this.timer);
    for (const res of this.clients) res.end();
    this.clients.clear();
    this.chainReader?.close();
  }
}
