/**
 * Maps between the on-chain zone account (registry ZoneV0) and the edge node's zone policy
 * shape (node/src/policy/schema.ts, validated there with zod).
 */
import BN from "bn.js";
import { HTTP_METHODS } from "./constants.js";

type Variant<K extends string> = { [P in K]?: object };

/** The ZoneV0 fields the mapping reads, as Anchor decodes them. */
export interface ZoneAccountLike {
  domain: string;
  policyVersion: BN;
  policy: {
    origins: Array<{ url: string; weight: number }>;
    cache: { enabled: boolean; defaultTtlSecs: number; honourOriginHeaders: boolean; staleWhileRevalidateSecs: number; staleIfErrorSecs: number };
    waf: {
      mode: Variant<"off" | "detect" | "block">;
      paranoia: number;
      inboundThreshold: number;
      outboundThreshold: number;
      responseRules: boolean;
      excludedRuleIds: number[];
      excludedTags: string[];
    };
    ddos: { sensitivity: number };
    rateLimit: { requests: number; windowSecs: number; burst: number };
    bots: { mode: Variant<"off" | "detect" | "enforce">; challengeAt: number; blockAt: number };
  };
  routes: Array<{
    pattern: string;
    methods: number;
    modules: string[];
    failMode: Variant<"open" | "closed">;
    timeoutMs: number;
    memoryMb: number;
    fuel: BN;
    fetchAllow: string[];
    fetchTimeoutMs: number;
  }>;
}

const variant = <K extends string>(v: Variant<K>): K => Object.keys(v)[0] as K;
const unset0 = (n: number): number | undefined => (n === 0 ? undefined : n);

export function methodsFromMask(mask: number): string[] {
  return HTTP_METHODS.filter((_, i) => (mask & (1 << i)) !== 0);
}

export function methodsToMask(methods: readonly string[]): number {
  return methods.reduce((m, name) => {
    const i = HTTP_METHODS.indexOf(name.toUpperCase() as (typeof HTTP_METHODS)[number]);
    if (i < 0) throw new Error(`AEGIS_ERR_POLICY: unknown HTTP method ${name}`);
    return m | (1 << i);
  }, 0);
}

/** ZoneV0 → the node's ZonePolicyInput (pass it to zonePolicySchema.parse). */
export function zonePolicyFromAccount(zone: ZoneAccountLike) {
  const p = zone.policy;
  return {
    domain: zone.domain,
    policyVersion: zone.policyVersion.toNumber(),
    origins: p.origins.map((o) => ({ url: o.url, weight: o.weight })),
    cache: { ...p.cache },
    waf: {
      mode: variant(p.waf.mode),
      paranoia: p.waf.paranoia,
      inboundThreshold: p.waf.inboundThreshold,
      excludedRuleIds: [...p.waf.excludedRuleIds],
      excludedTags: [...p.waf.excludedTags],
      responseRules: p.waf.responseRules,
      ...(p.waf.outboundThreshold ? { outboundThreshold: p.waf.outboundThreshold } : {}),
    },
    ddos: { sensitivity: p.ddos.sensitivity },
    rateLimit: { ...p.rateLimit },
    bots: { mode: variant(p.bots.mode), challengeAt: p.bots.challengeAt, blockAt: p.bots.blockAt },
    functions: zone.routes.map((r) => ({
      pattern: r.pattern,
      methods: methodsFromMask(r.methods),
      modules: [...r.modules],
      failMode: variant(r.failMode),
      timeoutMs: unset0(r.timeoutMs),
      memoryMb: unset0(r.memoryMb),
      fuel: unset0(r.fuel.toNumber()),
      fetchAllow: [...r.fetchAllow],
      fetchTimeoutMs: unset0(r.fetchTimeoutMs),
    })),
  };
}

/** A node-shaped route → the registry's FunctionRouteV0 argument. */
/** An edge-function route as site owners write it (the account stores it as `FunctionRouteV0`). */
export interface FunctionRoute {
  /** Glob on the path (`/api/*`) or `re:<regex>`. */
  pattern: string;
  /** HTTP methods; empty = all. */
  methods?: string[];
  /** Module CIDs or `owner/name` references, run in order. */
  modules: string[];
  /** `closed`: a failing function fails the request; `open` (default): the request goes on. */
  failMode?: "open" | "closed";
  timeoutMs?: number;
  memoryMb?: number;
  fuel?: number;
  /** Hosts the module may fetch from. */
  fetchAllow?: string[];
  fetchTimeoutMs?: number;
}

export function routeToArgs(r: FunctionRoute) {
  return {
    pattern: r.pattern,
    methods: methodsToMask(r.methods ?? []),
    modules: r.modules,
    failMode: r.failMode === "closed" ? { closed: {} } : { open: {} },
    timeoutMs: r.timeoutMs ?? 0,
    memoryMb: r.memoryMb ?? 0,
    fuel: new BN(r.fuel ?? 0),
    fetchAllow: r.fetchAllow ?? [],
    fetchTimeoutMs: r.fetchTimeoutMs ?? 0,
  };
}
