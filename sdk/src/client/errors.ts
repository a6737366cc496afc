/** Errors the site-owner client raises before anything is sent. */
export class AegisClientError extends Error {
  constructor(
    readonly code: "AEGIS_ERR_CLIENT_INPUT" | "AEGIS_ERR_ZONE_NOT_FOUND" | "AEGIS_ERR_NOT_ZONE_OWNER" | "AEGIS_ERR_PURGE_FAILED" | "AEGIS_ERR_NOT_WASM",
    message: string,
  ) {
    super(message);
    this.name = "AegisClientError";
  }
}
