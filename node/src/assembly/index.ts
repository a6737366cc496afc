/**
 * Builds the node's request path from its config: which module runs in which phase, in the
 * documented order (docs/node.md "Request path"):
 *
 *   early      ddos (user-space packet budget, 429) → threat-blocklist (403) → rate-limit (429)
 *   then       waf (CRS, 403 in block mode) → bots (challenge / block) → edge-functions
 *   response   waf-response (data leakage rules) → edge-functions
 *
 * Each module is switched by config and decides per zone from its policy; NATS is used only
 * when configured. A phase is in the list only while some zone uses it (the proxy answers
 * fresh cache hits synchronously when no phase runs). Phases the caller injects replace the
 * assembled phase of the same name; the others run after the assembled ones, in the order given.
 */
import { join } from "node:path";
import type { Server as NetServer } from "node:net";
import type { Registry } from "prom-client";
import type { HttpCache } from "../cache/httpCache.js";
import type { NodeConfig } from "../config.js";
import type { NodeIdentity } from "../identity.js";
import type { Logger } from "../logger.js";
import type { RequestPhase, ResponsePhase } from "../phase.js";
import type { ZonePolicy } from "../policy/schema.js";
import type { PolicyStore } from "../policy/store.js";
import type { TrustedProxies } from "../proxy/clientIp.js";
import { ClientHelloTap } from "../tls/clientHelloTap.js";
import type { PurgeRequest } from "../types.js";
import { applyZonePolicies, type DdosFilter } from "../xdp/index.js";
import { createBotPhase, withTlsFingerprints } from "./bots.js";
import { DdosAdmitPhase, DdosBlocklistSink, guardConnections, startDdosFilter } from "./ddos.js";
import { NodeFunctions } from "./functions.js";
import type { ModuleRegistry } from "../functions/index.js";
import { startSync, type NodeSync } from "./sync.js";
import { NodeWaf } from "./waf.js";

export interface AssemblyDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly identity: NodeIdentity;
  readonly policies: PolicyStore;
  readonly cache: HttpCache;
  readonly trusted: TrustedProxies;
  /** Re-reads the policy source (zone policy-change notices). */
  readonly reloadPolicies: () => Promise<void>;
  /** Module registry from chain (assembly/chain.ts); else the functions config decides. */
  readonly modules?: ModuleRegistry;
}

export interface Phases {
  requestPhases: RequestPhase[];
  responsePhases: ResponsePhase[];
}

export interface AssembledNode {
  /**
   * Keeps `into.requestPhases` / `into.responsePhases` set to what the current zones use (the
   * proxy reads the lists per request; they are replaced, never mutated, on a policy change).
   */
  phases(into: Phases): void;
  readonly ddos: DdosFilter | undefined;
  readonly sync: NodeSync;
  readonly waf: NodeWaf | undefined;
  readonly functions: NodeFunctions | undefined;
  /** Reads ClientHellos on the HTTPS listener (JA3 / JA4 for the bot manager), when on. */
  readonly tlsTap: ClientHelloTap | undefined;
  /** Applies the connection budget to a listener (user-space DDoS filter). */
  guard(server: NetServer): void;
  /** After a local purge: tells the other nodes serving the zone. */
  announcePurge(req: PurgeRequest): void;
  /** Stops every module; call after the listeners drained. */
  close(): Promise<void>;
}

export async function assembleNode(config: NodeConfig, d: AssemblyDeps): Promise<AssembledNode> {
  const log = d.logger;
  const closers: Array<() => Promise<void>> = [];
  try {
    const ddos = await startDdosFilter(config.ddos, log.child({ component: "ddos" }), d.registry);
    if (ddos) closers.push(() => ddos.close());
    const ddosSink = ddos ? new DdosBlocklistSink(ddos, log) : undefined;

    const sync = await startSync(config.sync, {
      identity: d.identity,
      logger: log,
      registry: d.registry,
      policies: d.policies,
      cache: d.cache,
      reloadPolicies: d.reloadPolicies,
      blocklists: ddosSink ? [ddosSink] : [],
    });
    closers.push(async () => {
      await sync.close();
      await ddosSink?.settled();
    });

    // A module whose phase the caller injects is not built (its metrics would clash with the caller's).
    const injected = new Set([...config.requestPhases, ...config.responsePhases].map((p) => p.name));
    const waf = config.waf.enabled && !injected.has("waf") ? new NodeWaf(config.waf, log, d.registry) : undefined;
    const tlsTap = config.listen.https && config.bots.tlsFingerprints ? new ClientHelloTap(config.limits.headersTimeoutMs) : undefined;
    let bots: RequestPhase | undefined;
    if (config.bots.enabled && !injected.has("bots")) {
      const phase = createBotPhase(config.bots, config.bots.keyFile ?? join(config.dataDir, "bot-key"), log, d.registry);
      bots = tlsTap ? withTlsFingerprints(phase, tlsTap) : phase;
    }
    // A caller's own bot phase gets the TLS fingerprints too.
    const injectedRequest = config.requestPhases.map((p) => (p.name === "bots" && tlsTap ? withTlsFingerprints(p, tlsTap) : p));
    const functions = injected.has("edge-functions") ? undefined : new NodeFunctions(config.functions, { dataDir: config.dataDir, logger: log, registry: d.registry, ...(d.modules ? { modules: d.modules } : {}) });
    if (functions) closers.push(() => functions.close());

    const syncShared = config.sync.nats !== undefined;
    /** Only the phases some zone can use: an empty list keeps the proxy's synchronous cache-hit path. */
    const phasesFor = (zones: readonly ZonePolicy[]): Phases => {
      const any = (f: (z: ZonePolicy) => boolean) => zones.some(f);
      const ddosActive = ddos?.mode === "userspace" && (config.ddos.block.length > 0 || syncShared || any((z) => z.ddos.sensitivity > 0));
      const request: RequestPhase[] = [
        ...(ddosActive ? [new DdosAdmitPhase(ddos!)] : []),
        ...(syncShared ? [sync.threatBlockPhase] : []),
        ...(any((z) => z.rateLimit.requests > 0) ? [sync.rateLimitPhase] : []),
        ...(waf && any((z) => z.waf.mode !== "off") ? [waf.requestPhase] : []),
        ...(bots && any((z) => z.bots.mode !== "off") ? [bots] : []),
        ...(functions && any((z) => z.functions.length > 0) ? [functions.requestPhase] : []),
      ];
      const response: ResponsePhase[] = [
        ...(waf && any((z) => z.waf.mode !== "off" && z.waf.responseRules) ? [waf.responsePhase] : []),
        ...(functions && any((z) => z.functions.length > 0) ? [functions.responsePhase] : []),
      ];
      return { requestPhases: mergePhases(request, injectedRequest), responsePhases: mergePhases(response, config.responsePhases) };
    };

    let target: Phases | undefined;
    const onZones = async (zones: ReadonlyMap<string, ZonePolicy>) => {
      const all = [...zones.values()];
      if (ddos) await applyZonePolicies(ddos, all).catch((err: Error) => log.error({ err: err.message }, "ddos limits not updated; previous kept"));
      waf?.ensureFor(all);
      if (target) Object.assign(target, phasesFor(all));
      await functions?.ensureFor(all).catch((err: Error) => log.error({ err: err.message }, "edge functions runtime failed to start"));
    };
    await onZones(d.policies.all());
    d.policies.onChange((zones) => void onZones(zones));

    return {
      phases: (into) => {
        target = into;
        Object.assign(into, phasesFor([...d.policies.all().values()]));
      },
      ddos,
      sync,
      waf,
      functions,
      tlsTap,
      guard: (server) => {
        if (ddos) guardConnections(ddos, server, d.trusted);
      },
      announcePurge: (req) => sync.announcePurge(req),
      close: () => closeAll(closers, log),
    };
  } catch (err) {
    await closeAll(closers, log);
    throw err;
  }
}

/** Injected phases take the place of assembled phases with the same name; the rest follow. */
export function mergePhases<P extends { readonly name: string }>(assembled: readonly P[], injected: readonly P[]): P[] {
  const byName = new Map(injected.map((p) => [p.name, p]));
  const merged = assembled.map((p) => byName.get(p.name) ?? p);
  const used = new Set(assembled.map((p) => p.name));
  return [...merged, ...injected.filter((p) => !used.has(p.name))];
}

async function closeAll(closers: Array<() => Promise<void>>, log: Logger): Promise<void> {
  for (const close of closers.reverse()) {
    try {
      await close();
    } catch (err) {
      log.error({ err: (err as Error).message }, "module close failed");
    }
  }
}
