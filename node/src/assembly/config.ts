/**
 * Node-config sections of the request-path modules (DDoS filter, WAF, bots, distributed state).
 * Each module is switched by config; what needs an external service (NATS) is off unless
 * configured. Zone policies still decide per zone (a zone with `waf.mode = "off"` runs no rules).
 */
import { z } from "zod";

const cidr = z.string().min(2).max(64);

export const ddosConfigSchema = z
  .object({
    /**
     * "auto": XDP on `iface` when this machine can run it, else the user-space limiter (with a
     * warning); "xdp": fail to start without XDP; "userspace": never try XDP; "off": no filter.
     */
    engine: z.enum(["auto", "xdp", "userspace", "off"]).default("auto"),
    /** Interface the node receives traffic on (XDP attaches here). */
    iface: z.string().min(1).max(15).optional(),
    /** Network namespace of `iface` (`ip netns` name), when not ours. */
    netns: z.string().min(1).max(64).optional(),
    attachMode: z.enum(["auto", "native", "generic"]).default("auto"),
    /** Sources never limited or blocked. Loopback by default (local health checks, benchmarks). */
    allow: z.array(cidr).max(1024).default(["127.0.0.0/8", "::1/128"]),
    /** Sources always dropped (in addition to threat intelligence). */
    block: z.array(cidr).max(65_536).default([]),
  })
  .default({});

export const wafConfigSchema = z
  .object({
    /** Load the OWASP CRS when a zone turns its WAF on (zones choose mode and paranoia). */
    enabled: z.boolean().default(true),
    /** CRS root (as installed by scripts/setup/waf.sh); default $AEGIS_CRS_ROOT or /var/lib/aegis/crs/current. */
    crsRoot: z.string().min(1).optional(),
  })
  .default({});

const goodBot = z.object({
  name: z.string().min(1).max(64),
  uaContains: z.string().min(1).max(128),
  cidrs: z.array(cidr).min(1).max(4096),
});

export const botsConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /**
     * File holding the challenge / clearance-cookie HMAC key (hex, ≥ 32 bytes); created with a
     * random key when missing. Share it between nodes for cookies valid network-wide.
     * Default: <dataDir>/bot-key.
     */
    keyFile: z.string().min(1).optional(),
    /** Leading zero bits of the proof of work. */
    difficulty: z.number().int().min(1).max(28).default(16),
    clearanceTtlSecs: z.number().int().min(60).max(30 * 86_400).default(3600),
    challengeTtlSecs: z.number().int().min(10).max(3600).default(300),
    /** Crawlers verified by source address (a verified crawler passes; an impostor scores high). */
    goodBots: z.array(goodBot).max(64).default([]),
    /** Known-bad JA3 hashes / JA4 strings. */
    badFingerprints: z.array(z.string().min(1).max(128)).max(10_000).default([]),
    /** Requests per 10 s per client IP above which the rate signal fires. */
    rateThreshold: z.number().int().min(1).max(1_000_000).optional(),
    /** Read each HTTPS connection's ClientHello for JA3 / JA4. */
    tlsFingerprints: z.boolean().default(true),
  })
  .default({});

export const syncConfigSchema = z
  .object({
    /** NATS (with JetStream) shared by the nodes; without it rate limits and blocks are local to this node. */
    nats: z
      .object({
        url: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(16)]),
        stream: z.string().regex(/^[A-Za-z0-9_-]+$/).default("AEGIS_SYNC"),
        subjectPrefix: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/).default("aegis.sync"),
      })
      .optional(),
    /**
     * Embedded mode: TOML/JSON list of trusted peer nodes (docs/sync.md "Peer directory"), watched.
     * Without it only this node's own signed events are trusted.
     */
    peersFile: z.string().min(1).optional(),
    /** Counter delta batching interval (ms); part of the rate-limit error bound. */
    flushIntervalMs: z.number().int().min(1).max(1000).default(5),
  })
  .default({});

export type DdosConfig = z.infer<typeof ddosConfigSchema>;
export type WafConfig = z.infer<typeof wafConfigSchema>;
export type BotsConfig = z.infer<typeof botsConfigSchema>;
export type SyncConfig = z.infer<typeof syncConfigSchema>;
