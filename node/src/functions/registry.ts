/**
 * Module registry: which CID a zone's named module currently points at, and the versions
 * before it (for rollback). The on-chain registry program implements the same interface
 * from its module accounts; ConfigModuleRegistry is the embedded-mode source (TOML).
 */
import { readFile } from "node:fs/promises";
import { watchFile, unwatchFile } from "node:fs";
import { parse as parseToml } from "smol-toml";
import { z } from "zod";
import { parseModuleCid } from "./cid.js";
import { FunctionConfigError } from "./errors.js";

export interface ModuleVersion {
  readonly version: number;
  readonly cid: string;
}

export interface ModuleRecord {
  readonly zone: string;
  readonly name: string;
  /** Account (or operator) allowed to publish versions of this module. */
  readonly owner: string;
  readonly current: ModuleVersion;
  /** Older versions, newest first. */
  readonly previous: readonly ModuleVersion[];
}

export type RegistryListener = (zone: string, name: string, record: ModuleRecord | undefined) => void;

export interface ModuleRegistry {
  get(zone: string, name: string): ModuleRecord | undefined;
  list(): readonly ModuleRecord[];
  /** Called after a record is added, changed or removed. Returns an unsubscribe function. */
  onChange(listener: RegistryListener): () => void;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

const versionSchema = z.object({
  version: z.number().int().min(1),
  cid: z.string().min(1).max(128),
});

const moduleSchema = z.object({
  zone: z.string().min(1).max(253),
  name: z.string().regex(NAME, "module names are lower-case letters, digits, - and _"),
  owner: z.string().min(1).max(64),
  versions: z.array(versionSchema).min(1).max(64),
  /** Version in use; defaults to the highest. Rollback lowers it. */
  active: z.number().int().min(1).optional(),
});

const fileSchema = z.object({ module: z.array(moduleSchema).max(4096).default([]) });

type ModuleEntry = z.infer<typeof moduleSchema>;

function toRecord(entry: ModuleEntry): ModuleRecord {
  const versions = entry.versions
    .map((v) => ({ version: v.version, cid: parseModuleCid(v.cid) }))
    .sort((a, b) => b.version - a.version);
  const seen = new Set<number>();
  for (const v of versions) {
    if (seen.has(v.version)) throw new FunctionConfigError(`${entry.zone}/${entry.name}: version ${v.version} listed twice`);
    seen.add(v.version);
  }
  const active = entry.active ?? versions[0]!.version;
  const at = versions.findIndex((v) => v.version === active);
  if (at < 0) throw new FunctionConfigError(`${entry.zone}/${entry.name}: active version ${active} is not listed`);
  return { zone: entry.zone, name: entry.name, owner: entry.owner, current: versions[at]!, previous: versions.slice(at + 1) };
}

const keyOf = (zone: string, name: string): string => `${zone}/${name}`;

function sameRecord(a: ModuleRecord | undefined, b: ModuleRecord | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Registry read from TOML:
 *
 *     [[module]]
 *     zone = "example.com"
 *     name = "auth"
 *     owner = "ops@example.com"
 *     versions = [{ version = 1, cid = "bafkrei…" }, { version = 2, cid = "bafkrei…" }]
 *     # active = 1
 *
 * `publish` and `rollback` change it at run time; `load` / `watch` re-read the file. An
 * invalid file throws and leaves the registry as it was.
 */
export class ConfigModuleRegistry implements ModuleRegistry {
  private records = new Map<string, ModuleRecord>();
  /** All versions ever listed per module (rollback keeps versions above the active one). */
  private versions = new Map<string, ModuleVersion[]>();
  private readonly listeners = new Set<RegistryListener>();
  private watched: string | undefined;

  static fromToml(text: string): ConfigModuleRegistry {
    const r = new ConfigModuleRegistry();
    r.load(text);
    return r;
  }

  get(zone: string, name: string): ModuleRecord | undefined {
    return this.records.get(keyOf(zone, name));
  }

  list(): readonly ModuleRecord[] {
    return [...this.records.values()];
  }

  onChange(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replaces the whole registry with the TOML `text`. */
  load(text: string): void {
    let raw: unknown;
    try {
      raw = parseToml(text);
    } catch (err) {
      throw new FunctionConfigError(`module registry is not valid TOML: ${(err as Error).message}`);
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) throw new FunctionConfigError(`module registry is invalid: ${parsed.error.message}`);
    const next = new Map<string, ModuleRecord>();
    const versions = new Map<string, ModuleVersion[]>();
    for (const entry of parsed.data.module) {
      const k = keyOf(entry.zone, entry.name);
      if (next.has(k)) throw new FunctionConfigError(`module ${k} is listed twice`);
      const rec = toRecord(entry);
      next.set(k, rec);
      versions.set(k, entry.versions.map((v) => ({ version: v.version, cid: parseModuleCid(v.cid) })));
    }
    const before = this.records;
    this.records = next;
    this.versions = versions;
    for (const k of new Set([...before.keys(), ...next.keys()])) {
      const a = before.get(k);
      const b = next.get(k);
      if (!sameRecord(a, b)) {
        const rec = (b ?? a)!;
        this.emit(rec.zone, rec.name, b);
      }
    }
  }

  async loadFile(path: string): Promise<void> {
    this.load(await readFile(path, "utf8"));
  }

  /**
   * Re-reads `path` whenever it changes. A bad edit is reported to `onError` and the last
   * good registry stays in force.
   */
  watch(path: string, onError: (err: Error) => void, intervalMs = 1000): void {
    this.unwatch();
    this.watched = path;
    const reload = () => this.loadFile(path).catch((err: Error) => onError(err));
    watchFile(path, { interval: intervalMs, persistent: false }, reload);
    // The watcher's baseline is taken asynchronously: catch an edit made in between.
    setTimeout(reload, intervalMs * 2).unref();
  }

  unwatch(): void {
    if (this.watched) unwatchFile(this.watched);
    this.watched = undefined;
  }

  /** Publishes a new version and makes it current. Versions only go up. */
  publish(zone: string, name: string, owner: string, version: ModuleVersion): ModuleRecord {
    const k = keyOf(zone, name);
    const prior = this.records.get(k);
    if (prior && prior.owner !== owner) throw new FunctionConfigError(`${k} is owned by ${prior.owner}`);
    const all = this.versions.get(k) ?? [];
    const top = Math.max(0, ...all.map((v) => v.version));
    if (version.version <= top) throw new FunctionConfigError(`${k}: version ${version.version} is not above ${top}`);
    const versions = [...all, { version: version.version, cid: parseModuleCid(version.cid) }];
    return this.setEntry({ zone, name, owner, versions });
  }

  /** Makes the version before the current one current again. */
  rollback(zone: string, name: string): ModuleRecord {
    const k = keyOf(zone, name);
    const rec = this.records.get(k);
    if (!rec) throw new FunctionConfigError(`no module ${k}`);
    const target = rec.previous[0];
    if (!target) throw new FunctionConfigError(`${k} has no previous version`);
    return this.setEntry({ zone, name, owner: rec.owner, versions: this.versions.get(k) ?? [], active: target.version });
  }

  private setEntry(entry: ModuleEntry): ModuleRecord {
    const rec = toRecord(entry);
    const k = keyOf(entry.zone, entry.name);
    this.records.set(k, rec);
    this.versions.set(k, entry.versions);
    this.emit(entry.zone, entry.name, rec);
    return rec;
  }

  private emit(zone: string, name: string, rec: ModuleRecord | undefined): void {
    for (const l of this.listeners) l(zone, name, rec);
  }
}
