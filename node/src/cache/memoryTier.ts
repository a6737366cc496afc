/** In-process tier: an LRU bounded by the bytes of bodies and headers it holds. */
import { LRUCache } from "lru-cache";
import type { CachedObject, CacheTier } from "./types.js";

const OVERHEAD = 512;

export function objectSize(o: CachedObject): number {
  let n = o.body.length + OVERHEAD;
  for (const k in o.headers) n += k.length + String(o.headers[k]).length;
  return n;
}

export class MemoryTier implements CacheTier {
  readonly name = "memory";
  private readonly lru: LRUCache<string, CachedObject[]>;
  private readonly tags = new Map<string, Set<string>>();

  constructor(maxBytes: number) {
    this.lru = new LRUCache<string, CachedObject[]>({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (variants) => Math.max(1, variants.reduce((s, v) => s + objectSize(v), 0)),
      ttlAutopurge: false,
      allowStale: false,
    });
  }

  /** Synchronous lookup for the hit fast path. */
  peek(key: string): CachedObject[] | undefined {
    return this.lru.get(key);
  }

  async get(key: string): Promise<CachedObject[] | undefined> {
    return this.lru.get(key);
  }

  async set(key: string, variants: CachedObject[], ttlMs: number): Promise<void> {
    this.lru.set(key, variants, { ttl: Math.max(1, Math.ceil(ttlMs)) });
  }

  async delete(keys: string[]): Promise<void> {
    for (const k of keys) this.lru.delete(k);
  }

  async keysWithPrefix(prefix: string): Promise<string[]> {
    const out: string[] = [];
    for (const k of this.lru.keys()) if (k.startsWith(prefix)) out.push(k);
    return out;
  }

  async addTags(key: string, tags: string[]): Promise<void> {
    for (const t of tags) {
      let set = this.tags.get(t);
      if (!set) this.tags.set(t, (set = new Set()));
      set.add(key);
    }
  }

  async keysForTag(tag: string): Promise<string[]> {
    const set = this.tags.get(tag);
    if (!set) return [];
    const live = [...set].filter((k) => this.lru.has(k));
    if (live.length === 0) this.tags.delete(tag);
    else this.tags.set(tag, new Set(live));
    return live;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }

  async close(): Promise<void> {
    this.lru.clear();
    this.tags.clear();
  }
}
