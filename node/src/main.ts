/**
 * CLI: `node --import tsx node/src/main.ts --config node.toml`
 *
 * workers = 1 runs one process. workers = 0 (one per core) or N > 1 forks workers with
 * node:cluster; they share the data-plane ports, and the primary serves /metrics (aggregated over
 * workers), /healthz and /purge (fanned out to workers), and closes the analytics intervals
 * (workers send their counters, the primary signs one report for the node).
 */
import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { loadConfigFile } from "./config.js";
import { createLogger } from "./logger.js";
import { startEdgeNode } from "./server.js";
import { runPrimary, runWorker } from "./cluster.js";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: "string", short: "c" } } });
  if (!values.config) {
    process.stderr.write("usage: main.ts --config node.toml\n");
    process.exit(2);
  }
  const config = loadConfigFile(values.config);
  const log = createLogger(config.log.level);
  const workers = config.workers === 0 ? availableParallelism() : config.workers;
  if (workers > 1) {
    if (cluster.isPrimary) return runPrimary(config, workers, log);
    return runWorker(config, log);
  }
  const node = await startEdgeNode(config, { logger: log });
  const stop = (signal: string) => {
    log.info({ signal }, "shutting down");
    node.close().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err: err.message }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

main().catch((err: Error & { code?: string }) => {
  process.stderr.write(`aegis-node: ${err.code ? `${err.code}: ` : ""}${err.message}\n`);
  process.exit(1);
});
