/**
 * The `[chain]` section: zone policies and edge-function modules read from the registry
 * program instead of local files. One Connection serves both; the module registry follows the
 * zones (and their owners) the policy source reports after every full load.
 */
import { Connection, PublicKey } from "@solana/web3.js";
import type { NodeConfig } from "../config.js";
import { ChainModuleRegistry } from "../functions/chainRegistry.js";
import type { Logger } from "../logger.js";
import { ChainPolicySource } from "../policy/chainSource.js";
import { closeWebSocket } from "../../../sdk/src/connection.js";

export interface NodeChain {
  readonly policies: ChainPolicySource;
  readonly modules: ChainModuleRegistry;
  readonly reconcileMs: number;
  close(): Promise<void>;
}

export type ChainConfig = NonNullable<NodeConfig["chain"]>;

/** Solana convention: the pubsub port is the RPC port plus one. */
export function defaultWsUrl(rpcUrl: string): string {
  const u = new URL(rpcUrl);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  if (u.port) u.port = String(Number(u.port) + 1);
  return u.toString();
}

export function startChain(config: ChainConfig, identity: Uint8Array, log: Logger): NodeChain {
  const logger = log.child({ component: "chain" });
  const connection = new Connection(config.rpcUrl, { commitment: config.commitment, wsEndpoint: config.wsUrl ?? defaultWsUrl(config.rpcUrl) });
  const programId = config.registryProgramId ? new PublicKey(config.registryProgramId) : undefined;
  const common = { connection, commitment: config.commitment, logger, ...(programId ? { programId } : {}) };
  const policies = new ChainPolicySource({ ...common, ...(config.domains ? { domains: config.domains } : { identity: new PublicKey(identity) }) });
  const modules = new ChainModuleRegistry(common);
  const reconcileMs = Math.round(config.reconcileSecs * 1000);
  policies.onZoneOwners((owners) => modules.setZones(owners));
  modules.start();
  const timer = setInterval(
    () => void modules.refresh().catch((err: Error) => logger.warn({ err: err.message }, "module registry unreachable; keeping current modules")),
    reconcileMs,
  );
  timer.unref();
  return {
    policies,
    modules,
    reconcileMs,
    async close() {
      clearInterval(timer);
      await modules.close();
      closeWebSocket(connection);
    },
  };
}
