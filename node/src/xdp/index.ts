/** Public API of the DDoS filter (kernel XDP with a user-space fallback). */
export { createDdosFilter, applyZonePolicies } from "./create.js";
export { guardServer } from "./guard.js";
export { XdpFilter, DEFAULT_OBJECT } from "./xdp-filter.js";
export { UserspaceFilter } from "./userspace-filter.js";
export { limitsForSensitivity, sensitivityOf } from "./limits.js";
export { parseCidr } from "./cidr.js";
export { XdpError, type XdpErrorCode } from "./errors.js";
export * from "./types.js";
