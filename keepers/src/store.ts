/**
 * Durable keeper state: accepted reports (with each node's chain head), signed probe results and
 * small metadata (cursors). Two implementations: files under the data dir (the default, no
 * services needed) and Redis (redisStore.ts). Epoch reports and evidence documents are always
 * files, so they can be served and pinned as they are.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { StoreError } from "./errors.js";
import type { ChainHead, SignedProbe, StoredReport } from "./types.js";

export interface KeeperStore {
  open(): Promise<void>;
  head(node: string): ChainHead | undefined;
  /** Appends an accepted report and moves its node's head (atomically where the backend allows). */
  addReport(r: StoredReport): Promise<void>;
  reports(epoch: number): Promise<StoredReport[]>;
  /** false when this exact probe result is already stored. */
  addProbe(p: SignedProbe): Promise<boolean>;
  probes(epoch: number): Promise<SignedProbe[]>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /** Counts per epoch for /status. */
  stats(): { reports: Record<number, number>; probes: Record<number, number> };
  close(): Promise<void>;
}

export function reportToJson(r: StoredReport): string {
  return JSON.stringify({ ...r, sequence: r.sequence.toString(), intervalEndMs: r.intervalEndMs.toString(), bytes: r.bytes.toString(), requests: r.requests.toString() });
}

export function reportFromJson(s: string): StoredReport {
  const o = JSON.parse(s) as Record<string, unknown>;
  return {
    node: String(o.node),
    identity: String(o.identity),
    sequence: BigInt(o.sequence as string),
    hash: String(o.hash),
    prevHash: String(o.prevHash),
    intervalEndMs: BigInt(o.intervalEndMs as string),
    epoch: Number(o.epoch),
    bytes: BigInt(o.bytes as string),
    requests: BigInt(o.requests as string),
    raw: String(o.raw),
  };
}

export const probeKey = (p: SignedProbe) => `${p.result.prober}|${p.result.node}|${p.result.ts}|${p.result.path}`;

export function bump(counts: Record<number, number>, epoch: number): void {
  counts[epoch] = (counts[epoch] ?? 0) + 1;
}

/** Appends one line and fsyncs, so an acknowledged report survives a crash. */
function appendLine(path: string, line: string): void {
  const fd = openSync(path, "a");
  try {
    writeSync(fd, line + "\n");
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function readLines(path: string): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  const lines = text.split("\n");
  // A crash in the middle of a write leaves a partial last line: ignore it.
  return lines.filter((l, i) => l.length > 0 && (i < lines.length - 1 || text.endsWith("\n")));
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export class FileStore implements KeeperStore {
  private heads = new Map<string, ChainHead>();
  private probeKeys = new Set<string>();
  private meta: Record<string, string> = {};
  private counts = { reports: {} as Record<number, number>, probes: {} as Record<number, number> };

  constructor(private readonly dir: string) {}

  async open(): Promise<void> {
    try {
      mkdirSync(join(this.dir, "reports"), { recursive: true });
      mkdirSync(join(this.dir, "probes"), { recursive: true });
    } catch (err) {
      throw new StoreError(`cannot create ${this.dir}: ${(err as Error).message}`);
    }
    for (const f of readdirSync(join(this.dir, "reports"))) {
      const m = /^epoch-(\d+)\.jsonl$/.exec(f);
      if (!m) continue;
      for (const line of readLines(join(this.dir, "reports", f))) {
        const r = reportFromJson(line);
        bump(this.counts.reports, r.epoch);
        const h = this.heads.get(r.node);
        if (!h || r.sequence > h.sequence) this.heads.set(r.node, { sequence: r.sequence, hash: r.hash, intervalEndMs: r.intervalEndMs });
      }
    }
    for (const f of readdirSync(join(this.dir, "probes"))) {
      const m = /^epoch-(\d+)\.jsonl$/.exec(f);
      if (!m) continue;
      for (const line of readLines(join(this.dir, "probes", f))) {
        this.probeKeys.add(probeKey(JSON.parse(line) as SignedProbe));
        bump(this.counts.probes, Number(m[1]));
      }
    }
    const metaPath = join(this.dir, "meta.json");
    if (existsSync(metaPath)) this.meta = JSON.parse(readFileSync(metaPath, "utf8")) as Record<string, string>;
  }

  head(node: string): ChainHead | undefined {
    return this.heads.get(node);
  }

  async addReport(r: StoredReport): Promise<void> {
    appendLine(join(this.dir, "reports", `epoch-${r.epoch}.jsonl`), reportToJson(r));
    this.heads.set(r.node, { sequence: r.sequence, hash: r.hash, intervalEndMs: r.intervalEndMs });
    bump(this.counts.reports, r.epoch);
  }

  async reports(epoch: number): Promise<StoredReport[]> {
    return readLines(join(this.dir, "reports", `epoch-${epoch}.jsonl`)).map(reportFromJson);
  }

  async addProbe(p: SignedProbe): Promise<boolean> {
    const k = probeKey(p);
    if (this.probeKeys.has(k)) return false;
    appendLine(join(this.dir, "probes", `epoch-${p.result.epoch}.jsonl`), JSON.stringify(p));
    this.probeKeys.add(k);
    bump(this.counts.probes, p.result.epoch);
    return true;
  }

  async probes(epoch: number): Promise<SignedProbe[]> {
    return readLines(join(this.dir, "probes", `epoch-${epoch}.jsonl`)).map((l) => JSON.parse(l) as SignedProbe);
  }

  async getMeta(key: string): Promise<string | undefined> {
    return this.meta[key];
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.meta[key] = value;
    writeFileAtomic(join(this.dir, "meta.json"), JSON.stringify(this.meta));
  }

  stats() {
    return this.counts;
  }

  async close(): Promise<void> {}
}
