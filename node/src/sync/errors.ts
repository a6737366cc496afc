/** Errors of the distributed-state layer, each with a stable code. */

export class SyncError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "SyncError";
  }
}

/** A peer directory file or record is invalid; the last good directory stays in force. */
export class PeerDirectoryError extends SyncError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("AEGIS_ERR_SYNC_PEER_DIRECTORY", message, options);
    this.name = "PeerDirectoryError";
  }
}

/** A message on a sync subject could not be decoded; it is counted and dropped. */
export class SyncDecodeError extends SyncError {
  constructor(message: string) {
    super("AEGIS_ERR_SYNC_DECODE", message);
    this.name = "SyncDecodeError";
  }
}

/** The arguments of a publish call were invalid (bad IP, TTL out of range …). */
export class SyncArgumentError extends SyncError {
  constructor(message: string) {
    super("AEGIS_ERR_SYNC_ARGUMENT", message);
    this.name = "SyncArgumentError";
  }
}
