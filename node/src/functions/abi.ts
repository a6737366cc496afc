/**
 * The host ABI between the node and guest modules (documented in docs/edge-functions.md).
 * Imports live in the wasm module "aegis"; strings are UTF-8 (pointer, length) pairs in the
 * guest's exported memory. Values the host hands back go to a per-call result buffer that
 * the guest copies out with `read`.
 */
export const ABI_MODULE = "aegis";
export const ABI_VERSION = 1;

/** What `get` / `set` / `remove` address. */
export const FIELD = {
  method: 0,
  uri: 1,
  requestHeader: 2,
  requestBody: 3,
  requestHeaderNames: 4,
  clientIp: 5,
  zone: 6,
  responseStatus: 10,
  responseHeader: 11,
  responseBody: 12,
  responseHeaderNames: 13,
} as const;

/** Return values of the guest entry points `on_request` / `on_response`. */
export const ACTION = {
  continue: 0,
  /** End early: answer the client with the response built so far; later modules and the origin are skipped. */
  respond: 1,
} as const;

/** Negative results of host calls. */
export const HOST_ERR = {
  absent: -1,
  notAllowed: -2,
  timeout: -3,
  network: -4,
  limit: -5,
  badArgument: -6,
  wrongPhase: -7,
} as const;

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

export const ENTRY_REQUEST = "on_request";
export const ENTRY_RESPONSE = "on_response";
