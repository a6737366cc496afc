/**
 * Embedded intake without NATS: reads the node's own report logs (<node dataDir>/reports/*.log,
 * one base64 report per line, append-only) from the byte offset reached last time (kept in the
 * store's metadata, so a restart resumes where it stopped).
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "./logger.js";
import type { KeeperStore } from "./store.js";

export class ReportLogTail {
  private running: Promise<number> | undefined;

  constructor(
    private readonly dirs: string[],
    private readonly store: KeeperStore,
    private readonly handle: (bytes: Uint8Array, source: string) => Promise<unknown>,
    private readonly log: Logger,
  ) {}

  /** Reads what is new; concurrent callers (ingest and oracle ticks) share one pass. */
  poll(): Promise<number> {
    this.running ??= this.pollAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pollAll(): Promise<number> {
    let n = 0;
    for (const dir of this.dirs) {
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).filter((x) => x.endsWith(".log")).sort()) n += await this.pollFile(join(dir, f));
    }
    return n;
  }

  private async pollFile(path: string): Promise<number> {
    const key = `tail:${path}`;
    let offset = Number((await this.store.getMeta(key)) ?? "0");
    const size = statSync(path).size;
    if (size < offset) {
      this.log.warn({ path }, "report log shrank; reading it from the start");
      offset = 0;
    }
    if (size === offset) return 0;
    const buf = Buffer.alloc(size - offset);
    const fd = openSync(path, "r");
    try {
      readSync(fd, buf, 0, buf.length, offset);
    } finally {
      closeSync(fd);
    }
    let n = 0;
    let start = 0;
    for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, start)) {
      const line = buf.subarray(start, i).toString("utf8").trim();
      start = i + 1;
      if (line) {
        await this.handle(Buffer.from(line, "base64"), path);
        n++;
      }
      await this.store.setMeta(key, String(offset + start));
    }
    return n;
  }
}
