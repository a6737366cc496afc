/**
 * Errors of the data plane. Every error that can end a request is a ProxyError with a stable
 * `AEGIS_ERR_…` code, the side that caused it (client, origin, internal) and the HTTP status the
 * client sees. `failToProxy` (proxy/fail.ts) is the one place that turns any thrown value into one.
 */

export type ErrorSource = "client" | "origin" | "internal";

export class ProxyError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly source: ErrorSource,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ProxyError";
  }
}

export class BadRequestError extends ProxyError {
  constructor(code: string, message: string, status = 400) {
    super(code, status, "client", message);
    this.name = "BadRequestError";
  }
}

export class ZoneNotFoundError extends ProxyError {
  constructor(host: string) {
    super("AEGIS_ERR_ZONE_NOT_FOUND", 421, "client", `no zone serves host "${host}"`);
    this.name = "ZoneNotFoundError";
  }
}

export class PayloadTooLargeError extends ProxyError {
  constructor(limit: number) {
    super("AEGIS_ERR_BODY_TOO_LARGE", 413, "client", `request body exceeds ${limit} bytes`);
    this.name = "PayloadTooLargeError";
  }
}

export class OriginError extends ProxyError {
  constructor(code: "AEGIS_ERR_ORIGIN_CONNECT" | "AEGIS_ERR_ORIGIN_TIMEOUT" | "AEGIS_ERR_ORIGIN_RESET", message: string, cause?: unknown) {
    super(code, code === "AEGIS_ERR_ORIGIN_TIMEOUT" ? 504 : 502, "origin", message, { cause });
    this.name = "OriginError";
  }
}

export class ConfigError extends Error {
  readonly code = "AEGIS_ERR_CONFIG";
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export class PolicyError extends Error {
  readonly code = "AEGIS_ERR_POLICY_INVALID";
  constructor(message: string) {
    super(message);
    this.name = "PolicyError";
  }
}
