/**
 * aegis-keeper: `node --import tsx keepers/src/main.ts --roles oracle,cranker --config keeper.toml`
 * (see docs/keepers.md), or `... main.ts compute inputs.json`.
 */
import { computeFromFile } from "./compute.js";
import { loadConfig, USAGE } from "./config.js";
import { KeeperError } from "./errors.js";
import { startKeeper } from "./keeper.js";
import { createLogger } from "./logger.js";

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "compute") {
    if (!argv[1]) {
      process.stderr.write("usage: aegis-keeper compute <inputs.json>\n");
      return 2;
    }
    process.stdout.write(JSON.stringify(await computeFromFile(argv[1])) + "\n");
    return 0;
  }
  const { config, help } = loadConfig(argv);
  if (help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  const log = createLogger(config.logLevel, config.name);
  const keeper = await startKeeper(config, { log });
  process.stderr.write(`aegis-keeper ${config.name} listening on ${keeper.url}\n`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, "shutting down");
      const force = setTimeout(() => process.exit(1), 15_000);
      force.unref();
      keeper.stop().finally(resolve);
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = err as Error & { code?: string };
    process.stderr.write(`${err instanceof KeeperError ? `${e.code}: ` : ""}${e.message}\n`);
    process.exit(err instanceof KeeperError ? 2 : 1);
  },
);
