/** $AEGIS amounts: decimal strings on the command line, base units (6 decimals) on chain. */
import { AEGIS_DECIMALS } from "../../sdk/src/index.js";
import { usageError } from "./errors.js";

const SCALE = 10n ** BigInt(AEGIS_DECIMALS);

export function parseAegis(text: string, what = "amount"): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text.trim().replace(/_/g, ""));
  if (!m) throw usageError(`${what} "${text}" is not a number of AEGIS (e.g. 1500 or 12.5)`);
  const frac = m[2] ?? "";
  if (frac.length > AEGIS_DECIMALS) throw usageError(`${what} "${text}" has more than ${AEGIS_DECIMALS} decimals`);
  const units = BigInt(m[1]!) * SCALE + BigInt(frac.padEnd(AEGIS_DECIMALS, "0") || "0");
  if (units === 0n) throw usageError(`${what} must be more than 0`);
  return units;
}

export function formatAegis(units: bigint | number | { toString(): string }): string {
  const v = BigInt(units.toString());
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = a / SCALE;
  const frac = (a % SCALE).toString().padStart(AEGIS_DECIMALS, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${whole.toLocaleString("en-US")}${frac ? "." + frac : ""}`;
}
