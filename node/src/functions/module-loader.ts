/**
 * Turns a module reference (a CID, or a name in the zone's module registry) into a compiled,
 * instrumented module. Registry changes are loaded in the background and swapped in only
 * once ready, so a hot reload or rollback never fails a request: requests already running
 * keep the module they started with, later ones get the new version.
 */
import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import { ABI_MODULE, ENTRY_REQUEST, ENTRY_RESPONSE } from "./abi.js";
import { looksLikeCid, parseModuleCid } from "./cid.js";
import { FunctionError, InvalidModuleError } from "./errors.js";
import { WASM_PAGE_BYTES, instrumentModule } from "./instrument.js";
import type { FunctionMetrics } from "./metrics.js";
import type { ModuleStore } from "./module-store.js";
import type { ModuleRegistry } from "./registry.js";
import type { LoadedModule } from "./types.js";

export interface ModuleLimits {
  readonly fuel: number;
  readonly memoryMb: number;
}

export interface ResolvedModule extends LoadedModule {
  /** Registry name and version, when referenced by name. */
  readonly name: string | undefined;
  readonly version: number | undefined;
}

const ENV_IMPORTS = new Set(["abort", "trace", "seed"]);
const ABI_IMPORTS = new Set(["get", "read", "result_len", "set", "remove", "set_status", "cache_get", "cache_set", "fetch", "log"]);
const RETRY_AFTER_MS = 5_000;

const limitsKey = (l: ModuleLimits): string => `${l.fuel}:${l.memoryMb}`;

export class ModuleLoader {
  private readonly modules = new LRUCache<string, LoadedModule>({ max: 256 });
  private readonly loading = new Map<string, Promise<LoadedModule>>();
  private readonly failedUntil = new Map<string, number>();
  /** zone/name → CID being served. */
  private readonly active = new Map<string, string>();
  /** zone/name → limit sets it has been used with (to preload new versions for each). */
  private readonly limitsUsed = new Map<string, Map<string, ModuleLimits>>();
  private readonly unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: ModuleStore,
    private readonly registry: ModuleRegistry | undefined,
    private readonly logger: Logger,
    private readonly metrics: FunctionMetrics,
  ) {
    this.unsubscribe = registry?.onChange((zone, name, record) => {
      const used = this.limitsUsed.get(`${zone}/${name}`);
      if (!record || !used) return;
      for (const limits of used.values()) {
        this.load(record.current.cid, limits).then(
          () => this.logger.info({ zone, module: name, version: record.current.version, cid: record.current.cid }, "module version ready"),
          () => {}, // logged in load
        );
      }
    });
  }

  close(): void {
    this.unsubscribe?.();
  }

  /** Compiled module for `ref` in `zone`. Throws FunctionError when it cannot be had. */
  async resolve(zone: string, ref: string, limits: ModuleLimits): Promise<ResolvedModule> {
    if (looksLikeCid(ref)) {
      return { ...(await this.load(parseModuleCid(ref), limits)), name: undefined, version: undefined };
    }
    const record = this.registry?.get(zone, ref);
    if (!record) throw new FunctionError("AEGIS_ERR_FN_UNKNOWN_MODULE", `zone ${zone} has no module named ${ref}`);
    const id = `${zone}/${ref}`;
    let used = this.limitsUsed.get(id);
    if (!used) this.limitsUsed.set(id, (used = new Map()));
    used.set(limitsKey(limits), limits);

    const want = record.current;
    const ready = this.modules.get(this.key(want.cid, limits));
    if (ready) {
      this.active.set(id, want.cid);
      return { ...ready, name: ref, version: want.version };
    }
    // The wanted version is not compiled yet: keep serving the active one while it loads.
    const activeCid = this.active.get(id);
    const serving = activeCid ? this.modules.get(this.key(activeCid, limits)) : undefined;
    if (serving) {
      this.load(want.cid, limits).catch(() => {});
      const version = [record.current, ...record.previous].find((v) => v.cid === activeCid)?.version;
      return { ...serving, name: ref, version };
    }
    const loaded = await this.load(want.cid, limits);
    this.active.set(id, want.cid);
    return { ...loaded, name: ref, version: want.version };
  }

  private key(cid: string, limits: ModuleLimits): string {
    return `${cid}#${limitsKey(limits)}`;
  }

  /** Fetches, verifies, instruments and compiles `cid` (once per cid and limits). */
  load(cid: string, limits: ModuleLimits): Promise<LoadedModule> {
    const key = this.key(cid, limits);
    const ready = this.modules.get(key);
    if (ready) return Promise.resolve(ready);
    const pending = this.loading.get(key);
    if (pending) return pending;
    const retryAt = this.failedUntil.get(key);
    if (retryAt !== undefined && Date.now() < retryAt) {
      return Promise.reject(new FunctionError("AEGIS_ERR_FN_FETCH_MODULE", `module ${cid} failed to load recently; retrying later`));
    }
    const p = this.compile(cid, key, limits).then(
      (m) => {
        this.loading.delete(key);
        this.failedUntil.delete(key);
        this.modules.set(key, m);
        return m;
      },
      (err: Error) => {
        this.loading.delete(key);
        this.failedUntil.set(key, Date.now() + RETRY_AFTER_MS);
        this.logger.error({ cid, err: err.message, code: (err as FunctionError).code }, "edge function module refused");
        throw err;
      },
    );
    this.loading.set(key, p);
    return p;
  }

  private async compile(cid: string, key: string, limits: ModuleLimits): Promise<LoadedModule> {
    const bytes = await this.store.get(cid);
    const maxMemoryPages = Math.floor((limits.memoryMb * 1024 * 1024) / WASM_PAGE_BYTES);
    let instrumented;
    try {
      instrumented = instrumentModule(bytes, { fuel: limits.fuel, maxMemoryPages });
    } catch (err) {
      this.metrics.moduleLoads.inc({ result: "invalid" });
      throw err;
    }
    const module = await WebAssembly.compile(instrumented.bytes as BufferSource);
    for (const imp of WebAssembly.Module.imports(module)) {
      const known =
        (imp.module === ABI_MODULE && ABI_IMPORTS.has(imp.name) && imp.kind === "function") ||
        (imp.module === "env" && ENV_IMPORTS.has(imp.name) && imp.kind === "function") ||
        (imp.kind === "memory" && instrumented.memoryImport !== undefined);
      if (!known) throw new InvalidModuleError(`module imports unknown ${imp.kind} ${imp.module}.${imp.name}`);
    }
    const exports = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
    const hasOnRequest = exports.get(ENTRY_REQUEST) === "function";
    const hasOnResponse = exports.get(ENTRY_RESPONSE) === "function";
    if (!hasOnRequest && !hasOnResponse) throw new InvalidModuleError(`module exports neither ${ENTRY_REQUEST} nor ${ENTRY_RESPONSE}`);
    if (exports.get("memory") !== "memory" && !instrumented.memoryImport) throw new InvalidModuleError("module must export its memory");
    return {
      key,
      cid,
      module,
      memoryImport: instrumented.memoryImport,
      fuel: limits.fuel,
      maxMemoryPages,
      hasOnRequest,
      hasOnResponse,
    };
  }
}
