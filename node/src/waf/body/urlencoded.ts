import { urlDecode } from "../transforms.js";

/** Splits `a=1&b=2` into decoded pairs (binary strings). Stops at `max` pairs. */
export function parseUrlEncoded(s: string, max: number): { pairs: Array<[string, string]>; truncated: boolean } {
  const pairs: Array<[string, string]> = [];
  if (s === "") return { pairs, truncated: false };
  let start = 0;
  while (start <= s.length) {
    let end = s.indexOf("&", start);
    if (end < 0) end = s.length;
    const part = s.slice(start, end);
    if (part !== "") {
      if (pairs.length >= max) return { pairs, truncated: true };
      const eq = part.indexOf("=");
      pairs.push(eq < 0 ? [urlDecode(part), ""] : [urlDecode(part.slice(0, eq)), urlDecode(part.slice(eq + 1))]);
    }
    start = end + 1;
  }
  return { pairs, truncated: false };
}
