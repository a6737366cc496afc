// Uses the zone cache: counts hits per path and answers with the count.
import { RESPOND, Cache, Request, Response } from "../sdk";

export function on_request(): i32 {
  const key = "hits:" + Request.path();
  const prev = Cache.getText(key);
  const n = (prev === null ? 0 : I32.parseInt(prev)) + 1;
  Cache.setText(key, n.toString(), 60);
  Response.setStatus(200);
  Response.setHeader("x-cache-hits", n.toString());
  Response.setBodyText("hits=" + n.toString() + "\n");
  return RESPOND;
}
