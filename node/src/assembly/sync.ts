/**
 * Distributed state in the node (node/src/sync/): the threat blocklist and rate-limit phases,
 * shared over NATS when `sync.nats` is configured, local to this node otherwise. Zone notices
 * drive the cache (purges) and the policy store (re-read on a policy change).
 */
import type { Registry } from "prom-client";
import type { HttpCache } from "../cache/httpCache.js";
import type { NodeIdentity } from "../identity.js";
import type { Logger } from "../logger.js";
import type { PolicyStore } from "../policy/store.js";
import {
  ConfigPeerDirectory,
  DistributedRateLimiter,
  MemoryBlocklist,
  RateLimitPhase,
  SyncMetrics,
  ThreatBlockPhase,
  createNatsSyncNode,
  type Blocklist,
  type SyncNode,
  type ZoneNotice,
} from "../sync/index.js";
import type { PurgeRequest } from "../types.js";
import type { SyncConfig } from "./config.js";

export interface NodeSync {
  readonly rateLimitPhase: RateLimitPhase;
  readonly threatBlockPhase: ThreatBlockPhase;
  /** The NATS-backed sync node, when configured. */
  readonly node: SyncNode | undefined;
  /** Tells the other nodes serving the zone(s) about a purge this node made (no-op without NATS). */
  announcePurge(req: PurgeRequest): void;
  close(): Promise<void>;
}

export interface SyncDeps {
  readonly identity: NodeIdentity;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly policies: PolicyStore;
  readonly cache: HttpCache;
  /** Re-reads policies from their source of truth (a notice's content is never trusted). */
  readonly reloadPolicies: () => Promise<void>;
  /** Extra blocklist sinks (the DDoS filter). */
  readonly blocklists: readonly Blocklist[];
}

export async function startSync(config: SyncConfig, d: SyncDeps): Promise<NodeSync> {
  if (!config.nats) return localSync(d);
  const directory = config.peersFile ? ConfigPeerDirectory.load(config.peersFile) : ConfigPeerDirectory.fromData({ peers: [{ address: d.identity.address, stake: "0" }] });
  if (config.peersFile) directory.watch(config.peersFile, (err) => d.logger.error({ file: config.peersFile, err: err.message }, "peer directory edit rejected; keeping the last good one"));
  else d.logger.warn("sync: no sync.peersFile; signed threat events and notices from other nodes will be rejected");
  const node = createNatsSyncNode({
    identity: d.identity,
    directory,
    natsUrl: config.nats.url,
    stream: config.nats.stream,
    subjectPrefix: config.nats.subjectPrefix,
    flushIntervalMs: config.flushIntervalMs,
    logger: d.logger.child({ component: "sync" }),
    registry: d.registry,
    servesZone: (zone) => d.policies.get(zone) !== undefined,
    blocklists: d.blocklists,
  });
  const unsubscribe = node.notices.subscribe((n) => onNotice(n, d));
  await node.start();
  d.logger.info({ nats: config.nats.url, stream: config.nats.stream }, "sync over NATS started");
  return {
    rateLimitPhase: node.rateLimitPhase,
    threatBlockPhase: node.threatBlockPhase,
    node,
    announcePurge(req) {
      for (const [zone, what] of purgeNotices(req, d.policies)) {
        try {
          node.notices.publishPurge(zone, what);
        } catch (err) {
          d.logger.warn({ zone, err: (err as Error).message }, "purge notice not published");
        }
      }
    },
    async close() {
      unsubscribe();
      directory.unwatch();
      await node.stop();
    },
  };
}

/** Without NATS: the same phases over this node's own counters and blocklist. */
function localSync(d: SyncDeps): NodeSync {
  const limiter = new DistributedRateLimiter({ nodeId: d.identity.address });
  const metrics = new SyncMetrics(d.registry);
  const blocklist = new MemoryBlocklist();
  const prune = setInterval(() => limiter.prune(), 1000);
  prune.unref();
  return {
    rateLimitPhase: new RateLimitPhase(limiter, { metrics }),
    threatBlockPhase: new ThreatBlockPhase(blocklist),
    node: undefined,
    announcePurge: () => undefined,
    close: async () => clearInterval(prune),
  };
}

/**
 * A purge notice from another node. Paths ending in `*` are prefixes (how `announcePurge` sends
 * prefix purges; notices carry no prefix field). Our own notices were purged locally already.
 */
function onNotice(n: ZoneNotice, d: SyncDeps): void {
  if (n.local) return;
  if (n.type === "policy") {
    void d.reloadPolicies().catch((err: Error) => d.logger.warn({ zone: n.zone, err: err.message }, "policy reload after notice failed"));
    return;
  }
  const jobs: Promise<unknown>[] = [];
  if (n.all) jobs.push(d.cache.purgePrefix(n.zone, "/"));
  for (const p of n.paths ?? []) jobs.push(p.endsWith("*") ? d.cache.purgePrefix(n.zone, p.slice(0, -1)) : d.cache.purgeUrl(n.zone, p));
  for (const t of n.tags ?? []) jobs.push(d.cache.purgeTag(t));
  void Promise.all(jobs).then(
    () => d.logger.info({ zone: n.zone, from: n.from, all: n.all, paths: n.paths?.length ?? 0, tags: n.tags?.length ?? 0 }, "purge notice applied"),
    (err: Error) => d.logger.warn({ zone: n.zone, err: err.message }, "purge notice failed"),
  );
}

/** An admin purge as zone notices: URL → path, prefix → `prefix*` (or `all`), tag → every served zone. */
function purgeNotices(req: PurgeRequest, policies: PolicyStore): Array<[string, { all?: boolean; paths?: string[]; tags?: string[] }]> {
  if (req.tag !== undefined) {
    const zones = req.zone ? [req.zone] : [...policies.all().keys()];
    return zones.map((z) => [z, { tags: [req.tag!] }]);
  }
  if (req.prefix !== undefined) return [[req.zone!, req.prefix === "/" ? { all: true } : { paths: [`${req.prefix}*`] }]];
  return [[req.zone!, { paths: [req.url!] }]];
}
