import { createServer } from "node:net";

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(undefined));
    s.listen(port, "127.0.0.1", () => {
      const addr = s.address();
      const got = typeof addr === "object" && addr ? addr.port : undefined;
      s.close(() => resolve(got));
    });
  });
}

/** A free loopback port. */
export async function freePort(): Promise<number> {
  const p = await tryListen(0);
  if (p === undefined) throw new Error("no free port");
  return p;
}

/** A free port p such that p + 1 is free too (Solana clients find the WebSocket at RPC port + 1). */
export async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await freePort();
    if (p < 65535 && (await tryListen(p + 1)) !== undefined) return p;
  }
  throw new Error("no free port pair");
}
