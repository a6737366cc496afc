/**
 * Keeper configuration: a TOML file (--config), then AEGIS_KEEPER_* environment variables, then
 * command-line flags, each overriding the one before; validated once with zod.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse as parseToml } from "smol-toml";
import { z } from "zod";
import { ConfigError } from "./errors.js";
import { ROLES, type Role } from "./types.js";

const roleSchema = z.enum(ROLES as [Role, ...Role[]]);
const hex32 = z.string().regex(/^[0-9a-f]{64}$/i, "32 bytes as hex");

export const keeperConfigSchema = z
  .object({
    name: z.string().min(1).default("keeper"),
    roles: z.array(roleSchema).min(1).default(["ingest", "prober", "oracle", "slasher", "cranker"]),
    dryRun: z.boolean().default(false),
    logLevel: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
    rpcUrl: z.string().url().default("http://127.0.0.1:8899"),
    /** Solana keypair JSON of the keeper (an oracle key for the oracle, prober and slasher roles). */
    keypair: z.string().optional(),
    dataDir: z.string().default("./keeper-data"),
    /** Main loop period of every role, ms. */
    tickMs: z.number().int().min(50).default(2_000),
    /** How long on-chain node lookups are cached by ingest, ms. */
    nodeCacheMs: z.number().int().min(0).default(5_000),
    http: z.object({ listen: z.string().default("127.0.0.1:9464") }).default({}),
    redis: z.object({ url: z.string(), prefix: z.string().default("aegis:keeper") }).optional(),
    nats: z
      .object({
        url: z.string(),
        reportStream: z.string().default("AEGIS_REPORTS"),
        probeStream: z.string().default("AEGIS_PROBES"),
        /** Durable consumer name; one per keeper (each keeper must see every report). */
        durable: z.string().optional(),
        /** A message fetched by a keeper that died before acking it is redelivered after this long. */
        ackWaitMs: z.number().int().min(1_000).default(30_000),
      })
      .optional(),
    /** Embedded intake: node report logs (<node dataDir>/reports/*.log) read by polling. */
    reportDirs: z.array(z.string()).default([]),
    probe: z
      .object({
        /** NodeV0 address (or identity key) → the node's public HTTP endpoint. */
        endpoints: z.record(z.string(), z.string().url()).default({}),
        /** Host header of the canary zone every node serves. */
        canaryHost: z.string().default("canary.aegis.network"),
        /** Shared with the canary origin: the bytes of /.aegis-canary/<name> are derived from it. */
        canarySecret: hex32.optional(),
        perEpoch: z.number().int().min(1).default(3),
        timeoutMs: z.number().int().min(100).default(5_000),
        maxBytes: z.number().int().min(1).default(1 << 20),
      })
      .default({}),
    oracle: z
      .object({
        /** First epoch this oracle is responsible for (older ones are assumed settled). */
        fromEpoch: z.number().int().min(0).default(0),
        /** Chain seconds after an epoch ends before its rewards are computed (late reports). */
        graceSecs: z.number().int().min(0).default(300),
      })
      .default({}),
    slasher: z
      .object({
        /** Slash size as basis points of the operator's stake, capped by the on-chain window. */
        slashBps: z.number().int().min(1).max(10_000).default(100),
        /** Probes needed in an epoch before "down for the whole epoch" counts. */
        minProbesForDown: z.number().int().min(1).default(3),
      })
      .default({}),
    cranker: z
      .object({
        /** "opted-in": nodes with NodeV0.auto_claim; "all": every leaf; "off". */
        autoClaim: z.enum(["opted-in", "all", "off"]).default("opted-in"),
        concurrency: z.number().int().min(1).max(64).default(4),
        retries: z.number().int().min(0).max(20).default(4),
        backoffMs: z.number().int().min(1).default(500),
        /** micro-lamports per compute unit; 0 = no ComputeBudget instruction. */
        priorityFeeMicroLamports: z.number().int().min(0).default(0),
        /** Where the cranker finds epoch reports of other oracles (its own dataDir is always read). */
        epochReportDirs: z.array(z.string()).default([]),
        assignment: z
          .object({
            /** Keypair of the registry's assignment authority; assignments are skipped without it. */
            keypair: z.string().optional(),
            maxZonesPerNode: z.number().int().min(1).default(16),
            zones: z
              .array(z.object({ domain: z.string().min(1), regions: z.array(z.string()).default([]), replicas: z.number().int().min(1).default(3) }))
              .default([]),
          })
          .default({}),
      })
      .default({}),
  })
  .strict();

export type KeeperConfig = z.infer<typeof keeperConfigSchema>;
export type KeeperConfigInput = z.input<typeof keeperConfigSchema>;

const FLAGS = {
  config: { type: "string" },
  roles: { type: "string" },
  "dry-run": { type: "boolean" },
  "rpc-url": { type: "string" },
  keypair: { type: "string" },
  "data-dir": { type: "string" },
  listen: { type: "string" },
  "nats-url": { type: "string" },
  "redis-url": { type: "string" },
  "report-dir": { type: "string", multiple: true },
  name: { type: "string" },
  "log-level": { type: "string" },
  "tick-ms": { type: "string" },
  "priority-fee": { type: "string" },
  help: { type: "boolean" },
} as const;

export const USAGE = `aegis-keeper [--config keeper.toml] [--roles oracle,cranker,prober,ingest,slasher] [--dry-run]
  --rpc-url URL  --keypair FILE  --data-dir DIR  --listen HOST:PORT  --nats-url URL  --redis-url URL
  --report-dir DIR (repeatable)  --name NAME  --log-level LEVEL  --tick-ms MS  --priority-fee MICROLAMPORTS
Environment: AEGIS_KEEPER_CONFIG, AEGIS_KEEPER_ROLES, AEGIS_KEEPER_RPC_URL, AEGIS_KEEPER_KEYPAIR,
  AEGIS_KEEPER_DATA_DIR, AEGIS_KEEPER_NATS_URL, AEGIS_KEEPER_REDIS_URL, AEGIS_KEEPER_DRY_RUN=1`;

type Obj = Record<string, unknown>;

function deepMerge(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    const prev = out[k];
    out[k] = prev && typeof prev === "object" && !Array.isArray(prev) && v && typeof v === "object" && !Array.isArray(v) ? deepMerge(prev as Obj, v as Obj) : v;
  }
  return out;
}

const roles = (s: string | undefined) => (s === undefined ? undefined : s.split(",").map((r) => r.trim()).filter(Boolean));
const int = (s: string | undefined, what: string) => {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n)) throw new ConfigError(`${what}: not an integer: ${s}`);
  return n;
};

/** Overrides from the environment (only the variables that are set). */
function fromEnv(env: NodeJS.ProcessEnv): Obj {
  const o: Obj = {
    roles: roles(env.AEGIS_KEEPER_ROLES),
    rpcUrl: env.AEGIS_KEEPER_RPC_URL,
    keypair: env.AEGIS_KEEPER_KEYPAIR,
    dataDir: env.AEGIS_KEEPER_DATA_DIR,
    dryRun: env.AEGIS_KEEPER_DRY_RUN ? env.AEGIS_KEEPER_DRY_RUN === "1" || env.AEGIS_KEEPER_DRY_RUN === "true" : undefined,
  };
  if (env.AEGIS_KEEPER_NATS_URL) o.nats = { url: env.AEGIS_KEEPER_NATS_URL };
  if (env.AEGIS_KEEPER_REDIS_URL) o.redis = { url: env.AEGIS_KEEPER_REDIS_URL };
  return o;
}

export interface LoadedConfig {
  config: KeeperConfig;
  help: boolean;
}

/** Parses argv (without node and script) and env into a validated config. Throws ConfigError with every problem listed. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n${USAGE}`);
  }
  const f = parsed.values;
  let file: Obj = {};
  const path = f.config ?? env.AEGIS_KEEPER_CONFIG;
  if (path) {
    try {
      file = parseToml(readFileSync(path, "utf8")) as Obj;
    } catch (err) {
      throw new ConfigError(`cannot read config ${path}: ${(err as Error).message}`);
    }
  }
  const flags: Obj = {
    roles: roles(f.roles),
    dryRun: f["dry-run"],
    rpcUrl: f["rpc-url"],
    keypair: f.keypair,
    dataDir: f["data-dir"],
    name: f.name,
    logLevel: f["log-level"],
    tickMs: int(f["tick-ms"], "--tick-ms"),
    http: f.listen ? { listen: f.listen } : undefined,
    nats: f["nats-url"] ? { url: f["nats-url"] } : undefined,
    redis: f["redis-url"] ? { url: f["redis-url"] } : undefined,
    reportDirs: f["report-dir"],
    cranker: f["priority-fee"] ? { priorityFeeMicroLamports: int(f["priority-fee"], "--priority-fee") } : undefined,
  };
  return { config: validateConfig(deepMerge(deepMerge(file, fromEnv(env)), flags)), help: f.help === true };
}

export function validateConfig(input: unknown): KeeperConfig {
  const r = keeperConfigSchema.safeParse(input);
  if (!r.success) throw new ConfigError(`invalid keeper config:\n${r.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n")}`);
  const c = r.data;
  const needsKey = c.roles.some((x) => x !== "ingest");
  if (needsKey && !c.keypair && !c.dryRun) throw new ConfigError(`roles ${c.roles.join(",")} sign transactions: set keypair (or --dry-run)`);
  if (c.roles.includes("prober") && !c.probe.canarySecret) throw new ConfigError("the prober role needs probe.canarySecret");
  return c;
}
