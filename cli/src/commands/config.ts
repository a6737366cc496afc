/** `aegis config get|set`: the CLI config file (defaults for --cluster, --keypair, …). */
import type { Command } from "commander";
import { CONFIG_KEYS, loadCliConfig, parseConfigValue, saveCliConfig } from "../config.js";
import type { Context } from "../context.js";
import { usageError } from "../errors.js";
import { table } from "../output.js";
import { run } from "../run.js";
import type { CliConfig } from "../types.js";

export function registerConfigCommands(program: Command, ctx: () => Context): void {
  const config = program.command("config").description(`the CLI config file (keys: ${CONFIG_KEYS.join(", ")})`);

  config
    .command("get")
    .argument("[key]")
    .description("print the config (or one key)")
    .action(
      run(ctx, async (c, key: string | undefined) => {
        const cfg = loadCliConfig(c.configPath);
        if (key !== undefined && !CONFIG_KEYS.includes(key as keyof CliConfig)) throw usageError(`unknown config key "${key}"`, `keys: ${CONFIG_KEYS.join(", ")}`);
        const effective = { cluster: c.rpcUrl, keypair: c.keypairPath, commitment: c.commitment };
        const data = key ? { [key]: (cfg as Record<string, unknown>)[key] ?? (effective as Record<string, unknown>)[key] ?? null } : { path: c.configPath, ...cfg, effective };
        c.out.result(data, (d) => table(Object.entries(d).map(([k, v]) => [k, typeof v === "object" && v !== null ? JSON.stringify(v) : v ?? "(unset)"])));
      }),
    );

  config
    .command("set")
    .argument("<key>")
    .argument("<value>", "lists (nodeUrls) are comma-separated; `-` unsets")
    .description("set a config key")
    .action(
      run(ctx, async (c, key: string, value: string) => {
        const cfg = loadCliConfig(c.configPath) as Record<string, unknown>;
        if (value === "-") {
          if (!CONFIG_KEYS.includes(key as keyof CliConfig)) throw usageError(`unknown config key "${key}"`);
          delete cfg[key];
        } else cfg[key] = parseConfigValue(key, value);
        saveCliConfig(cfg as CliConfig, c.configPath);
        c.out.result({ path: c.configPath, [key]: cfg[key] ?? null }, () => `${key} = ${value === "-" ? "(unset)" : JSON.stringify(cfg[key])} (${c.configPath})`);
      }),
    );
}
