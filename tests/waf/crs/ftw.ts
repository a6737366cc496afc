/**
 * A reader and judge for the OWASP CRS regression tests (go-ftw YAML format): builds each
 * test's HTTP request, sends it through a transport (the edge node over TCP, or the WAF phase
 * in-process), and judges the result from the rule ids the WAF logged for that request.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";

export interface FtwInput {
  method?: string;
  uri?: string;
  version?: string;
  headers?: Record<string, string | number>;
  data?: string | string[];
  encoded_request?: string;
  autocomplete_headers?: boolean;
}

export interface FtwOutput {
  status?: number | number[];
  expect_error?: boolean;
  log?: { expect_ids?: number[]; no_expect_ids?: number[]; match_regex?: string; no_match_regex?: string };
  response_contains?: string;
}

export interface FtwTest {
  readonly file: string;
  readonly ruleId: number;
  readonly testId: number;
  readonly desc: string;
  readonly stages: ReadonlyArray<{ input: FtwInput; output: FtwOutput }>;
}

export function loadFtwTests(dir: string): FtwTest[] {
  const out: FtwTest[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith(".yaml") || f.endsWith(".yml")) {
        const doc = parseYaml(readFileSync(p, "utf8")) as {
          rule_id?: number; tests?: Array<{ test_id: number; desc?: string; stages: Array<{ input: FtwInput; output: FtwOutput } | { stage: { input: FtwInput; output: FtwOutput } }> }>;
        };
        if (!doc) continue;
        const ruleId = doc.rule_id ?? Number(/(\d{6})/.exec(f)?.[1] ?? 0);
        for (const t of doc.tests ?? []) {
          out.push({
            file: p, ruleId, testId: t.test_id, desc: t.desc ?? "",
            stages: t.stages.map((s) => ("stage" in s ? s.stage : s)),
          });
        }
      }
    }
  };
  walk(dir);
  return out;
}

export interface HttpRequestParts {
  method: string;
  uri: string;
  version: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

/** The request a test describes, as bytes on the wire (what go-ftw would send). */
export function rawRequest(input: FtwInput): Buffer {
  if (input.encoded_request) return Buffer.from(input.encoded_request.replace(/\s+/g, ""), "base64");
  const p = requestParts(input);
  const head = `${p.method} ${p.uri} ${p.version}\r\n` + p.headers.map(([k, v]) => `${k}: ${v}\r\n`).join("") + "\r\n";
  return Buffer.concat([Buffer.from(head, "utf8"), p.body]);
}

export function requestParts(input: FtwInput): HttpRequestParts {
  if (input.encoded_request) return parseRawRequest(rawRequest(input));
  const headers: Array<[string, string]> = Object.entries(input.headers ?? {}).map(([k, v]) => [k, String(v)]);
  const data = Array.isArray(input.data) ? input.data.join("\r\n") : (input.data ?? "");
  const body = Buffer.from(data, "utf8");
  const auto = input.autocomplete_headers !== false;
  if (auto && body.length > 0 && !headers.some(([k]) => k.toLowerCase() === "content-length") &&
      !headers.some(([k]) => k.toLowerCase() === "transfer-encoding")) {
    headers.push(["Content-Length", String(body.length)]);
  }
  // go-ftw completes a body without a type as a form post.
  if (auto && body.length > 0 && !headers.some(([k]) => k.toLowerCase() === "content-type")) {
    headers.push(["Content-Type", "application/x-www-form-urlencoded"]);
  }
  if (auto && !headers.some(([k]) => k.toLowerCase() === "connection")) headers.push(["Connection", "close"]);
  return { method: input.method ?? "GET", uri: input.uri ?? "/", version: input.version ?? "HTTP/1.1", headers, body };
}

/** Parses a raw HTTP/1.x request (for in-process runs of encoded_request tests). */
export function parseRawRequest(raw: Buffer): HttpRequestParts {
  const s = raw.toString("latin1");
  const end = s.indexOf("\r\n\r\n");
  const head = end < 0 ? s : s.slice(0, end);
  let body = end < 0 ? Buffer.alloc(0) : raw.subarray(end + 4);
  const lines = head.split("\r\n");
  const [method = "GET", uri = "/", version = "HTTP/1.1"] = (lines[0] ?? "").split(" ");
  const headers: Array<[string, string]> = [];
  for (const l of lines.slice(1)) {
    const c = l.indexOf(":");
    if (c > 0) headers.push([l.slice(0, c), l.slice(c + 1).trim()]);
  }
  if (headers.some(([k, v]) => k.toLowerCase() === "transfer-encoding" && /chunked/i.test(v))) body = dechunk(body);
  return { method, uri, version, headers, body: Buffer.from(body) };
}

function dechunk(b: Buffer): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (i < b.length) {
    const nl = b.indexOf("\r\n", i);
    if (nl < 0) break;
    const size = parseInt(b.subarray(i, nl).toString("latin1"), 16);
    if (!size) break;
    parts.push(b.subarray(nl + 2, nl + 2 + size));
    i = nl + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export interface StageResult {
  /** HTTP status the client got (0 when the connection failed). */
  readonly status: number;
  readonly ruleIds: readonly number[];
  /** One line per logged match: `[id "942100"] [msg "…"] [data "…"]`. */
  readonly log: string;
  readonly error?: string;
}

export interface Verdict {
  readonly pass: boolean;
  readonly reason: string;
}

export function judge(out: FtwOutput, r: StageResult): Verdict {
  const ids = new Set(r.ruleIds);
  const why: string[] = [];
  if (out.log?.expect_ids) {
    const missing = out.log.expect_ids.filter((id) => !ids.has(id));
    if (missing.length) why.push(`expected ids not logged: ${missing.join(",")}`);
  }
  if (out.log?.no_expect_ids) {
    const present = out.log.no_expect_ids.filter((id) => ids.has(id));
    if (present.length) why.push(`unexpected ids logged: ${present.join(",")}`);
  }
  if (out.log?.match_regex && !new RegExp(out.log.match_regex).test(r.log)) why.push(`log does not match /${out.log.match_regex}/`);
  if (out.log?.no_match_regex && new RegExp(out.log.no_match_regex).test(r.log)) why.push(`log matches /${out.log.no_match_regex}/`);
  if (out.status !== undefined) {
    const want = Array.isArray(out.status) ? out.status : [out.status];
    if (!want.includes(r.status)) why.push(`status ${r.status}, expected ${want.join("|")}`);
  }
  if (out.expect_error && !r.error && r.status < 400) why.push("expected a client error");
  if (why.length > 0) why.push(`[status ${r.status}${r.error ? `, ${r.error}` : ""}; logged ${[...ids].join(",") || "nothing"}]`);
  return { pass: why.length === 0, reason: why.join("; ") };
}
