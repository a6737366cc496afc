/** Types of the site-owner client (`AegisClient`). */
import type { PublicKey } from "@solana/web3.js";
import type { FunctionRoute } from "../zone.js";

export type WafMode = "off" | "detect" | "block";
export type BotMode = "off" | "detect" | "enforce";

export interface OriginSpec {
  /** Base URL of the origin, e.g. `https://origin.example.com` (≤ 96 bytes on chain). */
  url: string;
  /** Relative weight between origins, 1–100. Default 1. */
  weight?: number;
}

/** Caching and where to fetch from. */
export interface CdnOptions {
  /** 1–4 origins (a URL string or `{ url, weight }`). */
  origins: Array<string | OriginSpec>;
  /** Cache responses at the edge. Default true. */
  cache?: boolean;
  /** TTL (s) when the origin sends no freshness information. Default 0. */
  defaultTtlSecs?: number;
  /** Honour the origin's Cache-Control / Expires. Default true. */
  honourOriginHeaders?: boolean;
  staleWhileRevalidateSecs?: number;
  staleIfErrorSecs?: number;
}

export interface WafOptions {
  mode: WafMode;
  /** CRS paranoia level 1–4. Default 1. */
  paranoia?: number;
  /** CRS inbound anomaly threshold. Default 5. */
  inboundThreshold?: number;
  /** Outbound threshold (with responseRules); 0 = node default. */
  outboundThreshold?: number;
  responseRules?: boolean;
  excludedRuleIds?: number[];
  excludedTags?: string[];
}

export interface DdosOptions {
  /** 0 = off, 1 = lenient … 5 = strict. Default 2. */
  sensitivity: number;
}

export interface RateLimitOptions {
  /** Requests per window per client IP across every node serving the zone; 0 = unlimited. */
  requests: number;
  /** Window length in seconds, 1–3600. Default 60. */
  windowSecs?: number;
  burst?: number;
}

export interface BotOptions {
  mode: BotMode;
  /** Score (0–100) at which a challenge is served. Default 60. */
  challengeAt?: number;
  /** Score at which the request is blocked. Default 90. */
  blockAt?: number;
}

/** Everything `configureDomain` accepts; unset sections keep their current (or default) value. */
export interface DomainConfig {
  domain: string;
  cdn?: CdnOptions;
  waf?: WafMode | WafOptions;
  ddos?: number | DdosOptions;
  rateLimit?: false | RateLimitOptions;
  bots?: BotMode | BotOptions;
}

/** An edge-function route: which requests run the deployed module (its `modules` are filled in by `deployEdgeFunction`). */
export type RouteSpec = Omit<FunctionRoute, "modules">;

export interface DeployEdgeFunctionArgs {
  /** The zone whose routes run the module. */
  domain: string;
  /** The module's WebAssembly bytes. */
  wasm: Uint8Array;
  /** Module name in the owner's registry (default `fn-<first 8 chars of the CID hash>`). */
  name?: string;
  /** Routes that run this module; a route with the same pattern is replaced. */
  routes: RouteSpec[];
  /**
   * Where the bytes go so nodes can fetch them by CID (an IPFS pin, or a node's module cache
   * directory). Called before anything is published on chain.
   */
  store?: (cid: string, wasm: Uint8Array) => Promise<void>;
}

export interface DeployResult {
  cid: string;
  name: string;
  module: PublicKey;
  version: number;
  signatures: string[];
}

export interface ConfigureResult {
  zone: PublicKey;
  created: boolean;
  policyVersion: number;
  signature: string;
}

/** A purge on every node in `endpoints` (their admin/metrics listeners). */
export type PurgeArgs = { domain: string; soft?: boolean; endpoints?: string[] } & ({ url: string } | { prefix: string } | { tag: string });

export interface PurgeNodeResult {
  endpoint: string;
  ok: boolean;
  /** The node's answer (`{ purged: n }`) or the error. */
  result?: unknown;
  error?: string;
}
