import type { EdgeRequest } from "../../../node/src/phase.js";
import type { CorpusRequest } from "./benign.js";

export function toEdgeRequest(c: CorpusRequest, id: string): EdgeRequest {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of c.headers) headers[k.toLowerCase()] = v;
  const host = c.headers.find(([k]) => k === "Host")?.[1] ?? "localhost";
  return {
    id, zone: host, clientIp: "198.51.100.20", method: c.method, url: c.uri, httpVersion: "1.1", headers,
    rawHeaderNames: c.headers.map(([k]) => k), body: c.body ? Buffer.from(c.body, "base64") : undefined, tls: undefined, receivedAt: Date.now(),
  };
}
