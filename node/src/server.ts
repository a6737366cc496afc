/**
 * startEdgeNode: the node's programmatic entry. Wires config → policy store → cache tiers →
 * origin pools → request-path modules (assembly/: DDoS filter, sync, WAF, bots, edge functions)
 * → the phase pipeline → HTTP / HTTPS (HTTP/2) listeners, plus the metrics/admin listener and the
 * analytics recorder. main.ts (CLI) and the tests both start nodes through here.
 */
import { mkdirSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createSecureServer, type Http2SecureServer } from "node:http2";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import type { Server as TlsServer } from "node:tls";
import { AnalyticsRecorder } from "./analytics/recorder.js";
import { assembleNode, type AssembledNode } from "./assembly/index.js";
import { startChain } from "./assembly/chain.js";
import { NatsReportPublisher, type ReportPublisher } from "./analytics/publisher.js";
import { HttpCache } from "./cache/httpCache.js";
import { MemoryTier } from "./cache/memoryTier.js";
import { RedisTier } from "./cache/redisTier.js";
import type { PurgeResult } from "./cache/types.js";
import { parseNodeConfig, splitHostPort, type NodeConfig, type NodeConfigInput } from "./config.js";
import { loadOrCreateIdentity, type NodeIdentity } from "./identity.js";
import { createLogger, type Logger } from "./logger.js";
import { NodeMetrics } from "./metrics.js";
import { PolicyStore } from "./policy/store.js";
import { TomlPolicySource } from "./policy/tomlSource.js";
import type { PolicySource } from "./policy/source.js";
import { TrustedProxies } from "./proxy/clientIp.js";
import { errorBody } from "./proxy/fail.js";
import { ProxyPipeline } from "./proxy/pipeline.js";
import { acceptProxyProtocol } from "./proxy/proxyProtocol.js";
import { UpstreamPools } from "./proxy/upstream.js";
import { CertStore } from "./tls/certStore.js";
import { Dashboard } from "./dashboard/index.js";
import type { ClientHelloTap } from "./tls/clientHelloTap.js";
import { randomUUID } from "node:crypto";
import { purgeRequestSchema, type PurgeRequest } from "./types.js";

export interface EdgeNodeOptions {
  /** Logger to use (tests pass a silent or captured one). Default: pino on stdout at config.log.level. */
  logger?: Logger;
  /** Serve /metrics from this node's registry (false in cluster workers: the primary aggregates). */
  metricsListener?: boolean;
  /** Sign and close analytics intervals here (false in cluster workers: they only count; the primary signs). */
  analyticsTimer?: boolean;
  /** Report publisher override (default: NATS when analytics.nats is configured). */
  reportPublisher?: ReportPublisher;
}

export interface EdgeNodeHandle {
  readonly httpUrl: string;
  readonly httpsUrl: string | undefined;
  readonly metricsUrl: string;
  readonly identity: NodeIdentity;
  readonly config: NodeConfig;
  readonly policies: PolicyStore;
  readonly cache: HttpCache;
  readonly analytics: AnalyticsRecorder;
  readonly metrics: NodeMetrics;
  readonly certs: CertStore | undefined;
  /** The request-path modules built from config (DDoS filter, sync, WAF, bots, edge functions). */
  readonly modules: AssembledNode;
  purge(req: PurgeRequest): Promise<PurgeResult>;
  /** Stops accepting, drains in-flight requests (up to shutdownGraceMs), closes the last report. */
  close(): Promise<void>;
}

export async function startEdgeNode(input: NodeConfigInput | NodeConfig, options: EdgeNodeOptions = {}): Promise<EdgeNodeHandle> {
  const config = parseNodeConfig(input);
  const log = options.logger ?? createLogger(config.log.level);
  mkdirSync(config.dataDir, { recursive: true });
  const metrics = new NodeMetrics(true);
  const identity = loadOrCreateIdentity(config.identityKeyPath ?? join(config.dataDir, "identity.json"));

  const policies = new PolicyStore(config.dataDir, log, metrics);
  // [chain]: zone policies and modules from the registry program instead of local files.
  const chain = config.chain && !config.policySource ? startChain(config.chain, identity.publicKey, log) : undefined;
  const source: PolicySource | undefined =
    config.policySource ?? chain?.policies ?? (config.policy.file ? new TomlPolicySource(config.policy.file) : undefined);
  await policies.start(source, chain?.reconcileMs ?? config.policy.reconcileMs);

  const memory = config.cache.memoryBytes > 0 ? new MemoryTier(config.cache.memoryBytes) : undefined;
  const shared = config.cache.redis ? new RedisTier(config.cache.redis.url, config.cache.redis.keyPrefix, log) : undefined;
  if (shared) await shared.ready();
  const cache = new HttpCache(memory, shared, config.cache.maxObjectBytes, log, metrics);
  const upstream = new UpstreamPools({
    headersTimeoutMs: config.limits.upstreamTimeoutMs,
    bodyTimeoutMs: config.limits.upstreamTimeoutMs,
    connectTimeoutMs: config.limits.upstreamConnectTimeoutMs,
    connectionsPerOrigin: 128,
  });
  policies.onChange((zones) => upstream.retain([...zones.values()].flatMap((z) => z.origins.map((o) => o.url))));
  const publisher = options.reportPublisher ?? (config.analytics.nats ? new NatsReportPublisher(config.analytics.nats.url, config.analytics.nats.stream, log) : undefined);
  const analytics = new AnalyticsRecorder(config.dataDir, identity, publisher, log, metrics, options.analyticsTimer !== false);
  await analytics.start(config.analytics.intervalSecs);

  const trusted = new TrustedProxies(config.trustedProxies);
  const modules = await assembleNode(config, {
    logger: log,
    registry: metrics.registry,
    identity,
    policies,
    cache,
    trusted,
    reloadPolicies: () => (source ? policies.reconcile(source) : Promise.resolve()),
    ...(chain ? { modules: chain.modules } : {}),
  });
  // The pipeline reads the phase lists per request; the assembly swaps them as zones change.
  const runConfig: NodeConfig = { ...config };
  modules.phases(runConfig);

  const proxyProtocolPeers = new Map<string, string>();
  const pipeline = new ProxyPipeline({ config: runConfig, policies, cache, upstream, trusted, analytics, metrics, log, proxyProtocolPeers });
  const lim = config.limits;
  const via = `1.1 ${config.nodeName}`;
  const onClientError = (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => clientError(err, socket, via, metrics, log);

  // ── HTTP listener ──
  const http = createHttpServer(
    {
      maxHeaderSize: lim.maxHeaderBytes,
      insecureHTTPParser: false,
      requireHostHeader: false, // checked in proxy/hardening.ts so the 400 carries a request id
      headersTimeout: lim.headersTimeoutMs,
      requestTimeout: lim.requestTimeoutMs,
      keepAliveTimeout: lim.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, lim.headersTimeoutMs),
    },
    (req, res) => pipeline.handle(req, res, false),
  );
  http.maxHeadersCount = lim.maxHeaderCount + 1; // one over, so the pipeline sees and rejects the excess
  http.on("clientError", onClientError);
  const fronts: NetServer[] = [];
  const front: FrontOptions = { proxyProtocol: config.listen.proxyProtocol, peers: proxyProtocolPeers, timeoutMs: lim.headersTimeoutMs, log, fronts, guard: modules.guard };
  const httpAddr = await listen(http, config.listen.http, front);

  // ── HTTPS listener (HTTP/2 with HTTP/1.1 fallback) ──
  let certs: CertStore | undefined;
  let https: Http2SecureServer | TlsServer | undefined;
  let httpsAddr: AddressInfo | undefined;
  const tap = modules.tlsTap;
  if (config.listen.https) {
    certs = new CertStore(config.tls.certs, config.tls.minVersion, log);
    certs.load();
    certs.watch(config.tls.reloadCheckMs);
    const d = certs.defaultFiles;
    const tlsOpts = { cert: readFileSync(d.cert), key: readFileSync(d.key), SNICallback: certs.sniCallback, minVersion: config.tls.minVersion };
    if (config.listen.http2) {
      const s = createSecureServer({ ...tlsOpts, allowHTTP1: true, maxHeaderListPairs: lim.maxHeaderCount + 1, settings: { maxHeaderListSize: lim.maxHeaderBytes } }, (req, res) => {
        tap?.tagRequest(req);
        pipeline.handle(req, res, true);
      });
      // HTTP/1.1 connections on this port are parsed by llhttp too; their parse errors arrive here.
      (s as unknown as NodeJS.EventEmitter).on("clientError", onClientError);
      s.setTimeout(lim.requestTimeoutMs);
      https = s;
    } else {
      const s = createHttpsServer({ ...tlsOpts, maxHeaderSize: lim.maxHeaderBytes, headersTimeout: lim.headersTimeoutMs, requestTimeout: lim.requestTimeoutMs, keepAliveTimeout: lim.keepAliveTimeoutMs }, (req, res) => {
        tap?.tagRequest(req);
        pipeline.handle(req, res, true);
      });
      s.maxHeadersCount = lim.maxHeaderCount + 1;
      s.on("clientError", onClientError);
      https = s;
    }
    httpsAddr = await listen(https, config.listen.https, { ...front, tap });
  }

  const purge = async (r: PurgeRequest): Promise<PurgeResult> => {
    const p = purgeRequestSchema.parse(r);
    const result = await (p.tag !== undefined ? cache.purgeTag(p.tag, p.soft) : p.prefix !== undefined ? cache.purgePrefix(p.zone!, p.prefix, p.soft) : cache.purgeUrl(p.zone!, p.url!, p.soft));
    modules.announcePurge(p); // other nodes serving the zone (sync over NATS), when configured
    return result;
  };

  // ── metrics / health / admin listener ──
  // Operator dashboard (node/src/dashboard) on the same listener.
  const dashboard = options.metricsListener !== false
    ? new Dashboard({ registry: metrics.registry, identity, nodeName: config.nodeName, dataDir: config.dataDir, policies, reportsPath: analytics.path, logger: log, ...(config.chain ? { chain: { rpcUrl: config.chain.rpcUrl, commitment: config.chain.commitment } } : {}) })
    : undefined;
  const admin = createHttpServer((req, res) => void adminHandler(req, res, { metrics, policies, purge, log, identity, dashboard }));
  let metricsAddr: AddressInfo | undefined;
  if (options.metricsListener !== false) metricsAddr = await listen(admin, config.listen.metrics, { proxyProtocol: false, peers: proxyProtocolPeers, timeoutMs: 5_000, log, fronts });

  log.info(
    { http: fmt("http", httpAddr), https: httpsAddr && fmt("https", httpsAddr), metrics: metricsAddr && fmt("http", metricsAddr), node: identity.address, zones: policies.all().size },
    "edge node listening",
  );

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const servers = [http, https].filter((s): s is NonNullable<typeof s> => s !== undefined);
      await Promise.all(servers.map((s) => drain(s, config.shutdownGraceMs)));
      for (const f of fronts) f.close();
      dashboard?.close();
      admin.close();
      admin.closeAllConnections();
      certs?.stop();
      await policies.stop();
      await chain?.close();
      await upstream.close();
      await modules.close();
      await analytics.stop();
      await cache.close();
      log.info({ node: identity.address }, "edge node stopped");
    })());

  return {
    httpUrl: fmt("http", httpAddr),
    httpsUrl: httpsAddr && fmt("https", httpsAddr),
    metricsUrl: metricsAddr ? fmt("http", metricsAddr) : "",
    identity,
    config,
    policies,
    cache,
    analytics,
    metrics,
    certs,
    modules,
    purge,
    close,
  };
}

function fmt(scheme: string, a: AddressInfo): string {
  const host = a.family === "IPv6" ? `[${a.address}]` : a.address;
  return `${scheme}://${host}:${a.port}`;
}

type Listenable = HttpServer | Http2SecureServer | TlsServer;

interface FrontOptions {
  proxyProtocol: boolean;
  /** Client addresses learned from PROXY headers. */
  peers: Map<string, string>;
  timeoutMs: number;
  log: Logger;
  /** Front servers created here (closed on shutdown). */
  fronts: NetServer[];
  /** Connection admission for the accepting server (user-space DDoS filter). */
  guard?: (server: NetServer) => void;
  /** Reads each connection's TLS ClientHello before the TLS server does. */
  tap?: ClientHelloTap;
}

/**
 * Listens on `addr`. A plain net server sits in front when connections need reading first:
 * PROXY protocol header, then the ClientHello tap; the socket then goes to `server`.
 */
async function listen(server: Listenable, addr: string, o: FrontOptions): Promise<AddressInfo> {
  const { host, port } = splitHostPort(addr);
  let listener: NetServer = server as unknown as NetServer;
  if (o.proxyProtocol || o.tap) {
    const front = createNetServer();
    const tap = o.tap;
    const toServer = (s: Socket) => void (server as unknown as NetServer).emit("connection", s);
    const deliver = tap ? (s: Socket) => tap.accept(s, toServer) : toServer;
    if (o.proxyProtocol) {
      acceptProxyProtocol(front, { emit: (_e, s) => (deliver(s), true) }, o.peers, o.timeoutMs, (err) => o.log.debug({ err: err.message }, "PROXY protocol header rejected"));
    } else {
      front.on("connection", deliver);
    }
    o.fronts.push(front);
    listener = front;
  }
  o.guard?.(listener);
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(port, host, () => {
      listener.off("error", reject);
      resolve();
    });
  });
  return listener.address() as AddressInfo;
}

/** Stops accepting and waits for in-flight requests; forces the rest closed after `graceMs`. */
async function drain(server: Listenable, graceMs: number): Promise<void> {
  const s = server as HttpServer;
  const closed = new Promise<void>((resolve) => s.close(() => resolve()));
  const idle = setInterval(() => s.closeIdleConnections?.(), 50);
  s.closeIdleConnections?.();
  const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
  const r = await Promise.race([closed, timeout]);
  clearInterval(idle);
  if (r === "timeout") s.closeAllConnections?.();
  await Promise.race([closed, new Promise((r2) => setTimeout(r2, 1_000).unref())]);
}

/** Malformed requests llhttp refuses: 400 (431 for oversized heads, 408 on timeouts), never forwarded. */
function clientError(err: NodeJS.ErrnoException, socket: Socket, via: string, metrics: NodeMetrics, log: Logger): void {
  const code = err.code ?? "";
  const status = code === "HPE_HEADER_OVERFLOW" ? 431 : code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const aegisCode = status === 431 ? "AEGIS_ERR_HEADERS_TOO_LARGE" : status === 408 ? "AEGIS_ERR_REQUEST_TIMEOUT" : "AEGIS_ERR_MALFORMED_REQUEST";
  metrics.count(metrics.proxyErrors, { code: aegisCode, source: "client" });
  log.debug({ err: err.message, parserCode: code }, "malformed request rejected");
  if (code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const id = randomUUID();
  const body = errorBody(status, aegisCode, id);
  const reason = status === 431 ? "Request Header Fields Too Large" : status === 408 ? "Request Timeout" : "Bad Request";
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nX-Request-Id: ${id}\r\nVia: ${via}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n` +
      body.toString(),
  );
  socket.destroySoon?.();
}

async function adminHandler(
  req: IncomingMessage,
  res: ServerResponse,
  d: { metrics: NodeMetrics; policies: PolicyStore; purge: (r: PurgeRequest) => Promise<PurgeResult>; log: Logger; identity: NodeIdentity; dashboard?: Dashboard },
): Promise<void> {
  const send = (status: number, body: string, type = "application/json") => {
    res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
    res.end(body);
  };
  try {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/metrics") return send(200, await d.metrics.registry.metrics(), d.metrics.registry.contentType);
    if (req.method === "GET" && path === "/healthz") {
      const zones = Object.fromEntries([...d.policies.all().values()].map((z) => [z.domain, z.policyVersion]));
      return send(200, JSON.stringify({ status: "ok", node: d.identity.address, zones }));
    }
    if (req.method === "POST" && path === "/purge") {
      const chunks: Buffer[] = [];
      let n = 0;
      for await (const c of req as AsyncIterable<Buffer>) {
        n += c.length;
        if (n > 65_536) return send(413, JSON.stringify({ error: "body too large" }));
        chunks.push(c);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return send(400, JSON.stringify({ error: { code: "AEGIS_ERR_PURGE_INVALID", message: "body is not JSON" } }));
      }
      const check = purgeRequestSchema.safeParse(parsed);
      if (!check.success) return send(400, JSON.stringify({ error: { code: "AEGIS_ERR_PURGE_INVALID", message: check.error.issues.map((i) => i.message).join("; ") } }));
      return send(200, JSON.stringify(await d.purge(check.data)));
    }
    if (d.dashboard?.handle(req, res)) return;
    send(404, JSON.stringify({ error: "not found" }));
  } catch (err) {
    d.log.error({ err: (err as Error).message }, "admin request failed");
    if (!res.headersSent) send(500, JSON.stringify({ error: "internal" }));
  }
}
