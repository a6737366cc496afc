/**
 * Canary objects: `/.aegis-canary/<name>` has bytes derived from a secret shared by the keepers
 * and the canary origin, so a keeper knows the hash of what a node must return for a path it
 * picked at random, without the node being able to tell a probe from a client request.
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export const CANARY_PREFIX = "/.aegis-canary/";

/** 1–16 KiB of bytes determined by (secret, name). */
export function canaryBytes(secretHex: string, name: string): Buffer {
  const secret = Buffer.from(secretHex, "hex");
  const seed = createHash("sha256").update(secret).update("\0").update(name).digest();
  const size = 1024 + (seed.readUInt32LE(0) % (15 * 1024));
  const out = Buffer.alloc(size);
  for (let i = 0, off = 0; off < size; i++) {
    const block = createHash("sha256").update(seed).update(String(i)).digest();
    off += block.copy(out, off);
  }
  return out;
}

export const sha256Hex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

export function randomCanaryPath(): string {
  return CANARY_PREFIX + randomBytes(12).toString("hex");
}

/** Request handler of a canary origin (node:http); 404 for anything else. */
export function canaryHandler(secretHex: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    if (!path.startsWith(CANARY_PREFIX) || !/^[0-9a-f]{8,64}$/.test(path.slice(CANARY_PREFIX.length))) {
      res.statusCode = 404;
      res.end("not a canary object");
      return;
    }
    const body = canaryBytes(secretHex, path.slice(CANARY_PREFIX.length));
    res.setHeader("content-type", "application/octet-stream");
    res.setHeader("cache-control", "public, max-age=60");
    res.setHeader("content-length", body.length);
    res.end(body);
  };
}
