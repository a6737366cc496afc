/** Types shared by the CLI's modules. */

/** Options every command accepts (commander globals). */
export interface GlobalOptions {
  cluster?: string;
  keypair?: string;
  json?: boolean;
  config?: string;
  commitment?: "processed" | "confirmed" | "finalized";
}

/** The CLI config file (`aegis config get|set`), like the Solana CLI's config.yml. */
export interface CliConfig {
  cluster?: string;
  keypair?: string;
  commitment?: "processed" | "confirmed" | "finalized";
  /** Default node (NodeV0 address) for node / rewards / slash commands. */
  node?: string;
  /** Admin endpoints of edge nodes (purge, metrics). */
  nodeUrls?: string[];
  /** Realms realm and the protocol governance (gov commands). */
  realm?: string;
  governance?: string;
  governanceProgram?: string;
}
