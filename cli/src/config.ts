/**
 * The CLI config file: YAML at ~/.config/aegis/cli.yml (or $AEGIS_CONFIG, or --config). Values
 * there are defaults that flags override. `aegis config set` validates before writing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { PublicKey } from "@solana/web3.js";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { CliError, EXIT, usageError } from "./errors.js";
import { resolveCluster } from "./cluster.js";
import type { CliConfig } from "./types.js";

const pubkey = z.string().refine((s) => {
  try {
    new PublicKey(s);
    return true;
  } catch {
    return false;
  }
}, "not a base58 public key");

export const cliConfigSchema = z
  .object({
    cluster: z.string().refine((c) => {
      try {
        resolveCluster(c);
        return true;
      } catch {
        return false;
      }
    }, "localnet, devnet, testnet, mainnet-beta or an http(s) URL"),
    keypair: z.string().min(1),
    commitment: z.enum(["processed", "confirmed", "finalized"]),
    node: pubkey,
    nodeUrls: z.array(z.string().url()),
    realm: pubkey,
    governance: pubkey,
    governanceProgram: pubkey,
  })
  .partial()
  .strict();

export const CONFIG_KEYS = Object.keys(cliConfigSchema.shape) as Array<keyof CliConfig>;

export function defaultConfigPath(): string {
  return process.env.AEGIS_CONFIG ?? join(homedir(), ".config", "aegis", "cli.yml");
}

export function loadCliConfig(path = defaultConfigPath()): CliConfig {
  if (!existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, "utf8")) ?? {};
  } catch (err) {
    throw new CliError("AEGIS_ERR_CONFIG", `${path}: not valid YAML (${(err as Error).message})`, EXIT.localFile, "fix or delete the file; `aegis config set` rewrites it");
  }
  const r = cliConfigSchema.safeParse(raw);
  if (!r.success) {
    throw new CliError("AEGIS_ERR_CONFIG", `${path}: ${r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`, EXIT.localFile);
  }
  return r.data;
}

/** Parses a value given on the command line for `key` (lists are comma-separated). */
export function parseConfigValue(key: string, value: string): unknown {
  if (!CONFIG_KEYS.includes(key as keyof CliConfig)) throw usageError(`unknown config key "${key}"`, `keys: ${CONFIG_KEYS.join(", ")}`);
  const v = key === "nodeUrls" ? value.split(",").map((s) => s.trim()).filter(Boolean) : value;
  const r = cliConfigSchema.safeParse({ [key]: v });
  if (!r.success) throw usageError(`invalid value for ${key}: ${r.error.issues.map((i) => i.message).join("; ")}`);
  return (r.data as Record<string, unknown>)[key];
}

export function saveCliConfig(config: CliConfig, path = defaultConfigPath()): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, stringify(config));
}
