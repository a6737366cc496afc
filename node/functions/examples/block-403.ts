// Answers 403 at the edge for /admin paths unless the request carries the right key; the
// origin never sees those requests.
import { CONTINUE, RESPOND, Request, Response } from "../sdk";

export function on_request(): i32 {
  if (!Request.path().startsWith("/admin")) return CONTINUE;
  const key = Request.header("x-admin-key");
  if (key !== null && key == "let-me-in") return CONTINUE;
  Response.setStatus(403);
  Response.setHeader("content-type", "text/plain");
  Response.setBodyText("forbidden by edge function\n");
  return RESPOND;
}
