// Tags responses with the module version it was built as; used to watch hot reloads and
// rollbacks (the tests compile it once per version with this constant rewritten).
import { CONTINUE, Response } from "../sdk";

const MODULE_VERSION: i32 = 1;

export function on_request(): i32 {
  Response.setHeader("x-module-version", MODULE_VERSION.toString());
  return CONTINUE;
}
