/** The per-request context: created once per request, passed through every phase, never global. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { CacheOutcome, NotStoredReason } from "../cache/types.js";
import type { ProxyError } from "../errors.js";
import type { EdgeRequest } from "../phase.js";
import type { ZonePolicy } from "../policy/schema.js";

export type ClientRequest = IncomingMessage | Http2ServerRequest;
export type ClientResponse = ServerResponse | Http2ServerResponse;

export interface RequestContext {
  readonly id: string;
  readonly startedAt: number;
  readonly req: ClientRequest;
  readonly res: ClientResponse;
  readonly tlsScheme: boolean;
  /** What phases see; filled by the early-request phase. */
  edge: EdgeRequest | undefined;
  zone: ZonePolicy | undefined;
  cacheKey: string | undefined;
  cacheOutcome: CacheOutcome | undefined;
  notStored: NotStoredReason | undefined;
  /** Name of the request phase that answered, if any. */
  answeredBy: string | undefined;
  upstream: string | undefined;
  bytesOut: number;
  error: ProxyError | undefined;
  /** Pass-through requests only: aborted when the client goes away before the response ends. (Cache fills are not aborted: other requests may be waiting for them.) */
  abort: AbortController | undefined;
}
