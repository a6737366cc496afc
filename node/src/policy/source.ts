/**
 * Where zone policies come from. Every source (the local TOML file now; the on-chain zone accounts
 * once the registry program exists) hands the store raw, unvalidated data; the PolicyStore alone
 * validates, versions, applies and persists it. A chain source maps naturally onto this:
 * `load()` = getProgramAccounts for every zone, `subscribe()` = onProgramAccountChange, and the
 * store calls `load()` again every `reconcileMs` to repair missed notifications.
 */

export interface PolicySnapshot {
  /** Zone policies exactly as the source holds them (decoded, not yet validated). */
  readonly zones: readonly unknown[];
  /**
   * True when `zones` is everything the source has: zones that are absent are removed.
   * False for a change notification carrying only the zones that changed.
   */
  readonly complete: boolean;
  /** For logs: file path and mtime, slot number, … */
  readonly revision: string;
}

export interface PolicySource {
  /** Short name for logs and metrics ("toml", "chain"). */
  readonly name: string;
  /** Full read. Throws PolicySourceUnavailableError when the source cannot be reached or parsed. */
  load(): Promise<PolicySnapshot>;
  /** Change notifications until the returned function is called. Errors are reported, never thrown. */
  subscribe(onChange: (snapshot: PolicySnapshot) => void, onError: (err: Error) => void): () => void;
  close?(): Promise<void>;
}

export class PolicySourceUnavailableError extends Error {
  readonly code = "AEGIS_ERR_POLICY_SOURCE_UNAVAILABLE";
  constructor(source: string, message: string, options?: { cause?: unknown }) {
    super(`${source}: ${message}`, options);
    this.name = "PolicySourceUnavailableError";
  }
}
