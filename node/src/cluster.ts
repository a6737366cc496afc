/**
 * Multi-core mode (node:cluster). Workers run the data plane on shared ports; the primary owns
 * what must be single per node: the analytics chain (one signed report per interval, merged from
 * worker counters over IPC), aggregated /metrics, /healthz and /purge fanned out to every worker.
 */
import cluster, { type Worker } from "node:cluster";
import { createServer } from "node:http";
import { join } from "node:path";
import { AggregatorRegistry } from "prom-client";
import { AnalyticsRecorder } from "./analytics/recorder.js";
import { NatsReportPublisher } from "./analytics/publisher.js";
import type { ZoneCounters } from "./analytics/report.js";
import type { NodeConfig } from "./config.js";
import { splitHostPort } from "./config.js";
import { loadOrCreateIdentity } from "./identity.js";
import type { Logger } from "./logger.js";
import { NodeMetrics } from "./metrics.js";
import { startEdgeNode } from "./server.js";
import { purgeRequestSchema } from "./types.js";

type Msg =
  | { type: "aegis:drain"; id: number }
  | { type: "aegis:counters"; id: number; zones: [string, SerializedCounters][] }
  | { type: "aegis:purge"; id: number; req: unknown }
  | { type: "aegis:purged"; id: number; purged: number }
  | { type: "aegis:shutdown" };

type SerializedCounters = { [K in keyof ZoneCounters]: ZoneCounters[K] extends bigint ? string : string[] };

const ser = (c: ZoneCounters): SerializedCounters => ({
  requests: String(c.requests),
  bytesOut: String(c.bytesOut),
  cacheHit: String(c.cacheHit),
  cacheMiss: String(c.cacheMiss),
  cacheStale: String(c.cacheStale),
  status: c.status.map(String),
  latency: c.latency.map(String),
});
const de = (s: SerializedCounters): ZoneCounters => ({
  requests: BigInt(s.requests),
  bytesOut: BigInt(s.bytesOut),
  cacheHit: BigInt(s.cacheHit),
  cacheMiss: BigInt(s.cacheMiss),
  cacheStale: BigInt(s.cacheStale),
  status: s.status.map(BigInt) as ZoneCounters["status"],
  latency: s.latency.map(BigInt),
});

export async function runWorker(config: NodeConfig, log: Logger): Promise<void> {
  if (config.ddos.iface && config.ddos.engine !== "off" && config.ddos.engine !== "userspace") {
    // One XDP program per interface: workers attaching it in turn would replace each other's maps.
    if (cluster.worker?.id === 1) log.warn({ iface: config.ddos.iface }, "ddos: XDP is not attached in cluster mode (workers > 1); each worker uses the user-space limiter");
    config = { ...config, ddos: { ...config.ddos, engine: "userspace" } };
  }
  if (config.sync.nats && cluster.worker?.id === 1) {
    // Known gap: the sync layer takes its CRDT replica id from the node identity, which all workers share.
    log.warn("sync: workers > 1 share one rate-limit replica id (the node identity), so other nodes see only part of this node's count; run workers = 1 with sync.nats");
  }
  const node = await startEdgeNode(config, { logger: log.child({ worker: cluster.worker?.id }), metricsListener: false, analyticsTimer: false });
  new AggregatorRegistry(); // registers prom-client's worker-side IPC listener for the primary's scrapes
  AggregatorRegistry.setRegistries([node.metrics.registry]);
  process.on("message", (m: Msg) => {
    if (m.type === "aegis:drain") {
      const zones = [...node.analytics.drain()].map(([d, c]) => [d, ser(c)] as [string, SerializedCounters]);
      process.send?.({ type: "aegis:counters", id: m.id, zones } satisfies Msg);
    } else if (m.type === "aegis:purge") {
      node.purge(m.req as never).then(
        (r) => process.send?.({ type: "aegis:purged", id: m.id, purged: r.purged } satisfies Msg),
        () => process.send?.({ type: "aegis:purged", id: m.id, purged: 0 } satisfies Msg),
      );
    } else if (m.type === "aegis:shutdown") {
      void node.close().then(() => process.exit(0));
    }
  });
}

export async function runPrimary(config: NodeConfig, workers: number, log: Logger): Promise<void> {
  const identity = loadOrCreateIdentity(config.identityKeyPath ?? join(config.dataDir, "identity.json"));
  const metrics = new NodeMetrics(false);
  const publisher = config.analytics.nats ? new NatsReportPublisher(config.analytics.nats.url, config.analytics.nats.stream, log) : undefined;
  const analytics = new AnalyticsRecorder(config.dataDir, identity, publisher, log, metrics, true);
  let shuttingDown = false;
  let nextId = 1;
  const ask = <T>(w: Worker, msg: Msg, reply: Msg["type"], pick: (m: Msg) => T, timeoutMs = 2_000): Promise<T | undefined> =>
    new Promise((resolve) => {
      const id = (msg as { id?: number }).id;
      const onMsg = (m: Msg) => {
        if (m.type === reply && (m as { id?: number }).id === id) {
          w.off("message", onMsg);
          clearTimeout(t);
          resolve(pick(m));
        }
      };
      const t = setTimeout(() => {
        w.off("message", onMsg);
        resolve(undefined);
      }, timeoutMs);
      w.on("message", onMsg);
      w.send(msg);
    });
  const live = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected());

  analytics.collect = async () => {
    const parts = await Promise.all(
      live().map((w) => ask(w, { type: "aegis:drain", id: nextId++ }, "aegis:counters", (m) => new Map((m as Extract<Msg, { type: "aegis:counters" }>).zones.map(([d, c]) => [d, de(c)])))),
    );
    return parts.filter((p): p is Map<string, ZoneCounters> => p !== undefined);
  };
  await analytics.start(config.analytics.intervalSecs);

  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on("exit", (w, code, signal) => {
    if (shuttingDown) return;
    log.error({ worker: w.id, code, signal }, "worker exited; starting a new one");
    cluster.fork();
  });

  const aggregator = new AggregatorRegistry();
  const admin = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? "/").split("?")[0];
      const send = (status: number, body: string, type = "application/json") => {
        res.writeHead(status, { "content-type": type });
        res.end(body);
      };
      if (req.method === "GET" && path === "/metrics") {
        const body = (await aggregator.clusterMetrics()) + "\n" + (await metrics.registry.metrics());
        return send(200, body, aggregator.contentType);
      }
      if (req.method === "GET" && path === "/healthz") return send(200, JSON.stringify({ status: "ok", node: identity.address, workers: live().length }));
      if (req.method === "POST" && path === "/purge") {
        const chunks: Buffer[] = [];
        for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          return send(400, JSON.stringify({ error: { code: "AEGIS_ERR_PURGE_INVALID", message: "body is not JSON" } }));
        }
        const check = purgeRequestSchema.safeParse(body);
        if (!check.success) return send(400, JSON.stringify({ error: { code: "AEGIS_ERR_PURGE_INVALID", message: check.error.issues.map((i) => i.message).join("; ") } }));
        const counts = await Promise.all(live().map((w) => ask(w, { type: "aegis:purge", id: nextId++, req: check.data }, "aegis:purged", (m) => (m as { purged: number }).purged)));
        return send(200, JSON.stringify({ purged: Math.max(0, ...counts.map((c) => c ?? 0)), workers: counts.length }));
      }
      send(404, JSON.stringify({ error: "not found" }));
    })().catch((err: Error) => {
      log.error({ err: err.message }, "admin request failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const { host, port } = splitHostPort(config.listen.metrics);
  admin.listen(port, host);
  log.info({ workers, node: identity.address }, "cluster primary started");

  const stop = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, "shutting down workers");
    for (const w of live()) w.send({ type: "aegis:shutdown" } satisfies Msg);
    const deadline = setTimeout(() => process.exit(1), config.shutdownGraceMs + 3_000);
    deadline.unref();
    const check = setInterval(() => {
      if (live().length > 0) return;
      clearInterval(check);
      admin.close();
      void analytics.stop().finally(() => process.exit(0));
    }, 100);
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}
