// Transforms the origin's body on the way out: upper-cases text/plain responses.
import { CONTINUE, Response } from "../sdk";

export function on_response(): i32 {
  const type = Response.header("content-type");
  if (type === null || !type.startsWith("text/plain")) return CONTINUE;
  Response.setBodyText(Response.bodyText().toUpperCase());
  Response.setHeader("x-body-transformed", "upper");
  return CONTINUE;
}
