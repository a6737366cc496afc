/**
 * Checks on the request head that Node's llhttp parser does not already make (it rejects
 * conflicting Content-Length / Transfer-Encoding, bad chunk sizes, bare CR, spaces before colons,
 * obs-fold and control characters in names and values itself; those reach clientError → 400 in
 * server.ts).
 */
import { BadRequestError } from "../errors.js";
import type { ClientRequest } from "./context.js";

export interface HeadLimits {
  maxUrlLength: number;
  maxHeaderCount: number;
}

export function checkRequestHead(req: ClientRequest, limits: HeadLimits): void {
  const url = req.url ?? "";
  if (url.length > limits.maxUrlLength) throw new BadRequestError("AEGIS_ERR_URL_TOO_LONG", `URL longer than ${limits.maxUrlLength}`, 414);
  const raw = req.rawHeaders;
  if (raw.length / 2 > limits.maxHeaderCount) throw new BadRequestError("AEGIS_ERR_TOO_MANY_HEADERS", `more than ${limits.maxHeaderCount} header fields`, 431);
  if (req.httpVersionMajor >= 2) return; // HTTP/2 framing has no smuggling surface of this kind
  let host = 0;
  let cl = 0;
  let te = 0;
  for (let i = 0; i < raw.length; i += 2) {
    // Only Host (4), Content-Length (14) and Transfer-Encoding (17) are checked: other names are not lower-cased.
    const len = raw[i]!.length;
    if (len !== 4 && len !== 14 && len !== 17) continue;
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    if (name === "host") host++;
    else if (name === "content-length") {
      cl++;
      if (!/^\d{1,15}$/.test(value)) throw new BadRequestError("AEGIS_ERR_BAD_CONTENT_LENGTH", "Content-Length is not a decimal number");
    } else if (name === "transfer-encoding") {
      te++;
      if (value.trim().toLowerCase() !== "chunked") throw new BadRequestError("AEGIS_ERR_BAD_TRANSFER_ENCODING", "only Transfer-Encoding: chunked is accepted");
    }
    // Control characters in values are refused by llhttp itself (strict mode), nothing to add here.
  }
  if (host !== 1 && req.httpVersionMinor === 1) throw new BadRequestError("AEGIS_ERR_BAD_HOST", host === 0 ? "Host header missing" : "more than one Host header");
  if (host > 1) throw new BadRequestError("AEGIS_ERR_BAD_HOST", "more than one Host header");
  if (cl > 1) throw new BadRequestError("AEGIS_ERR_BAD_CONTENT_LENGTH", "more than one Content-Length");
  if (te > 1) throw new BadRequestError("AEGIS_ERR_BAD_TRANSFER_ENCODING", "more than one Transfer-Encoding");
  if (te > 0 && cl > 0) throw new BadRequestError("AEGIS_ERR_SMUGGLING", "both Content-Length and Transfer-Encoding");
  if (te > 0 && req.httpVersionMinor === 0) throw new BadRequestError("AEGIS_ERR_BAD_TRANSFER_ENCODING", "Transfer-Encoding in an HTTP/1.0 request");
  if (url[0] !== "/" && !(url === "*" && req.method === "OPTIONS")) {
    // absolute-form must name the same authority as Host, and is rewritten to origin-form by the caller
    if (!/^https?:\/\//i.test(url)) throw new BadRequestError("AEGIS_ERR_BAD_TARGET", "request target is not origin-form or absolute-form");
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new BadRequestError("AEGIS_ERR_BAD_TARGET", "unparseable absolute-form target");
    }
    if (u.host.toLowerCase() !== String(req.headers.host ?? "").toLowerCase()) throw new BadRequestError("AEGIS_ERR_BAD_TARGET", "absolute-form authority differs from Host");
  }
  if (url.includes("#")) throw new BadRequestError("AEGIS_ERR_BAD_TARGET", "fragment in request target");
}

/** Path and query of the request target (absolute-form reduced to origin-form). */
export function originForm(url: string): string {
  if (url[0] === "/") return url;
  if (url === "*") return "*";
  const u = new URL(url);
  return u.pathname + u.search;
}
