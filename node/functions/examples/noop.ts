// Does nothing: the baseline for measuring the runtime's per-request overhead.
import { CONTINUE } from "../sdk";

export function on_request(): i32 {
  return CONTINUE;
}
