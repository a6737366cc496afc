/**
 * A local HTTP server standing in for a remote IPFS gateway (the one mock these tests use):
 * serves GET /ipfs/<cid> from what the test published, and can be told to serve the wrong
 * bytes for a CID.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { cidOf } from "../../../node/src/functions/cid.js";

export interface TestGateway {
  readonly url: string;
  /** Requests per CID served so far. */
  readonly hits: Map<string, number>;
  /** Stores bytes under their real CID and returns it. */
  publish(bytes: Uint8Array): Promise<string>;
  /** Serves `bytes` when `cid` is asked for, whatever they hash to. */
  serveWrong(cid: string, bytes: Uint8Array): void;
  close(): Promise<void>;
}

export async function startGateway(): Promise<TestGateway> {
  const blocks = new Map<string, Uint8Array>();
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const m = /^\/ipfs\/([a-z0-9]+)/.exec(req.url ?? "");
    const bytes = m ? blocks.get(m[1]!) : undefined;
    if (!m || !bytes) {
      res.statusCode = 404;
      res.end("not found");
      return;
    }
    hits.set(m[1]!, (hits.get(m[1]!) ?? 0) + 1);
    res.setHeader("content-type", "application/vnd.ipld.raw");
    res.end(Buffer.from(bytes));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    async publish(bytes) {
      const cid = await cidOf(bytes);
      blocks.set(cid, bytes);
      return cid;
    },
    serveWrong(cid, bytes) {
      blocks.set(cid, bytes);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
