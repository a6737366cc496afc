/**
 * JSON body → ARGS with dotted names (`json.user.name`, `json.items.0`), values as binary
 * strings. Nesting deeper than the limit is an error, checked before JSON.parse runs.
 */
import type { ParsedBody } from "./types.js";

export function jsonDepth(s: string): number {
  let depth = 0;
  let max = 0;
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inStr) {
      if (c === 92) i++;
      else if (c === 34) inStr = false;
      continue;
    }
    if (c === 34) inStr = true;
    else if (c === 123 || c === 91) { depth++; if (depth > max) max = depth; }
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}

const toBinary = (s: string): string => Buffer.from(s, "utf8").toString("latin1");

export function parseJson(body: Buffer, maxDepth: number, maxArgs: number, out: ParsedBody): void {
  out.processor = "JSON";
  const text = body.toString("utf8");
  if (jsonDepth(text) > maxDepth) { out.error = `json: nesting deeper than ${maxDepth}`; return; }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    out.error = `json: ${(e as Error).message}`;
    return;
  }
  const walk = (v: unknown, name: string): boolean => {
    if (out.args.length >= maxArgs) { out.error = "json: too many arguments"; return false; }
    if (Array.isArray(v)) {
      if (v.length === 0) out.args.push([name, ""]);
      for (let i = 0; i < v.length; i++) if (!walk(v[i], `${name}.${i}`)) return false;
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 0) out.args.push([name, ""]);
      for (const [k, x] of entries) if (!walk(x, `${name}.${toBinary(k)}`)) return false;
    } else {
      out.args.push([name, v === null ? "" : toBinary(String(v))]);
    }
    return true;
  };
  walk(doc, "json");
}
