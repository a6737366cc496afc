/**
 * Module bytes by CID: the on-disk cache first, then the configured IPFS HTTP gateways in
 * order. Bytes are verified against the CID every time they are read (disk or network);
 * a mismatch is never cached and never used.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { request } from "undici";
import { cidOf, parseModuleCid, verifyCid } from "./cid.js";
import { CidMismatchError, FunctionError } from "./errors.js";
import type { FunctionMetrics } from "./metrics.js";
import type { ModuleStoreConfig } from "./types.js";

export const DEFAULT_MODULE_STORE: Omit<ModuleStoreConfig, "cacheDir"> = Object.freeze({
  gateways: [],
  maxModuleBytes: 8 * 1024 * 1024,
  fetchTimeoutMs: 10_000,
});

export class ModuleStore {
  constructor(
    private readonly config: ModuleStoreConfig,
    private readonly logger: Logger,
    private readonly metrics: FunctionMetrics,
  ) {}

  private pathFor(cid: string): string {
    return join(this.config.cacheDir, `${cid}.wasm`);
  }

  /** Adds bytes to the local cache (e.g. a module built on this machine); returns their CID. */
  async put(bytes: Uint8Array): Promise<string> {
    const cid = await cidOf(bytes);
    await this.writeCache(cid, bytes);
    return cid;
  }

  /** Verified bytes of `cid`, from disk or a gateway. */
  async get(cidText: string): Promise<Uint8Array> {
    const cid = parseModuleCid(cidText);
    const cached = await this.readCache(cid);
    if (cached) {
      this.metrics.moduleLoads.inc({ result: "disk" });
      return cached;
    }
    let lastError: Error | undefined;
    for (const gateway of this.config.gateways) {
      try {
        const bytes = await this.fromGateway(gateway, cid);
        await verifyCid(cid, bytes);
        await this.writeCache(cid, bytes);
        this.metrics.moduleLoads.inc({ result: "gateway" });
        return bytes;
      } catch (err) {
        lastError = err as Error;
        if (err instanceof CidMismatchError) {
          this.metrics.moduleLoads.inc({ result: "cid_mismatch" });
          this.logger.error({ cid, gateway, err: err.message }, "gateway returned bytes that do not match the module CID");
        } else {
          this.logger.warn({ cid, gateway, err: (err as Error).message }, "module fetch from gateway failed");
        }
      }
    }
    this.metrics.moduleLoads.inc({ result: "unavailable" });
    if (lastError instanceof CidMismatchError) throw lastError;
    throw new FunctionError(
      "AEGIS_ERR_FN_FETCH_MODULE",
      `module ${cid} is not cached and no gateway served it${lastError ? `: ${lastError.message}` : ""}`,
    );
  }

  private async readCache(cid: string): Promise<Uint8Array | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(this.pathFor(cid)));
    } catch {
      return undefined;
    }
    try {
      await verifyCid(cid, bytes);
      return bytes;
    } catch {
      this.logger.warn({ cid }, "cached module is corrupt; removing it");
      await rm(this.pathFor(cid), { force: true });
      return undefined;
    }
  }

  private async writeCache(cid: string, bytes: Uint8Array): Promise<void> {
    await mkdir(this.config.cacheDir, { recursive: true });
    const tmp = `${this.pathFor(cid)}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, this.pathFor(cid));
  }

  private async fromGateway(gateway: string, cid: string): Promise<Uint8Array> {
    const url = `${gateway.replace(/\/+$/, "")}/ipfs/${cid}?format=raw`;
    const res = await request(url, {
      headers: { accept: "application/vnd.ipld.raw" },
      signal: AbortSignal.timeout(this.config.fetchTimeoutMs),
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new FunctionError("AEGIS_ERR_FN_FETCH_MODULE", `gateway answered ${res.statusCode}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > this.config.maxModuleBytes) {
        res.body.destroy();
        throw new FunctionError("AEGIS_ERR_FN_FETCH_MODULE", `module is larger than ${this.config.maxModuleBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return new Uint8Array(Buffer.concat(chunks));
  }
}
