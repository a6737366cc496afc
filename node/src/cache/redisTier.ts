/**
 * Shared tier in Redis (or Dragonfly) through ioredis. Every node pointed at the same server sees
 * the objects any of them stored. Value layout: u32 BE length of a JSON array of variant metadata,
 * the JSON, then the variant bodies back to back.
 */
import { Redis } from "ioredis";
import type { Logger } from "../logger.js";
import type { CachedObject, CacheTier } from "./types.js";

export class RedisTier implements CacheTier {
  readonly name = "redis";
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    // Commands wait briefly while (re)connecting, then fail fast: a slow or absent Redis costs a
    // miss in the shared tier, never a stuck request.
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: true, connectTimeout: 2_000, commandTimeout: 1_000 });
    this.redis.on("error", (err: Error) => this.log.warn({ err: err.message }, "redis cache tier error"));
  }

  /** Resolves when connected, or after `timeoutMs` (the node starts anyway; the tier catches up). */
  async ready(timeoutMs = 3_000): Promise<boolean> {
    if (this.redis.status === "ready") return true;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.redis.off("ready", onReady);
        this.log.warn("redis cache tier not ready yet; starting without it");
        resolve(false);
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(t);
        resolve(true);
      };
      this.redis.once("ready", onReady);
    });
  }

  private objKey(key: string): string {
    return `${this.prefix}obj:${key}`;
  }
  private tagKey(tag: string): string {
    return `${this.prefix}tag:${tag}`;
  }

  async get(key: string): Promise<CachedObject[] | undefined> {
    const buf = await this.redis.getBuffer(this.objKey(key));
    return buf ? decodeVariants(buf) : undefined;
  }

  async set(key: string, variants: CachedObject[], ttlMs: number): Promise<void> {
    await this.redis.set(this.objKey(key), encodeVariants(variants), "PX", Math.max(1, Math.ceil(ttlMs)));
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length) await this.redis.del(...keys.map((k) => this.objKey(k)));
  }

  async keysWithPrefix(prefix: string): Promise<string[]> {
    const base = this.objKey("");
    const pattern = base.replace(/[*?[\]\\]/g, "\\$&") + prefix.replace(/[*?[\]\\]/g, "\\$&") + "*";
    const out: string[] = [];
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      cursor = next;
      for (const k of keys) out.push(k.slice(base.length));
    } while (cursor !== "0");
    return out;
  }

  async addTags(key: string, tags: string[], ttlMs: number): Promise<void> {
    if (!tags.length) return;
    const m = this.redis.multi();
    for (const t of tags) {
      m.sadd(this.tagKey(t), key);
      m.pexpire(this.tagKey(t), Math.max(ttlMs, 86_400_000));
    }
    await m.exec();
  }

  async keysForTag(tag: string): Promise<string[]> {
    const keys = await this.redis.smembers(this.tagKey(tag));
    await this.redis.del(this.tagKey(tag));
    return keys;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

export function encodeVariants(variants: CachedObject[]): Buffer {
  const meta = JSON.stringify(variants.map((v) => ({ ...v, body: v.body.length })));
  const head = Buffer.from(meta, "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32BE(head.length);
  return Buffer.concat([len, head, ...variants.map((v) => v.body)]);
}

export function decodeVariants(buf: Buffer): CachedObject[] {
  const n = buf.readUInt32BE(0);
  const meta = JSON.parse(buf.subarray(4, 4 + n).toString("utf8")) as (Omit<CachedObject, "body"> & { body: number })[];
  let off = 4 + n;
  return meta.map((m) => {
    const body = buf.subarray(off, off + m.body);
    off += m.body;
    return { ...m, body };
  });
}
