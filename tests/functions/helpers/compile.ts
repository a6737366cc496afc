/**
 * Compiles the AssemblyScript example modules (node/functions/examples) during the test run
 * with the asc API. Results are memoised per source text within one process.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

export const FUNCTIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../node/functions");
export const EXAMPLES_DIR = join(FUNCTIONS_DIR, "examples");

const memo = new Map<string, Promise<Uint8Array>>();

/** Compiles examples/<name>.ts; `rewrite` edits its source first (e.g. to stamp a version). */
export function compileExample(name: string, rewrite?: (src: string) => string): Promise<Uint8Array> {
  const entry = join(EXAMPLES_DIR, `${name}.ts`);
  const original = readFileSync(entry, "utf8");
  const source = rewrite ? rewrite(original) : original;
  const memoKey = `${name}\u0000${source}`;
  let p = memo.get(memoKey);
  if (!p) {
    p = compile(entry, source);
    memo.set(memoKey, p);
  }
  return p;
}

async function compile(entry: string, source: string): Promise<Uint8Array> {
  let binary: Uint8Array | undefined;
  const errors: string[] = [];
  const { error } = await asc.main(
    [entry, "--outFile", "module.wasm", "--runtime", "stub", "--optimizeLevel", "2", "--noColors"],
    {
      readFile: (filename, baseDir) => {
        const path = resolve(baseDir, filename);
        if (path === entry) return source;
        try {
          return readFileSync(path, "utf8");
        } catch {
          return null;
        }
      },
      writeFile: (filename, contents) => {
        if (filename.endsWith(".wasm") && contents instanceof Uint8Array) binary = contents;
      },
      stderr: { write: (s: string | Uint8Array) => (errors.push(String(s)), true) } as never,
      stdout: { write: () => true } as never,
    },
  );
  if (error || !binary) throw new Error(`asc failed for ${entry}: ${error?.message ?? "no output"}\n${errors.join("")}`);
  return binary;
}
