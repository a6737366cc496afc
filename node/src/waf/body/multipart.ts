/**
 * multipart/form-data parser (RFC 7578) over a binary string. Lenient enough to inspect what
 * a browser sends, and it records strictness violations the way ModSecurity's
 * MULTIPART_STRICT_ERROR does instead of failing.
 */
import type { ParsedBody } from "./types.js";

export function boundaryOf(contentType: string): string | undefined {
  const m = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

function headerParam(header: string, name: string): string | undefined {
  const re = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, "i");
  const m = re.exec(header);
  if (!m) return undefined;
  // Backslashes stay as sent (CRS 920120 inspects them).
  return m[1] !== undefined ? m[1] : (m[2] ?? "").trim();
}

export function parseMultipart(body: string, contentType: string, maxArgs: number, out: ParsedBody): void {
  out.processor = "MULTIPART";
  const boundary = boundaryOf(contentType);
  if (!boundary || boundary.length > 70) {
    out.error = "multipart: missing or invalid boundary";
    out.multipartStrictError = true;
    return;
  }
  const delim = "--" + boundary;
  let pos = body.indexOf(delim);
  if (pos < 0) {
    out.error = "multipart: boundary not found";
    out.multipartStrictError = true;
    return;
  }
  if (pos > 0 && body.slice(0, pos).trim() !== "") out.multipartStrictError = true;
  let finished = false;
  while (pos >= 0) {
    let p = pos + delim.length;
    if (body.startsWith("--", p)) { finished = true; break; }
    if (body.startsWith("\r\n", p)) p += 2;
    else if (body[p] === "\n") { p += 1; out.multipartStrictError = true; }
    else { out.multipartStrictError = true; }
    let headerEnd = body.indexOf("\r\n\r\n", p);
    let sepLen = 4;
    if (headerEnd < 0) {
      headerEnd = body.indexOf("\n\n", p);
      sepLen = 2;
      if (headerEnd < 0) { out.multipartStrictError = true; break; }
      out.multipartStrictError = true;
    }
    const headerBlock = body.slice(p, headerEnd);
    const contentStart = headerEnd + sepLen;
    const next = body.indexOf("\n" + delim, contentStart - 1);
    const crlf = next > 0 && body[next - 1] === "\r";
    if (next >= 0 && !crlf) out.multipartStrictError = true;
    const contentEnd = next < 0 ? body.length : crlf ? next - 1 : next;
    const content = body.slice(contentStart, contentEnd);
    let disposition = "";
    for (const line of headerBlock.split(/\r?\n/)) {
      const c = line.indexOf(":");
      if (c <= 0) { out.multipartStrictError = true; continue; }
      const hn = line.slice(0, c).trim();
      const hv = line.slice(c + 1).trim();
      out.partHeaders.push([hn.toLowerCase(), `${hn}: ${hv}`]);
      if (hn.toLowerCase() === "content-disposition") disposition = hv;
    }
    if (!/^form-data\b/i.test(disposition)) out.multipartStrictError = true;
    const name = headerParam(disposition, "name");
    const filename = headerParam(disposition, "filename\\*") ?? headerParam(disposition, "filename");
    if (name === undefined) out.multipartStrictError = true;
    if (out.args.length + out.files.length >= maxArgs) { out.error = "multipart: too many parts"; return; }
    if (filename !== undefined) {
      out.files.push([name ?? "", filename]);
      out.fileSizes.push([name ?? "", String(content.length)]);
    } else {
      out.args.push([name ?? "", content]);
    }
    if (next < 0) { out.multipartUnmatchedBoundary = true; break; }
    pos = next + 1;
  }
  if (!finished) {
    out.multipartStrictError = true;
    out.multipartUnmatchedBoundary = true;
  }
}
