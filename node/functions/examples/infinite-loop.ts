// A runaway loop: stopped by fuel, at the same instruction count on every run.
import { CONTINUE } from "../sdk";

let spins: u64 = 0;

export function on_request(): i32 {
  while (spins != u64.MAX_VALUE - 1) {
    spins += (spins & 1) + 1;
  }
  return CONTINUE;
}
