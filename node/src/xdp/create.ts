/**
 * One call for the node: the kernel filter when this machine can run it, else the user-space
 * limiter with a clear warning. Also the policy hook (zone `ddos.sensitivity` → budgets).
 */
import { pino } from "pino";
import type { ZonePolicy } from "../policy/schema.js";
import { XdpError } from "./errors.js";
import { limitsForSensitivity, sensitivityOf } from "./limits.js";
import type { DdosFilter, DdosFilterConfig } from "./types.js";
import { UserspaceFilter } from "./userspace-filter.js";
import { XdpFilter } from "./xdp-filter.js";

export async function createDdosFilter(config: DdosFilterConfig = {}): Promise<DdosFilter> {
  const logger = config.logger ?? pino({ level: "info" });
  const limits = config.limits ?? limitsForSensitivity(config.sensitivity ?? 2);
  const engine = config.engine ?? "auto";
  const userspace = () =>
    new UserspaceFilter({
      limits,
      logger,
      ...(config.registry ? { registry: config.registry } : {}),
      ...(config.xdp?.sweepIntervalMs !== undefined ? { sweepIntervalMs: config.xdp.sweepIntervalMs } : {}),
    });
  if (engine === "userspace") return userspace();
  if (!config.xdp?.iface) {
    if (engine === "xdp") throw new XdpError("AEGIS_ERR_XDP_UNAVAILABLE", "xdp.iface is not configured");
    logger.warn({ code: "AEGIS_ERR_XDP_UNAVAILABLE" }, "ddos filter: no xdp.iface configured; using the user-space limiter");
    return userspace();
  }
  try {
    return await XdpFilter.attach({ ...config.xdp, limits, logger, ...(config.registry ? { registry: config.registry } : {}) });
  } catch (err) {
    if (engine === "xdp" || !(err instanceof XdpError)) throw err;
    logger.warn(
      { code: err.code, reason: err.message, iface: config.xdp.iface },
      "ddos filter: XDP cannot run here; falling back to the user-space limiter (per-source budgets apply per connection and request, not per packet)",
    );
    return userspace();
  }
}

/** Applies the zones' DDoS sensitivity (strictest wins) to the filter. */
export async function applyZonePolicies(filter: DdosFilter, policies: ReadonlyArray<Pick<ZonePolicy, "ddos">>): Promise<void> {
  await filter.setLimits(limitsForSensitivity(sensitivityOf(policies)));
}
