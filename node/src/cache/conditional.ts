/** Serving a stored object to a particular request: client conditionals (304) and byte ranges (206/416). */

export type Served =
  | { kind: "full" }
  | { kind: "not_modified" }
  | { kind: "range"; start: number; end: number }
  | { kind: "unsatisfiable" };

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return v === undefined ? undefined : Array.isArray(v) ? v.join(", ") : v;
}

const opaque = (tag: string) => tag.trim().replace(/^W\//, "");

/** Weak comparison (RFC 9110 §8.8.3.2), as If-None-Match requires. */
export function etagMatches(ifNoneMatch: string, etag: string | undefined): boolean {
  if (ifNoneMatch.trim() === "*") return etag !== undefined;
  if (!etag) return false;
  return ifNoneMatch.split(",").some((t) => opaque(t) === opaque(etag));
}

export function evaluateServe(
  method: string,
  status: number,
  reqHeaders: Record<string, string | string[] | undefined>,
  resHeaders: Record<string, string | string[]>,
  size: number,
): Served {
  if (status !== 200) return { kind: "full" };
  const etag = header(resHeaders, "etag");
  const lastModified = header(resHeaders, "last-modified");
  const inm = header(reqHeaders, "if-none-match");
  if (inm !== undefined) {
    if (etagMatches(inm, etag)) return { kind: "not_modified" };
  } else {
    const ims = header(reqHeaders, "if-modified-since");
    if (ims !== undefined && lastModified !== undefined) {
      const a = Date.parse(lastModified);
      const b = Date.parse(ims);
      if (Number.isFinite(a) && Number.isFinite(b) && a <= b) return { kind: "not_modified" };
    }
  }
  const range = header(reqHeaders, "range");
  if (range === undefined || method !== "GET") return { kind: "full" };
  const ifRange = header(reqHeaders, "if-range");
  if (ifRange !== undefined) {
    const strongMatch = etag !== undefined && !etag.startsWith("W/") && ifRange.trim() === etag;
    const dateMatch = lastModified !== undefined && ifRange.trim() === lastModified;
    if (!strongMatch && !dateMatch) return { kind: "full" };
  }
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!m) return { kind: "full" }; // multiple or unknown ranges: a full 200 is a valid answer
  const [, a, b] = m;
  let start: number;
  let end: number;
  if (a === "" && b === "") return { kind: "full" };
  if (a === "") {
    const suffix = Number(b);
    if (suffix === 0) return { kind: "unsatisfiable" };
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== "" && Number(b) < start) return { kind: "full" };
  }
  if (start >= size || size === 0) return { kind: "unsatisfiable" };
  return { kind: "range", start, end };
}
