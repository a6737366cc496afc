/**
 * The sample origin behind the demo edge node: a small site (cacheable HTML, an uncached API
 * route) and the keepers' canary objects (/.aegis-canary/<name>, bytes derived from a secret
 * shared with the prober, so the keepers can verify what the node serves).
 */
import { createServer, type Server } from "node:http";
import { CANARY_PREFIX, canaryHandler } from "../../keepers/src/canary.js";

const page = (host: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AEGIS demo origin</title></head>
<body><h1>Hello from the AEGIS demo origin</h1>
<p>Served for <code>${host.replace(/[^a-z0-9.:-]/gi, "")}</code> through an AEGIS edge node. This page is cacheable for 30 s:
the second request shows <code>x-aegis-cache: HIT</code>.</p></body></html>
`;

export async function startSampleOrigin(port: number, canarySecret: string): Promise<Server> {
  const canary = canaryHandler(canarySecret);
  let hits = 0;
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path.startsWith(CANARY_PREFIX)) return canary(req, res);
    hits++;
    if (path === "/api/time") {
      res.setHeader("content-type", "application/json");
      res.setHeader("cache-control", "no-store");
      res.end(JSON.stringify({ now: new Date().toISOString(), originHits: hits }));
      return;
    }
    if (path === "/" || path === "/index.html") {
      const body = page(String(req.headers.host ?? ""));
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.setHeader("cache-control", "public, max-age=30");
      res.setHeader("etag", `"demo-${body.length}"`);
      res.end(req.method === "HEAD" ? undefined : body);
      return;
    }
    res.statusCode = 404;
    res.setHeader("content-type", "text/plain");
    res.end("not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return server;
}
