/** Spawns the real `aegis` CLI (cli/src/main.ts through tsx) and collects its output. */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Keypair } from "@solana/web3.js";
import { repoRoot } from "../helpers/localnet.js";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (with --json), or undefined. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface CliEnv {
  rpcUrl: string;
  /** CLI config file for this test run (never the user's). */
  configPath: string;
}

const MAIN = join(repoRoot, "cli", "src", "main.ts");

export function cli(env: CliEnv, args: string[], opts: { json?: boolean; cluster?: boolean; cwd?: string } = {}): Promise<CliResult> {
  const full = [...(opts.cluster === false ? [] : ["--cluster", env.rpcUrl]), ...(opts.json === false ? [] : ["--json"]), ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...full], {
      cwd: opts.cwd ?? repoRoot,
      env: { ...process.env, AEGIS_CONFIG: env.configPath, HOME: join(env.configPath, "..") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      let json: unknown;
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

export function writeKeypair(dir: string, name: string, kp: Keypair): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify([...kp.secretKey]));
  return path;
}

/** A readable failure message for a CLI result. */
export const show = (r: CliResult) => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
