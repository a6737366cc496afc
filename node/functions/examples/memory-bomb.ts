// Allocates 1 MiB after 1 MiB until the memory cap refuses to grow.
import { CONTINUE } from "../sdk";

const hoard: ArrayBuffer[] = [];

export function on_request(): i32 {
  while (true) {
    hoard.push(new ArrayBuffer(1 << 20));
    if (hoard.length > 100000) break;
  }
  return CONTINUE;
}
