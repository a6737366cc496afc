/**
 * Node configuration: one zod schema for the TOML file (`node.toml`) and for programmatic use
 * (`startEdgeNode`). Programmatic callers may also inject request/response phases and a policy
 * source, which a file cannot express.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse as parseToml } from "smol-toml";
import { z } from "zod";
import { botsConfigSchema, ddosConfigSchema, syncConfigSchema, wafConfigSchema } from "./assembly/config.js";
import { ConfigError } from "./errors.js";
import { functionsConfigSchema } from "./functions/config.js";
import type { RequestPhase, ResponsePhase } from "./phase.js";
import type { PolicySource } from "./policy/source.js";

/** "host:port"; port 0 picks a free port. IPv6 hosts in brackets: "[::1]:8080". */
const listenAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "expected host:port");

const certSchema = z.object({
  /** Host names this certificate serves (SNI). Empty: taken from the certificate itself is not attempted; list them. */
  domains: z.array(z.string().min(1).max(253)).min(1),
  cert: z.string().min(1),
  key: z.string().min(1),
});

export const nodeConfigSchema = z.object({
  /** Name in `Via` and logs. */
  nodeName: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).default("aegis"),
  /** Where last-known-good policies, analytics reports and the identity key live. */
  dataDir: z.string().min(1),
  /** Ed25519 identity key (Solana keypair JSON). Default: <dataDir>/identity.json, created when missing. */
  identityKeyPath: z.string().min(1).optional(),
  listen: z
    .object({
      http: listenAddress.default("127.0.0.1:8080"),
      https: listenAddress.optional(),
      metrics: listenAddress.default("127.0.0.1:9090"),
      /** Expect a PROXY protocol v1/v2 header on every data-plane connection (from a trusted L4 balancer). */
      proxyProtocol: z.boolean().default(false),
      /** Offer HTTP/2 (ALPN h2) on the HTTPS listener. */
      http2: z.boolean().default(true),
    })
    .default({}),
  /** Worker processes (node:cluster). 1 = single process (tests); 0 = one per core. Only main.ts forks. */
  workers: z.number().int().min(0).max(256).default(1),
  tls: z
    .object({
      certs: z.array(certSchema).default([]),
      minVersion: z.enum(["TLSv1.2", "TLSv1.3"]).default("TLSv1.2"),
      /** Milliseconds between checks for changed certificate files. */
      reloadCheckMs: z.number().int().min(50).max(600_000).default(2_000),
    })
    .default({}),
  policy: z
    .object({
      /** TOML file with `[[zones]]`; watched and reloaded. */
      file: z.string().min(1).optional(),
      /** Full re-read from the source every this many ms (also catches missed change events). */
      reconcileMs: z.number().int().min(100).max(3_600_000).default(30_000),
    })
    .default({}),
  /**
   * Zone policies and edge-function modules from the registry program (node/src/assembly/chain.ts).
   * When present it replaces `policy.file` and `functions.registryFile`.
   */
  chain: z
    .object({
      rpcUrl: z.string().url(),
      /** Default: rpcUrl with ws(s):// and the port plus one (the Solana convention). */
      wsUrl: z.string().url().optional(),
      /** Base58 registry program id; default the SDK's REGISTRY_PROGRAM_ID. */
      registryProgramId: z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/).optional(),
      /** Full re-read every this many seconds (repairs missed notifications). */
      reconcileSecs: z.number().min(0.1).max(3600).default(30),
      /** Serve these zones instead of the node's on-chain assignments. */
      domains: z.array(z.string().min(1).max(253)).max(4096).optional(),
      commitment: z.enum(["processed", "confirmed", "finalized"]).default("confirmed"),
    })
    .optional(),
  cache: z
    .object({
      /** Bound of the in-process tier, in bytes of stored bodies + headers. */
      memoryBytes: z.number().int().min(0).default(256 * 1024 * 1024),
      /** Largest object stored; larger responses pass through. */
      maxObjectBytes: z.number().int().min(0).default(16 * 1024 * 1024),
      redis: z
        .object({
          url: z.string().min(1),
          keyPrefix: z.string().min(1).max(128).default("aegis:cache:"),
        })
        .optional(),
    })
    .default({}),
  limits: z
    .object({
      maxHeaderBytes: z.number().int().min(1024).max(1 << 20).default(16 * 1024),
      maxHeaderCount: z.number().int().min(8).max(2000).default(100),
      maxUrlLength: z.number().int().min(64).max(1 << 20).default(8 * 1024),
      maxBodyBytes: z.number().int().min(0).default(10 * 1024 * 1024),
      /** Whole request head must arrive within this (slowloris). */
      headersTimeoutMs: z.number().int().min(100).default(10_000),
      /** Whole request (head + body) must arrive within this. */
      requestTimeoutMs: z.number().int().min(100).default(60_000),
      /** Idle keep-alive connections are closed after this. */
      keepAliveTimeoutMs: z.number().int().min(100).default(5_000),
      /** Upstream: time to response headers, and idle time between body chunks. */
      upstreamTimeoutMs: z.number().int().min(100).default(30_000),
      upstreamConnectTimeoutMs: z.number().int().min(100).default(5_000),
    })
    .default({}),
  /** Peers (CIDR or address) whose X-Forwarded-For / Forwarded / PROXY header is believed. */
  trustedProxies: z.array(z.string().min(1)).default([]),
  analytics: z
    .object({
      intervalSecs: z.number().min(0.05).max(86_400).default(60),
      nats: z
        .object({
          url: z.string().min(1),
          /** JetStream stream that captures `aegis.reports.>`; created when missing. */
          stream: z.string().regex(/^[A-Za-z0-9_-]+$/).default("AEGIS_REPORTS"),
        })
        .optional(),
    })
    .default({}),
  log: z
    .object({
      level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
      /** One line per request at info level. Off by default: analytics and metrics carry the counts. */
      access: z.boolean().default(false),
    })
    .default({}),
  /** Request-path modules (node/src/assembly/): each switched by config, zones decide per zone. */
  ddos: ddosConfigSchema,
  waf: wafConfigSchema,
  bots: botsConfigSchema,
  sync: syncConfigSchema,
  /** Edge functions runtime; started when a zone has function routes. */
  functions: functionsConfigSchema.default({}),
  /** How long close() waits for in-flight requests before forcing connections shut. */
  shutdownGraceMs: z.number().int().min(0).max(600_000).default(10_000),
  /**
   * Phases injected by the caller. One named like an assembled phase (ddos, threat-blocklist,
   * rate-limit, waf, bots, edge-functions / waf-response) takes that phase's place; the others
   * run after the assembled ones, in the order given (see docs/node.md).
   */
  requestPhases: z.array(z.custom<RequestPhase>(isRequestPhase, "not a RequestPhase")).default([]),
  responsePhases: z.array(z.custom<ResponsePhase>(isResponsePhase, "not a ResponsePhase")).default([]),
  /** A policy source supplied by the caller; used instead of `policy.file`. */
  policySource: z.custom<PolicySource>(isPolicySource, "not a PolicySource").optional(),
});

export type NodeConfig = z.infer<typeof nodeConfigSchema>;
export type NodeConfigInput = z.input<typeof nodeConfigSchema>;

function isRequestPhase(v: unknown): v is RequestPhase {
  return typeof v === "object" && v !== null && typeof (v as RequestPhase).name === "string" && typeof (v as RequestPhase).onRequest === "function";
}
function isResponsePhase(v: unknown): v is ResponsePhase {
  return typeof v === "object" && v !== null && typeof (v as ResponsePhase).name === "string" && typeof (v as ResponsePhase).onResponse === "function";
}
function isPolicySource(v: unknown): v is PolicySource {
  return typeof v === "object" && v !== null && typeof (v as PolicySource).load === "function" && typeof (v as PolicySource).subscribe === "function";
}

export function parseNodeConfig(input: unknown): NodeConfig {
  const result = nodeConfigSchema.safeParse(input);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new ConfigError(`invalid node config: ${detail}`);
  }
  return result.data;
}

/** Reads `node.toml`. Relative paths inside it are resolved against the file's directory. */
export function loadConfigFile(path: string): NodeConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read config ${path}: ${(err as Error).message}`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`${path}: not valid TOML (${(err as Error).message})`);
  }
  const config = parseNodeConfig(raw);
  const base = dirname(resolve(path));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  config.dataDir = abs(config.dataDir);
  if (config.identityKeyPath) config.identityKeyPath = abs(config.identityKeyPath);
  if (config.policy.file) config.policy.file = abs(config.policy.file);
  if (config.waf.crsRoot) config.waf.crsRoot = abs(config.waf.crsRoot);
  if (config.bots.keyFile) config.bots.keyFile = abs(config.bots.keyFile);
  if (config.sync.peersFile) config.sync.peersFile = abs(config.sync.peersFile);
  if (config.functions.registryFile) config.functions.registryFile = abs(config.functions.registryFile);
  if (config.functions.cacheDir) config.functions.cacheDir = abs(config.functions.cacheDir);
  for (const c of config.tls.certs) {
    c.cert = abs(c.cert);
    c.key = abs(c.key);
  }
  return config;
}

export function splitHostPort(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(":");
  let host = addr.slice(0, i);
  if (host.startsWith("[")) host = host.slice(1, -1);
  return { host, port: Number(addr.slice(i + 1)) };
}
