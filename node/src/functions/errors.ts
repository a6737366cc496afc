/**
 * Errors of the edge-functions runtime. Each carries a stable code; `status` is what a
 * fail-closed route answers with when the error stops a request.
 */
export type FunctionErrorCode =
  | "AEGIS_ERR_FN_INVALID_MODULE"
  | "AEGIS_ERR_FN_CID_MISMATCH"
  | "AEGIS_ERR_FN_FETCH_MODULE"
  | "AEGIS_ERR_FN_UNKNOWN_MODULE"
  | "AEGIS_ERR_FN_FUEL"
  | "AEGIS_ERR_FN_MEMORY"
  | "AEGIS_ERR_FN_TIMEOUT"
  | "AEGIS_ERR_FN_TRAP"
  | "AEGIS_ERR_FN_CRASH"
  | "AEGIS_ERR_FN_OVERLOADED"
  | "AEGIS_ERR_FN_CONFIG";

export class FunctionError extends Error {
  readonly code: FunctionErrorCode;
  readonly status: number;
  constructor(code: FunctionErrorCode, message: string, status = 503) {
    super(message);
    this.name = "FunctionError";
    this.code = code;
    this.status = status;
  }
}

/** The module bytes cannot be used: malformed, uses an unsupported feature, or breaks a limit. */
export class InvalidModuleError extends FunctionError {
  constructor(message: string) {
    super("AEGIS_ERR_FN_INVALID_MODULE", message);
    this.name = "InvalidModuleError";
  }
}

/** The bytes a gateway returned do not hash to the CID that was asked for. */
export class CidMismatchError extends FunctionError {
  constructor(expected: string, actual: string) {
    super("AEGIS_ERR_FN_CID_MISMATCH", `module bytes hash to ${actual}, expected ${expected}`);
    this.name = "CidMismatchError";
  }
}

/** An invocation ended before the guest returned. `fuelUsed` is set when fuel ran out. */
export class InvocationError extends FunctionError {
  readonly fuelUsed: number | undefined;
  constructor(code: FunctionErrorCode, message: string, fuelUsed?: number) {
    super(code, message);
    this.name = "InvocationError";
    this.fuelUsed = fuelUsed;
  }
}

export class FunctionConfigError extends FunctionError {
  constructor(message: string) {
    super("AEGIS_ERR_FN_CONFIG", message);
    this.name = "FunctionConfigError";
  }
}
