/** KeeperStore on Redis (ioredis): lists per epoch, node heads in one hash, written in one MULTI. */
import { Redis } from "ioredis";
import { StoreError } from "./errors.js";
import { bump, probeKey, reportFromJson, reportToJson, type KeeperStore } from "./store.js";
import type { ChainHead, SignedProbe, StoredReport } from "./types.js";

export class RedisStore implements KeeperStore {
  private readonly redis: Redis;
  private heads = new Map<string, ChainHead>();
  private probeKeys = new Set<string>();
  private counts = { reports: {} as Record<number, number>, probes: {} as Record<number, number> };

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    this.redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  }

  private k(...parts: (string | number)[]): string {
    return [this.prefix, ...parts].join(":");
  }

  async open(): Promise<void> {
    try {
      await this.redis.connect();
    } catch (err) {
      throw new StoreError(`redis: ${(err as Error).message}`);
    }
    const heads = await this.redis.hgetall(this.k("heads"));
    for (const [node, v] of Object.entries(heads)) {
      const h = JSON.parse(v) as { sequence: string; hash: string; intervalEndMs: string };
      this.heads.set(node, { sequence: BigInt(h.sequence), hash: h.hash, intervalEndMs: BigInt(h.intervalEndMs) });
    }
    for (const key of await this.redis.smembers(this.k("epochs"))) {
      const e = Number(key);
      this.counts.reports[e] = await this.redis.llen(this.k("reports", e));
      const probes = await this.redis.lrange(this.k("probes", e), 0, -1);
      this.counts.probes[e] = probes.length;
      for (const p of probes) this.probeKeys.add(probeKey(JSON.parse(p) as SignedProbe));
    }
  }

  head(node: string): ChainHead | undefined {
    return this.heads.get(node);
  }

  async addReport(r: StoredReport): Promise<void> {
    const head = { sequence: r.sequence.toString(), hash: r.hash, intervalEndMs: r.intervalEndMs.toString() };
    await this.redis
      .multi()
      .rpush(this.k("reports", r.epoch), reportToJson(r))
      .hset(this.k("heads"), r.node, JSON.stringify(head))
      .sadd(this.k("epochs"), String(r.epoch))
      .exec();
    this.heads.set(r.node, { sequence: r.sequence, hash: r.hash, intervalEndMs: r.intervalEndMs });
    bump(this.counts.reports, r.epoch);
  }

  async reports(epoch: number): Promise<StoredReport[]> {
    return (await this.redis.lrange(this.k("reports", epoch), 0, -1)).map(reportFromJson);
  }

  async addProbe(p: SignedProbe): Promise<boolean> {
    const key = probeKey(p);
    if (this.probeKeys.has(key)) return false;
    await this.redis.multi().rpush(this.k("probes", p.result.epoch), JSON.stringify(p)).sadd(this.k("epochs"), String(p.result.epoch)).exec();
    this.probeKeys.add(key);
    bump(this.counts.probes, p.result.epoch);
    return true;
  }

  async probes(epoch: number): Promise<SignedProbe[]> {
    return (await this.redis.lrange(this.k("probes", epoch), 0, -1)).map((l) => JSON.parse(l) as SignedProbe);
  }

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.redis.hget(this.k("meta"), key)) ?? undefined;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.redis.hset(this.k("meta"), key, value);
  }

  stats() {
    return this.counts;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
