/**
 * Site-owner settings (`DomainConfig`) → the registry's `ZonePolicyV0` argument, merged over the
 * zone's current policy (or the node defaults for a new zone). Checked here against the on-chain
 * bounds so a bad setting fails before a transaction is built.
 */
import { MAX_DOMAIN_LEN, MAX_ORIGINS, MAX_ORIGIN_URL_LEN } from "../constants.js";
import type { ZonePolicyArgs } from "../functions/registry.js";
import { AegisClientError } from "./errors.js";
import type { BotMode, DomainConfig, WafMode } from "./types.js";

const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Node defaults (node/src/policy/schema.ts) for a zone created without a section. */
export function defaultZonePolicy(): ZonePolicyArgs {
  return {
    origins: [],
    cache: { enabled: true, defaultTtlSecs: 0, honourOriginHeaders: true, staleWhileRevalidateSecs: 0, staleIfErrorSecs: 0 },
    waf: { mode: { off: {} }, paranoia: 1, inboundThreshold: 5, outboundThreshold: 0, responseRules: false, excludedRuleIds: [], excludedTags: [] },
    ddos: { sensitivity: 2 },
    rateLimit: { requests: 0, windowSecs: 60, burst: 0 },
    bots: { mode: { off: {} }, challengeAt: 60, blockAt: 90 },
  };
}

const bad = (msg: string): never => {
  throw new AegisClientError("AEGIS_ERR_CLIENT_INPUT", msg);
};

function int(name: string, v: number | undefined, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min || v > max) bad(`${name} must be an integer in ${min}..${max}, got ${v}`);
  return v;
}

export function checkDomain(domain: string): string {
  if (domain.length > MAX_DOMAIN_LEN || !DOMAIN_RE.test(domain)) bad(`"${domain}" is not a lower-case DNS name (no port, no scheme)`);
  return domain;
}

const wafVariant = (m: WafMode) => (m === "block" ? { block: {} } : m === "detect" ? { detect: {} } : m === "off" ? { off: {} } : bad(`waf mode must be off, detect or block, got ${String(m)}`));
const botVariant = (m: BotMode) => (m === "enforce" ? { enforce: {} } : m === "detect" ? { detect: {} } : m === "off" ? { off: {} } : bad(`bots mode must be off, detect or enforce, got ${String(m)}`));

/** `current` is the zone's policy on chain (undefined for a new zone). */
export function toZonePolicyArgs(config: Omit<DomainConfig, "domain">, current?: ZonePolicyArgs): ZonePolicyArgs {
  const base = current ?? defaultZonePolicy();
  const p: ZonePolicyArgs = structuredClone(base);
  if (config.cdn) {
    const c = config.cdn;
    if (!Array.isArray(c.origins) || c.origins.length < 1 || c.origins.length > MAX_ORIGINS) bad(`cdn.origins: 1 to ${MAX_ORIGINS} origins`);
    p.origins = c.origins.map((o) => {
      const spec = typeof o === "string" ? { url: o } : o;
      let url: URL;
      try {
        url = new URL(spec.url);
      } catch {
        return bad(`cdn.origins: "${spec.url}" is not a URL`);
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") bad(`cdn.origins: ${spec.url} must be http(s)`);
      if (Buffer.byteLength(spec.url) > MAX_ORIGIN_URL_LEN) bad(`cdn.origins: ${spec.url} is longer than ${MAX_ORIGIN_URL_LEN} bytes`);
      return { url: spec.url, weight: int("cdn.origins.weight", spec.weight, 1, 100, 1) };
    });
    p.cache = {
      enabled: c.cache ?? base.cache.enabled,
      defaultTtlSecs: int("cdn.defaultTtlSecs", c.defaultTtlSecs, 0, 31_536_000, base.cache.defaultTtlSecs),
      honourOriginHeaders: c.honourOriginHeaders ?? base.cache.honourOriginHeaders,
      staleWhileRevalidateSecs: int("cdn.staleWhileRevalidateSecs", c.staleWhileRevalidateSecs, 0, 86_400, base.cache.staleWhileRevalidateSecs),
      staleIfErrorSecs: int("cdn.staleIfErrorSecs", c.staleIfErrorSecs, 0, 604_800, base.cache.staleIfErrorSecs),
    };
  }
  if (p.origins.length === 0) bad("a zone needs at least one origin: pass cdn.origins");
  if (config.waf !== undefined) {
    const w = typeof config.waf === "string" ? { mode: config.waf } : config.waf;
    p.waf = {
      mode: wafVariant(w.mode),
      paranoia: int("waf.paranoia", w.paranoia, 1, 4, base.waf.paranoia),
      inboundThreshold: int("waf.inboundThreshold", w.inboundThreshold, 1, 1000, base.waf.inboundThreshold),
      outboundThreshold: int("waf.outboundThreshold", w.outboundThreshold, 0, 1000, base.waf.outboundThreshold),
      responseRules: w.responseRules ?? base.waf.responseRules,
      excludedRuleIds: w.excludedRuleIds ?? base.waf.excludedRuleIds,
      excludedTags: w.excludedTags ?? base.waf.excludedTags,
    };
  }
  if (config.ddos !== undefined) {
    const d = typeof config.ddos === "number" ? { sensitivity: config.ddos } : config.ddos;
    p.ddos = { sensitivity: int("ddos.sensitivity", d.sensitivity, 0, 5, base.ddos.sensitivity) };
  }
  if (config.rateLimit !== undefined) {
    const r = config.rateLimit === false ? { requests: 0 } : config.rateLimit;
    p.rateLimit = {
      requests: int("rateLimit.requests", r.requests, 0, 1_000_000, 0),
      windowSecs: int("rateLimit.windowSecs", r.windowSecs, 1, 3600, base.rateLimit.windowSecs),
      burst: int("rateLimit.burst", r.burst, 0, 1_000_000, base.rateLimit.burst),
    };
  }
  if (config.bots !== undefined) {
    const b = typeof config.bots === "string" ? { mode: config.bots } : config.bots;
    p.bots = {
      mode: botVariant(b.mode),
      challengeAt: int("bots.challengeAt", b.challengeAt, 0, 100, base.bots.challengeAt),
      blockAt: int("bots.blockAt", b.blockAt, 0, 100, base.bots.blockAt),
    };
    if (p.bots.blockAt < p.bots.challengeAt) bad("bots.blockAt must be at least bots.challengeAt");
  }
  return p;
}
