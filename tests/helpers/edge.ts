/**
 * Test helpers for the edge node: a real local origin (node:http), an edge node on free loopback
 * ports with a temp data dir and a TOML policy file, raw-socket requests, and cleanup.
 *
 *   const origin = await startOrigin((req, res) => { res.setHeader("cache-control", "max-age=60"); res.end("hi"); });
 *   const edge = await startTestNode({ zones: [zoneFor("site.test", origin)] });
 *   const r = await edge.get("/x");              // Host: site.test
 *   await edge.close(); await origin.close();
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { stringify } from "smol-toml";
import { request, type Dispatcher } from "undici";
import type { NodeConfigInput } from "../../node/src/config.js";
import type { ZonePolicyInput } from "../../node/src/policy/schema.js";
import { startEdgeNode, type EdgeNodeHandle, type EdgeNodeOptions } from "../../node/src/server.js";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

export type OriginHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => unknown;

export interface TestOrigin {
  readonly url: string;
  readonly port: number;
  /** Every request the origin received, in order. */
  readonly requests: RecordedRequest[];
  setHandler(h: OriginHandler): void;
  close(): Promise<void>;
}

export async function startOrigin(handler: OriginHandler = (_q, r) => r.end("ok")): Promise<TestOrigin> {
  let h = handler;
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      Promise.resolve(h(req, res, body)).catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setHandler: (n) => (h = n),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function tempDir(prefix = "aegis-node-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A zone policy pointing at `origin`, with overrides. */
export function zoneFor(domain: string, origin: TestOrigin | string, extra: Partial<ZonePolicyInput> = {}): ZonePolicyInput {
  return { domain, policyVersion: 1, origins: [{ url: typeof origin === "string" ? origin : origin.url }], ...extra };
}

export function writePolicyFile(path: string, zones: ZonePolicyInput[]): void {
  writeFileSync(path, stringify({ zones }));
}

export interface TestNode {
  readonly node: EdgeNodeHandle;
  readonly dataDir: string;
  readonly policyFile: string;
  /** Default Host for get(): the first zone's domain. */
  readonly host: string;
  get(path: string, opts?: { host?: string; method?: Dispatcher.HttpMethod; headers?: Record<string, string>; body?: string | Buffer; https?: boolean }): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

export interface StartTestNodeOptions {
  zones: ZonePolicyInput[];
  /** Overrides merged into the node config (listen addresses default to free loopback ports). */
  config?: Partial<NodeConfigInput>;
  /** Reuse a data dir (restart tests); a fresh temp dir otherwise. */
  dataDir?: string;
  /** Do not write the policy file (start with whatever is there, or nothing). */
  skipPolicyWrite?: boolean;
  options?: EdgeNodeOptions;
}

export function testLogger(): pino.Logger {
  return pino({ level: process.env.AEGIS_TEST_LOG ?? "silent" });
}

export async function startTestNode(opts: StartTestNodeOptions): Promise<TestNode> {
  const dataDir = opts.dataDir ?? tempDir();
  const ownDir = opts.dataDir === undefined;
  const policyFile = join(dataDir, "zones.toml");
  if (!opts.skipPolicyWrite) writePolicyFile(policyFile, opts.zones);
  const node = await startEdgeNode(
    {
      dataDir,
      listen: { http: "127.0.0.1:0", metrics: "127.0.0.1:0", ...(opts.config?.listen ?? {}) },
      policy: { file: policyFile, ...(opts.config?.policy ?? {}) },
      analytics: { intervalSecs: 3600, ...(opts.config?.analytics ?? {}) },
      shutdownGraceMs: 2_000,
      ...omit(opts.config ?? {}, ["listen", "policy", "analytics"]),
    },
    { logger: testLogger(), ...opts.options },
  );
  const host = opts.zones[0]?.domain ?? "localhost";
  return {
    node,
    dataDir,
    policyFile,
    host,
    get: (path, o = {}) => httpGet((o.https ? node.httpsUrl! : node.httpUrl) + path, { ...o, host: o.host ?? host }),
    close: async () => {
      await node.close();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function omit<T extends object>(o: T, keys: string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!keys.includes(k)) out[k] = v;
  return out as Partial<T>;
}

/** An HTTP request with an explicit Host header (fetch cannot set one). */
export async function httpGet(url: string, o: { host?: string; method?: Dispatcher.HttpMethod; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<TestResponse> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.host) headers["host"] = o.host;
  const r = await request(url, { method: o.method ?? "GET", headers, body: o.body });
  const body = Buffer.from(await r.body.arrayBuffer());
  return { status: r.statusCode, headers: r.headers, body, text: body.toString("utf8") };
}

/** Sends raw bytes on a fresh TCP connection and returns everything the server sent until it closed (or `timeoutMs`). */
export function rawRequest(httpUrl: string, bytes: string | Buffer, timeoutMs = 3_000): Promise<string> {
  const u = new URL(httpUrl);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(Number(u.port), u.hostname, () => s.write(bytes));
    const t = setTimeout(() => s.destroy(), timeoutMs);
    s.on("data", (c: Buffer) => chunks.push(c));
    s.on("error", (e) => {
      clearTimeout(t);
      if (chunks.length) resolve(Buffer.concat(chunks).toString("latin1"));
      else reject(e);
    });
    s.on("close", () => {
      clearTimeout(t);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
  });
}

/** Status code of the first response in a raw HTTP/1.1 reply, or 0. */
export function rawStatus(reply: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(reply);
  return m ? Number(m[1]) : 0;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
