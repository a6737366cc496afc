/** @aegis/sdk: the shared TypeScript client for the AEGIS programs. */
export * from "./constants.js";
export * from "./pdas.js";
export * from "./programs.js";
export * from "./merkle.js";
export * from "./zone.js";
export * as registry from "./functions/registry.js";
export * as token from "./functions/token.js";
export * as staking from "./functions/staking.js";
export * as rewards from "./functions/rewards.js";
export * from "./governance.js";
export * from "./client/index.js";
export * from "./connection.js";
