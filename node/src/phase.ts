/**
 * The contract between the proxy and the request-path modules (WAF, bots, rate limits,
 * edge functions). The proxy runs phases in a fixed, explicit order; each phase sees the
 * per-request context and returns a verdict. Nothing here holds per-request state.
 */
import type { ZonePolicy } from "./policy/schema.js";

/** Headers with lower-case names, as Node's http module presents them. */
export type HeaderMap = Record<string, string | string[] | undefined>;

export interface TlsInfo {
  readonly sni?: string;
  /** JA3 fingerprint (md5 hex) of the client's ClientHello, when captured. */
  readonly ja3?: string;
  /** JA4 fingerprint of the client's ClientHello, when captured. */
  readonly ja4?: string;
}

/** What a phase may read about the request. `body` is filled only when the zone needs it. */
export interface EdgeRequest {
  readonly id: string;
  readonly zone: string;
  readonly clientIp: string;
  readonly method: string;
  /** Path and query exactly as received. */
  readonly url: string;
  readonly httpVersion: string;
  readonly headers: HeaderMap;
  /** Header names in the order the client sent them (for bot signals). */
  readonly rawHeaderNames: readonly string[];
  body: Buffer | undefined;
  readonly tls: TlsInfo | undefined;
  readonly receivedAt: number;
}

export interface EdgeResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

export type Verdict =
  | { readonly kind: "continue" }
  /** Answer the client now; the origin is not contacted. `reason` is logged and counted. */
  | { readonly kind: "respond"; readonly response: EdgeResponse; readonly reason: string };

export const CONTINUE: Verdict = Object.freeze({ kind: "continue" });

/** A request-path phase: runs before the cache lookup. */
export interface RequestPhase {
  readonly name: string;
  onRequest(req: EdgeRequest, policy: ZonePolicy): Promise<Verdict> | Verdict;
}

/** A response-path phase: may rewrite or replace the response before it is sent. */
export interface ResponsePhase {
  readonly name: string;
  onResponse(req: EdgeRequest, res: EdgeResponse, policy: ZonePolicy): Promise<EdgeResponse> | EdgeResponse;
}
