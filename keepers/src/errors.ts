/** Keeper errors with stable codes. */

export class KeeperError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "KeeperError";
  }
}

export class ConfigError extends KeeperError {
  constructor(message: string) {
    super("AEGIS_ERR_KEEPER_CONFIG", message);
    this.name = "ConfigError";
  }
}

export class StoreError extends KeeperError {
  constructor(message: string) {
    super("AEGIS_ERR_KEEPER_STORE", message);
    this.name = "StoreError";
  }
}

export class ChainError extends KeeperError {
  constructor(message: string) {
    super("AEGIS_ERR_KEEPER_CHAIN", message);
    this.name = "ChainError";
  }
}

/** A transaction the program refused: retrying cannot help. */
export class ProgramRefusedError extends KeeperError {
  constructor(
    readonly programError: string,
    message: string,
  ) {
    super("AEGIS_ERR_KEEPER_PROGRAM", message);
    this.name = "ProgramRefusedError";
  }
}
