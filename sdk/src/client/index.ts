/** @aegis/sdk/client: the site-owner client. */
export { AegisClient, type AegisClientOptions, type DomainInfo, type ModuleInfo } from "./client.js";
export { AegisClientError } from "./errors.js";
export { moduleCid, assertWasm } from "./cid.js";
export { toZonePolicyArgs, defaultZonePolicy, checkDomain } from "./policy.js";
export type * from "./types.js";
