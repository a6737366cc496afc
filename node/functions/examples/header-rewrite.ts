// Rewrites headers: tags the request sent to the origin, drops an internal header, and
// adds a header to the response the client gets.
import { CONTINUE, Request, Response } from "../sdk";

export function on_request(): i32 {
  const ua = Request.header("user-agent");
  Request.setHeader("x-edge-user-agent", ua === null ? "none" : ua);
  Request.removeHeader("x-internal-token");
  Request.setHeader("x-edge-function", "header-rewrite");
  Response.setHeader("x-served-by-function", "header-rewrite");
  return CONTINUE;
}
