/**
 * Per-zone certificates for SNI, reloaded when their files change. A certificate that fails to
 * load keeps the previous one serving (and is logged); it never takes the listener down.
 */
import { readFileSync, statSync } from "node:fs";
import { createSecureContext, type SecureContext } from "node:tls";
import type { Logger } from "../logger.js";

export interface CertFiles {
  domains: string[];
  cert: string;
  key: string;
}

interface Loaded {
  files: CertFiles;
  context: SecureContext;
  stamp: string;
}

export class CertStore {
  private loaded: Loaded[] = [];
  private byName = new Map<string, SecureContext>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly files: CertFiles[],
    private readonly minVersion: "TLSv1.2" | "TLSv1.3",
    private readonly log: Logger,
  ) {}

  /** Loads every certificate; throws if none loads (a TLS listener without certificates is useless). */
  load(): void {
    for (const f of this.files) {
      try {
        this.loaded.push({ files: f, context: this.build(f), stamp: stampOf(f) });
      } catch (err) {
        this.log.error({ err: (err as Error).message, cert: f.cert }, "certificate failed to load");
      }
    }
    if (this.loaded.length === 0) throw new Error("no TLS certificate could be loaded");
    this.index();
  }

  watch(intervalMs: number): void {
    this.timer = setInterval(() => this.reloadChanged(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Re-reads certificates whose files changed; returns how many were replaced. */
  reloadChanged(): number {
    let n = 0;
    for (const l of this.loaded) {
      let stamp: string;
      try {
        stamp = stampOf(l.files);
      } catch {
        continue;
      }
      if (stamp === l.stamp) continue;
      try {
        l.context = this.build(l.files);
        l.stamp = stamp;
        n++;
        this.log.info({ domains: l.files.domains, cert: l.files.cert }, "certificate reloaded");
      } catch (err) {
        l.stamp = stamp; // do not retry the same broken files every tick
        this.log.error({ err: (err as Error).message, cert: l.files.cert }, "certificate reload failed; previous kept");
      }
    }
    if (n) this.index();
    return n;
  }

  private build(f: CertFiles): SecureContext {
    return createSecureContext({ cert: readFileSync(f.cert), key: readFileSync(f.key), minVersion: this.minVersion });
  }

  private index(): void {
    const m = new Map<string, SecureContext>();
    for (const l of this.loaded) for (const d of l.files.domains) m.set(d.toLowerCase(), l.context);
    this.byName = m;
  }

  /** Context for an SNI name: exact, then wildcard one label up, then the first certificate. */
  contextFor(servername: string | undefined): SecureContext {
    if (servername) {
      const name = servername.toLowerCase();
      const exact = this.byName.get(name);
      if (exact) return exact;
      const dot = name.indexOf(".");
      if (dot > 0) {
        const wild = this.byName.get("*" + name.slice(dot));
        if (wild) return wild;
      }
    }
    return this.loaded[0]!.context;
  }

  sniCallback = (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void): void => {
    cb(null, this.contextFor(servername));
  };

  get defaultFiles(): CertFiles {
    return this.loaded[0]!.files;
  }
}

function stampOf(f: CertFiles): string {
  const a = statSync(f.cert);
  const b = statSync(f.key);
  return `${a.mtimeMs}:${a.size}:${b.mtimeMs}:${b.size}`;
}
