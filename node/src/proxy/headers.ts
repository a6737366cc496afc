/** Header handling shared by the request and response paths. */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

/** RFC 9110 §7.6.1 connection-specific fields, plus the legacy ones proxies must not forward. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "http2-settings",
]);

/** HTTP/2 pseudo headers (":path", …) appear in Node's compat headers; never forward them. */
function connectionListed(headers: IncomingHttpHeaders | Record<string, unknown>): Set<string> | undefined {
  const c = headers["connection"];
  if (!c) return undefined;
  const set = new Set<string>();
  for (const part of (Array.isArray(c) ? c.join(",") : String(c)).split(",")) {
    const t = part.trim().toLowerCase();
    if (t) set.add(t);
  }
  return set;
}

/** Copy of `headers` without hop-by-hop fields (including those named in Connection) and pseudo headers. */
export function stripHopByHop(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const listed = connectionListed(headers);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined) continue;
    if (HOP_BY_HOP.has(name) || name.charCodeAt(0) === 58 /* ":" */ || listed?.has(name)) continue;
    out[name] = v;
  }
  return out;
}

export function appendHeader(headers: OutgoingHttpHeaders | Record<string, string | string[]>, name: string, value: string): void {
  const cur = headers[name];
  if (cur === undefined) headers[name] = value;
  else if (Array.isArray(cur)) headers[name] = [...cur.map(String), value].join(", ");
  else headers[name] = `${String(cur)}, ${value}`;
}

export function headerString(v: string | string[] | number | undefined): string | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(", ") : String(v);
}
