/**
 * Zone policy: what a site owner configures for its domain. The same shape comes from the
 * on-chain zone account (registry program) or from a local TOML file; both are validated here
 * before they are applied, and an invalid policy never replaces a valid one.
 */
import { z } from "zod";

export const WAF_MODES = ["off", "detect", "block"] as const;
export const BOT_MODES = ["off", "detect", "enforce"] as const;
export const FAIL_MODES = ["open", "closed"] as const;

const origin = z.object({
  /** Base URL of the origin, e.g. http://127.0.0.1:8080 */
  url: z.string().url(),
  /** Relative weight for load balancing between origins. */
  weight: z.number().int().min(1).max(100).default(1),
});

export const cachePolicySchema = z.object({
  enabled: z.boolean().default(true),
  /** TTL in seconds used when the origin sends no freshness information. */
  defaultTtlSecs: z.number().int().min(0).max(31_536_000).default(0),
  /** Honour origin Cache-Control / Expires. When false, defaultTtlSecs applies to every cacheable response. */
  honourOriginHeaders: z.boolean().default(true),
  staleWhileRevalidateSecs: z.number().int().min(0).max(86_400).default(0),
  staleIfErrorSecs: z.number().int().min(0).max(604_800).default(0),
});

export const wafPolicySchema = z.object({
  mode: z.enum(WAF_MODES).default("off"),
  paranoia: z.number().int().min(1).max(4).default(1),
  /** CRS anomaly threshold for inbound requests. */
  inboundThreshold: z.number().int().min(1).max(1000).default(5),
  excludedRuleIds: z.array(z.number().int().nonnegative()).max(64).default([]),
  excludedTags: z.array(z.string().min(1).max(64)).max(16).default([]),
  /** Run response-phase rules (data leakage). */
  responseRules: z.boolean().default(false),
  /** HTTP methods the zone accepts (CRS tx.allowed_methods); CRS default when absent: GET HEAD POST OPTIONS. */
  allowedMethods: z.array(z.string().regex(/^[A-Z]{1,16}$/)).max(16).optional(),
  /** CRS anomaly threshold for responses (only with responseRules). */
  outboundThreshold: z.number().int().min(1).max(1000).optional(),
});

export const ddosPolicySchema = z.object({
  /** 0 = off, 1 = lenient … 5 = strict; scales the per-source packet and SYN budgets. */
  sensitivity: z.number().int().min(0).max(5).default(2),
});

export const rateLimitSchema = z.object({
  /** Requests allowed per window per client IP, across every node serving the zone. 0 = unlimited. */
  requests: z.number().int().min(0).max(1_000_000).default(0),
  windowSecs: z.number().int().min(1).max(3600).default(60),
  burst: z.number().int().min(0).max(1_000_000).default(0),
});

export const botPolicySchema = z.object({
  mode: z.enum(BOT_MODES).default("off"),
  /** Bot score 0–100 (higher = more bot-like). At or above challengeAt: challenge; at or above blockAt: block. */
  challengeAt: z.number().int().min(0).max(100).default(60),
  blockAt: z.number().int().min(0).max(100).default(90),
});

export const functionRouteSchema = z.object({
  /** Glob on the path (`/api/*`) or a regex written as `re:^/api/v[0-9]+/`. */
  pattern: z.string().min(1).max(256),
  methods: z.array(z.string().min(1).max(16)).max(16).default([]),
  /** Modules run in order: a CID (pinned) or the name of a module in the zone's module registry. */
  modules: z.array(z.string().min(1).max(128)).min(1).max(8),
  failMode: z.enum(FAIL_MODES).default("open"),
  /** Per-invocation limits; the node's defaults apply when unset (50 ms, 50 MiB). */
  timeoutMs: z.number().int().min(1).max(5000).optional(),
  memoryMb: z.number().int().min(1).max(512).optional(),
  /** Fuel units per invocation (about one per wasm instruction). */
  fuel: z.number().int().min(1000).max(1_000_000_000).optional(),
  /** Hosts (`api.example.com` or `host:port`) the modules may fetch from; empty = no outbound fetch. */
  fetchAllow: z.array(z.string().min(1).max(261)).max(32).default([]),
  fetchTimeoutMs: z.number().int().min(1).max(10_000).optional(),
});

export const zonePolicySchema = z.object({
  /** Domain served, lower case, no port. */
  domain: z
    .string()
    .min(1)
    .max(253)
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/),
  /** Increases with every update; a policy with a lower version never replaces a higher one. */
  policyVersion: z.number().int().nonnegative(),
  origins: z.array(origin).min(1).max(8),
  cache: cachePolicySchema.default({}),
  waf: wafPolicySchema.default({}),
  ddos: ddosPolicySchema.default({}),
  rateLimit: rateLimitSchema.default({}),
  bots: botPolicySchema.default({}),
  functions: z.array(functionRouteSchema).max(16).default([]),
});

export type ZonePolicy = z.infer<typeof zonePolicySchema>;
export type ZonePolicyInput = z.input<typeof zonePolicySchema>;
export type FunctionRoute = z.infer<typeof functionRouteSchema>;
