/** WAF errors carry stable codes; load problems are collected, never thrown mid-request. */
export type WafErrorCode =
  | "AEGIS_ERR_WAF_PARSE"
  | "AEGIS_ERR_WAF_UNSUPPORTED"
  | "AEGIS_ERR_WAF_RULESET_MISSING"
  | "AEGIS_ERR_WAF_BODY";

export class WafError extends Error {
  constructor(
    readonly code: WafErrorCode,
    message: string,
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message);
    this.name = "WafError";
  }
}
