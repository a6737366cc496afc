/**
 * failToProxy: the one mapping from any error to the client's response. The error's source picks
 * the status family (client → 4xx, origin → 502/504, internal → 500); the body carries the stable
 * code and the request id, never internal detail (that goes to the log).
 */
import { ProxyError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { NodeMetrics } from "../metrics.js";
import type { RequestContext } from "./context.js";

const PUBLIC_MESSAGE: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  408: "Request Timeout",
  413: "Payload Too Large",
  414: "URI Too Long",
  421: "Misdirected Request",
  431: "Request Header Fields Too Large",
  499: "Client Closed Request",
  500: "Internal Server Error",
  502: "Bad Gateway",
  504: "Gateway Timeout",
  508: "Loop Detected",
};

export function toProxyError(err: unknown): ProxyError {
  if (err instanceof ProxyError) return err;
  return new ProxyError("AEGIS_ERR_INTERNAL", 500, "internal", (err as Error)?.message ?? String(err), { cause: err });
}

export function errorBody(status: number, code: string, requestId: string): Buffer {
  return Buffer.from(JSON.stringify({ error: { status, code, message: PUBLIC_MESSAGE[status] ?? "Error", requestId } }) + "\n");
}

export function failToProxy(ctx: RequestContext, err: unknown, log: Logger, metrics: NodeMetrics, via: string): void {
  const e = toProxyError(err);
  ctx.error = e;
  metrics.count(metrics.proxyErrors, { code: e.code, source: e.source });
  const level = e.source === "internal" ? "error" : e.source === "origin" ? "warn" : "debug";
  log[level]({ reqId: ctx.id, zone: ctx.zone?.domain, code: e.code, source: e.source, err: e.message }, "request failed");
  const res = ctx.res;
  if (res.headersSent || res.destroyed || e.status === 499) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  const body = errorBody(e.status, e.code, ctx.id);
  res.statusCode = e.status;
  res.setHeader("content-type", "application/json");
  res.setHeader("content-length", body.length);
  res.setHeader("x-request-id", ctx.id);
  res.setHeader("via", via);
  res.setHeader("cache-control", "no-store");
  if (e.source === "client" && e.status !== 421 && e.status !== 413 && "httpVersionMajor" in ctx.req && ctx.req.httpVersionMajor === 1) {
    res.setHeader("connection", "close");
  }
  ctx.bytesOut += body.length;
  res.end(body);
}
