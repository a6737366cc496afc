// Calls an upstream API (allow-listed per route) named by the x-fetch-url header and answers
// with what it got, or with the host error code.
import { CONTINUE, RESPOND, Request, Response, fetch } from "../sdk";

export function on_request(): i32 {
  const url = Request.header("x-fetch-url");
  if (url === null) return CONTINUE;
  const r = fetch(url);
  Response.setStatus(200);
  Response.setHeader("content-type", "text/plain");
  if (r.status < 0) {
    Response.setBodyText("fetch-error " + r.status.toString() + "\n");
  } else {
    Response.setBodyText("fetched " + r.status.toString() + " " + r.text());
  }
  return RESPOND;
}
