/**
 * The kernel filter: loads node/xdp/build/aegis_xdp.o with bpftool, pins its maps in bpffs,
 * attaches it to one interface (native, else generic), and keeps its maps in step with the
 * zone policy and threat intelligence. Map writes go through `bpftool batch`, one process per
 * batch. Left attached if the node dies (it keeps filtering); the next attach replaces it.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { pino, type Logger } from "pino";
import { Registry } from "prom-client";
import { BpfTool } from "./bpftool.js";
import { formatPrefix, parseCidr } from "./cidr.js";
import { XdpError } from "./errors.js";
import {
  MAP_NAMES,
  VERDICT_INDEX,
  configValue,
  decodeLpmKey,
  decodeLpmValue,
  expiryNs,
  expiryToUnixMs,
  fromJsonBytes,
  hex,
  lpmKey,
  lpmValue,
  monotonicNs,
  readU32,
  readU64,
  u32Key,
} from "./layout.js";
import { validateLimits, validateTtl } from "./limits.js";
import { createFilterMetrics, emptyCounters, type FilterMetrics } from "./metrics.js";
import type {
  BatchResult,
  Counters,
  DdosFilter,
  ListEntry,
  ListEntryInput,
  ListReason,
  RateLimits,
  XdpOptions,
} from "./types.js";

const exec = promisify(execFile);
const XDP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../xdp");
export const DEFAULT_OBJECT = join(XDP_DIR, "build/aegis_xdp.o");
const BPFFS = "/sys/fs/bpf";

type List = "block" | "allow";

interface DumpEntry {
  key: string[];
  value?: string[];
  values?: Array<{ cpu: number; value: string[] }>;
}

export interface XdpFilterOptions extends XdpOptions {
  readonly limits: RateLimits;
  readonly logger?: Logger;
  readonly registry?: Registry;
}

/** `ip -j link` reports the attach mode as a number (XDP_ATTACHED_*). */
const ATTACHED = { 1: "native", 2: "generic", 3: "offload" } as const;

export class XdpFilter implements DdosFilter {
  private readonly metrics: FilterMetrics;
  private readonly timer: NodeJS.Timeout | undefined;
  private current: RateLimits;
  private closed = false;

  private constructor(
    readonly mode: "xdp-native" | "xdp-generic",
    private readonly opts: XdpFilterOptions,
    private readonly tool: BpfTool,
    readonly pinDir: string,
    private readonly log: Logger,
  ) {
    this.current = opts.limits;
    this.metrics = createFilterMetrics(opts.registry ?? new Registry(), mode, () =>
      this.closed ? Promise.resolve(undefined) : this.counters(),
    );
    const every = opts.sweepIntervalMs ?? 5000;
    if (every > 0) {
      this.timer = setInterval(() => {
        this.sweep().catch((err) => this.log.warn({ err }, "xdp: sweep failed"));
      }, every);
      this.timer.unref();
    }
  }

  /** Loads, pins and attaches the program. Throws AEGIS_ERR_XDP_UNAVAILABLE / _ATTACH. */
  static async attach(opts: XdpFilterOptions): Promise<XdpFilter> {
    const log = (opts.logger ?? pino({ level: "info" })).child({ component: "xdp", iface: opts.iface });
    const limits = validateLimits(opts.limits);
    await preflight();
    const object = await ensureObject(opts.objectPath ?? DEFAULT_OBJECT);
    const tool = new BpfTool(opts.netns);
    const pinDir = opts.pinDir ?? join(BPFFS, "aegis", `${opts.netns ?? "host"}-${opts.iface}`);
    await ensureBpffs();

    // Leftovers of a previous run (crash, kill -9): replace them.
    await detachAny(tool, opts.iface);
    await rm(pinDir, { recursive: true, force: true });
    await mkdir(pinDir, { recursive: true });

    const prog = join(pinDir, "prog");
    const maps = join(pinDir, "maps");
    try {
      await tool.exec(["prog", "load", object, prog, "type", "xdp", "pinmaps", maps]);
    } catch (err) {
      await rm(pinDir, { recursive: true, force: true });
      throw new XdpError("AEGIS_ERR_XDP_UNAVAILABLE", `loading ${object} failed: ${(err as Error).message}`, {
        cause: err,
      });
    }

    const modes = opts.attachMode === "native" ? ["xdpdrv"] : opts.attachMode === "generic" ? ["xdpgeneric"] : ["xdpdrv", "xdpgeneric"];
    let attached: "xdp-native" | "xdp-generic" | undefined;
    const failures: string[] = [];
    for (const m of modes) {
      try {
        await tool.exec(["net", "attach", m, "pinned", prog, "dev", opts.iface, "overwrite"], { inNetns: true });
        attached = m === "xdpdrv" ? "xdp-native" : "xdp-generic";
        break;
      } catch (err) {
        failures.push(`${m}: ${(err as Error).message}`);
        if (m === "xdpdrv") log.warn({ err: (err as Error).message }, "xdp: native attach failed, trying generic mode");
      }
    }
    if (!attached) {
      await rm(pinDir, { recursive: true, force: true });
      throw new XdpError("AEGIS_ERR_XDP_ATTACH", `could not attach XDP to ${opts.iface}: ${failures.join("; ")}`);
    }
    const filter = new XdpFilter(attached, { ...opts, limits }, tool, pinDir, log);
    await filter.setLimits(limits);
    log.info({ mode: attached, pinDir, limits }, "xdp: filter attached");
    return filter;
  }

  private map(name: keyof typeof MAP_NAMES): string {
    return join(this.pinDir, "maps", MAP_NAMES[name]);
  }

  admit(): boolean {
    return true; // the kernel already dropped what it drops
  }

  async block(cidr: string, ttlSecs: number, reason: ListReason = "other"): Promise<void> {
    await this.update("block", [{ cidr, ttlSecs, reason }], true);
  }

  async blockMany(entries: readonly ListEntryInput[]): Promise<BatchResult> {
    return this.update("block", entries, false);
  }

  async unblock(cidr: string): Promise<boolean> {
    return this.remove("block", cidr);
  }

  async allow(cidr: string, ttlSecs: number, reason: ListReason = "other"): Promise<void> {
    await this.update("allow", [{ cidr, ttlSecs, reason }], true);
  }

  async unallow(cidr: string): Promise<boolean> {
    return this.remove("allow", cidr);
  }

  async listBlocked(): Promise<ListEntry[]> {
    return (await this.dumpList("block")).map((e) => e.entry);
  }

  async listAllowed(): Promise<ListEntry[]> {
    return (await this.dumpList("allow")).map((e) => e.entry);
  }

  async setLimits(limits: RateLimits): Promise<void> {
    this.ensureOpen();
    const l = validateLimits(limits);
    await this.write([`map update pinned ${this.map("config")} key hex ${hex(u32Key(0))} value hex ${hex(configValue(l))}`]);
    this.current = l;
  }

  limits(): RateLimits {
    return this.current;
  }

  async sweep(): Promise<number> {
    if (this.closed) return 0;
    const now = monotonicNs();
    let removed = 0;
    for (const list of ["block", "allow"] as const) {
      const entries = await this.dumpList(list);
      const expired = entries.filter((e) => e.expiresNs !== 0n && e.expiresNs <= now);
      if (expired.length) {
        const lines = expired.map((e) => `map delete pinned ${this.map(list)} key hex ${e.keyHex}`);
        try {
          await this.write(lines);
        } catch {
          // Someone removed an entry meanwhile: delete one by one, ignoring missing keys.
          for (const line of lines) await this.write([line]).catch(() => undefined);
        }
        removed += expired.length;
      }
      this.metrics.listEntries.set({ list }, entries.length - expired.length);
    }
    if (removed) {
      this.metrics.expired.inc(removed);
      this.log.info({ removed }, "xdp: expired list entries removed");
    }
    return removed;
  }

  async counters(): Promise<Counters> {
    const out = emptyCounters();
    const dump = await this.tool.json<DumpEntry[]>(["map", "dump", "pinned", this.map("stats")]);
    for (const e of dump ?? []) {
      const idx = readU32(fromJsonBytes(e.key), 0);
      const name = VERDICT_INDEX[idx];
      if (!name) continue;
      for (const c of e.values ?? []) {
        const v = fromJsonBytes(c.value);
        out[name].packets += Number(readU64(v, 0));
        out[name].bytes += Number(readU64(v, 8));
      }
    }
    return out;
  }

  /** Attach state as the kernel reports it (`ip -j link`), for checks and tests. */
  async attachedMode(): Promise<"native" | "generic" | "offload" | undefined> {
    return attachedMode(this.tool, this.opts.iface);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await detachAny(this.tool, this.opts.iface);
    await rm(this.pinDir, { recursive: true, force: true });
    const left = await attachedMode(this.tool, this.opts.iface).catch(() => undefined);
    if (left) throw new XdpError("AEGIS_ERR_XDP_ATTACH", `a ${left} XDP program is still attached to ${this.opts.iface}`);
    this.log.info("xdp: filter detached");
  }

  private async update(list: List, entries: readonly ListEntryInput[], strict: boolean): Promise<BatchResult> {
    this.ensureOpen();
    const rejected: Array<{ entry: ListEntryInput; error: string }> = [];
    const lines: string[] = [];
    const accepted: ListEntryInput[] = [];
    for (const e of entries) {
      try {
        const p = parseCidr(e.cidr);
        const ttl = validateTtl(e.ttlSecs);
        lines.push(
          `map update pinned ${this.map(list)} key hex ${hex(lpmKey(p))} value hex ${hex(lpmValue(expiryNs(ttl), e.reason))}`,
        );
        accepted.push(e);
      } catch (err) {
        if (strict) throw err;
        rejected.push({ entry: e, error: (err as Error).message });
      }
    }
    try {
      await this.write(lines);
      return { applied: lines.length, rejected };
    } catch (err) {
      if (strict) throw err;
      // Find the failing lines (map full…) and apply the rest.
      let applied = 0;
      for (const [i, line] of lines.entries()) {
        try {
          await this.write([line]);
          applied++;
        } catch (e) {
          rejected.push({ entry: accepted[i]!, error: (e as Error).message });
        }
      }
      return { applied, rejected };
    }
  }

  private async remove(list: List, cidr: string): Promise<boolean> {
    this.ensureOpen();
    const key = hex(lpmKey(parseCidr(cidr)));
    try {
      await this.tool.exec(["map", "delete", "pinned", this.map(list), "key", "hex", ...key.split(" ")]);
      return true;
    } catch (err) {
      if (/No such file or directory|not found/i.test((err as Error).message)) return false;
      this.metrics.mapErrors.inc();
      throw err;
    }
  }

  private async write(lines: readonly string[]): Promise<void> {
    try {
      await this.tool.batch(lines);
    } catch (err) {
      this.metrics.mapErrors.inc();
      throw err;
    }
  }

  private async dumpList(list: List): Promise<Array<{ entry: ListEntry; expiresNs: bigint; keyHex: string }>> {
    const dump = await this.tool.json<DumpEntry[]>(["map", "dump", "pinned", this.map(list)]);
    return (dump ?? []).map((e) => {
      const k = fromJsonBytes(e.key);
      const { prefixLen, addr } = decodeLpmKey(k);
      const { expiresNs, reason } = decodeLpmValue(fromJsonBytes(e.value ?? []));
      return {
        entry: { cidr: formatPrefix(addr, prefixLen), reason, expiresAt: expiryToUnixMs(expiresNs) },
        expiresNs,
        keyHex: hex(k),
      };
    });
  }

  private ensureOpen(): void {
    if (this.closed) throw new XdpError("AEGIS_ERR_XDP_CLOSED", "xdp filter is closed");
  }
}

async function preflight(): Promise<void> {
  if (process.platform !== "linux") {
    throw new XdpError("AEGIS_ERR_XDP_UNAVAILABLE", `XDP needs Linux (this is ${process.platform})`);
  }
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    throw new XdpError("AEGIS_ERR_XDP_UNAVAILABLE", "XDP needs root (CAP_BPF + CAP_NET_ADMIN)");
  }
  try {
    await exec("bpftool", ["version"]);
  } catch (err) {
    throw new XdpError("AEGIS_ERR_XDP_UNAVAILABLE", "bpftool not found (apt-get install bpftool)", { cause: err });
  }
}

/** Builds the object from source when it is missing (needs clang; scripts/setup/xdp.sh). */
async function ensureObject(path: string): Promise<string> {
  if (existsSync(path)) return path;
  if (path !== DEFAULT_OBJECT) throw new XdpError("AEGIS_ERR_XDP_UNAVAILABLE", `no XDP object at ${path}`);
  try {
    await exec("bash", [join(XDP_DIR, "build.sh")]);
  } catch (err) {
    const msg = (err as { stderr?: string }).stderr?.trim().split("\n").pop() ?? (err as Error).message;
    throw new XdpError("AEGIS_ERR_XDP_UNAVAILABLE", `building the XDP program failed (clang -target bpf): ${msg}`, {
      cause: err,
    });
  }
  return path;
}

async function ensureBpffs(): Promise<void> {
  const mounts = await readFile("/proc/mounts", "utf8");
  if (mounts.split("\n").some((l) => l.split(" ")[1] === BPFFS && l.split(" ")[2] === "bpf")) return;
  try {
    await exec("mount", ["-t", "bpf", "bpf", BPFFS]);
  } catch (err) {
    throw new XdpError("AEGIS_ERR_XDP_UNAVAILABLE", `bpffs is not mounted at ${BPFFS} and mounting failed`, {
      cause: err,
    });
  }
}

async function attachedMode(tool: BpfTool, iface: string): Promise<"native" | "generic" | "offload" | undefined> {
  const { stdout } = await tool.ip(["-j", "link", "show", "dev", iface]);
  const links = JSON.parse(stdout) as Array<{ xdp?: { mode?: number } }>;
  const mode = links[0]?.xdp?.mode;
  return mode ? ATTACHED[mode as keyof typeof ATTACHED] : undefined;
}

async function detachAny(tool: BpfTool, iface: string): Promise<void> {
  const mode = await attachedMode(tool, iface).catch((err: unknown) => {
    throw new XdpError("AEGIS_ERR_XDP_ATTACH", `no interface ${iface}: ${(err as Error).message}`, { cause: err });
  });
  if (!mode) return;
  const how = mode === "native" ? "xdpdrv" : mode === "generic" ? "xdpgeneric" : "xdpoffload";
  await tool.exec(["net", "detach", how, "dev", iface], { inNetns: true });
}
