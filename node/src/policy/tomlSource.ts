/**
 * Policy source backed by a local TOML file:
 *
 *   [[zones]]
 *   domain = "example.com"
 *   policyVersion = 3
 *   origins = [{ url = "http://127.0.0.1:8080" }]
 *   [zones.cache]
 *   defaultTtlSecs = 60
 *
 * The file is watched (its directory, so editors that replace the file are seen too).
 */
import { watch, type FSWatcher } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { parse as parseToml } from "smol-toml";
import { PolicySourceUnavailableError, type PolicySnapshot, type PolicySource } from "./source.js";

export class TomlPolicySource implements PolicySource {
  readonly name = "toml";

  constructor(
    private readonly path: string,
    private readonly debounceMs = 100,
  ) {}

  async load(): Promise<PolicySnapshot> {
    let text: string;
    let mtime: number;
    try {
      [text, mtime] = await Promise.all([readFile(this.path, "utf8"), stat(this.path).then((s) => s.mtimeMs)]);
    } catch (err) {
      throw new PolicySourceUnavailableError(this.name, `cannot read ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    let doc: Record<string, unknown>;
    try {
      doc = parseToml(text) as Record<string, unknown>;
    } catch (err) {
      throw new PolicySourceUnavailableError(this.name, `${this.path} is not valid TOML: ${(err as Error).message}`, { cause: err });
    }
    const zones = doc.zones ?? [];
    if (!Array.isArray(zones)) {
      throw new PolicySourceUnavailableError(this.name, `${this.path}: "zones" must be an array of tables ([[zones]])`);
    }
    return { zones, complete: true, revision: `${this.path}@${Math.trunc(mtime)}` };
  }

  subscribe(onChange: (snapshot: PolicySnapshot) => void, onError: (err: Error) => void): () => void {
    const file = basename(this.path);
    let timer: NodeJS.Timeout | undefined;
    let watcher: FSWatcher | undefined;
    const fire = () => {
      timer = undefined;
      this.load().then(onChange, onError);
    };
    try {
      watcher = watch(dirname(this.path), { persistent: false }, (_event, name) => {
        if (name !== null && name !== file) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(fire, this.debounceMs);
      });
      watcher.on("error", (err) => onError(err));
    } catch (err) {
      onError(err as Error);
    }
    return () => {
      if (timer) clearTimeout(timer);
      watcher?.close();
    };
  }
}
