#!/usr/bin/env node
// The `aegis` command: runs cli/src/main.ts through tsx (package.json "bin": { "aegis": "cli/bin/aegis.js" }).
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const main = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "main.ts");
const r = spawnSync(process.execPath, ["--import", import.meta.resolve("tsx"), main, ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(r.status ?? 1);
