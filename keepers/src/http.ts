/**
 * The keeper's HTTP server: /metrics (Prometheus), /healthz, /status (JSON for operators and
 * tests), POST /reports (embedded intake: a node or a script posts signed reports without NATS),
 * and the published documents under /epochs/<epoch>.json and /evidence/<cid>.json.
 */
import { createReadStream, existsSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Logger } from "./logger.js";
import type { KeeperMetrics } from "./metrics.js";
import type { ReportDecision } from "./reportCheck.js";

export const MAX_REPORT_BODY = 1 << 20;

export interface HttpHandlers {
  metrics: KeeperMetrics;
  dataDir: string;
  health(): { ok: boolean; detail: Record<string, unknown> };
  status(): Promise<Record<string, unknown>>;
  /** undefined when this keeper has no ingest role. */
  submitReport?: (bytes: Uint8Array) => Promise<ReportDecision>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  res.writeHead(status, { "content-type": "application/json" });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startHttp(listen: string, h: HttpHandlers, log: Logger): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const i = listen.lastIndexOf(":");
  const host = listen.slice(0, i) || "127.0.0.1";
  const port = Number(listen.slice(i + 1));
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://keeper");
      if (req.method === "GET" && url.pathname === "/metrics") {
        res.writeHead(200, { "content-type": h.metrics.registry.contentType });
        res.end(await h.metrics.registry.metrics());
      } else if (req.method === "GET" && url.pathname === "/healthz") {
        const s = h.health();
        json(res, s.ok ? 200 : 503, s);
      } else if (req.method === "GET" && url.pathname === "/status") {
        json(res, 200, await h.status());
      } else if (req.method === "POST" && url.pathname === "/reports") {
        if (!h.submitReport) return json(res, 404, { error: "this keeper does not run the ingest role" });
        const body = await readBody(req, MAX_REPORT_BODY);
        if (!body) return json(res, 413, { error: "report too large" });
        const bytes = (req.headers["content-type"] ?? "").startsWith("text/") ? Buffer.from(body.toString("utf8").trim(), "base64") : body;
        const d = await h.submitReport(bytes);
        if (d.kind === "reject") json(res, 422, { result: "rejected", reason: d.reason, detail: d.detail });
        else json(res, 202, { result: d.kind === "accept" ? "accepted" : "duplicate" });
      } else if (req.method === "GET" && /^\/(epochs\/\d+|evidence\/[a-z0-9]+)\.json$/.test(url.pathname)) {
        const path = join(h.dataDir, url.pathname);
        if (!existsSync(path)) return json(res, 404, { error: "not found" });
        res.writeHead(200, { "content-type": "application/json" });
        createReadStream(path).pipe(res);
      } else json(res, 404, { error: "not found" });
    })().catch((err: Error) => {
      log.error({ err: err.message, url: req.url }, "http handler failed");
      if (!res.headersSent) json(res, 500, { error: "internal error" });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    server,
    url: `http://${addr.address.includes(":") ? `[${addr.address}]` : addr.address}:${addr.port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
