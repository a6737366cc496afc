/** Errors of the DDoS filter, each with a stable code. */
export type XdpErrorCode =
  | "AEGIS_ERR_XDP_BAD_CIDR"
  | "AEGIS_ERR_XDP_BAD_TTL"
  | "AEGIS_ERR_XDP_BAD_LIMITS"
  | "AEGIS_ERR_XDP_UNAVAILABLE"
  | "AEGIS_ERR_XDP_ATTACH"
  | "AEGIS_ERR_XDP_MAP"
  | "AEGIS_ERR_XDP_CLOSED";

export class XdpError extends Error {
  override readonly name = "XdpError";
  constructor(
    readonly code: XdpErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
