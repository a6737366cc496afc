import { expect } from "chai";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sleep, startOrigin, startTestNode, zoneFor, type TestNode, type TestOrigin } from "../helpers/edge.js";

type Route = (req: IncomingMessage, res: ServerResponse) => void;

describe("node cache (RFC 9111) against a real origin", function () {
  this.timeout(30_000);
  let origin: TestOrigin;
  let edge: TestNode;
  const routes = new Map<string, Route>();
  const hits = (path: string) => origin.requests.filter((r) => r.url === path).length;

  before(async () => {
    origin = await startOrigin((req, res) => {
      const route = routes.get(req.url ?? "");
      if (route) route(req, res);
      else {
        res.statusCode = 404;
        res.end("no route");
      }
    });
    edge = await startTestNode({ zones: [zoneFor("site.test", origin)] });
  });
  after(async () => {
    await edge.close();
    await origin.close();
  });

  it("miss, then hit without contacting the origin", async () => {
    routes.set("/hit", (_q, r) => {
      r.setHeader("cache-control", "max-age=60");
      r.end("hit-body");
    });
    const a = await edge.get("/hit");
    const b = await edge.get("/hit");
    expect(a.headers["x-aegis-cache"]).to.equal("MISS");
    expect(b.headers["x-aegis-cache"]).to.equal("HIT");
    expect(b.text).to.equal("hit-body");
    expect(hits("/hit")).to.equal(1);
  });

  it("honours s-maxage over max-age in the shared cache and reports Age", async () => {
    routes.set("/smax", (_q, r) => {
      r.setHeader("cache-control", "max-age=0, s-maxage=60");
      r.setHeader("age", "5");
      r.end("smax");
    });
    await edge.get("/smax");
    const b = await edge.get("/smax");
    expect(b.headers["x-aegis-cache"]).to.equal("HIT");
    expect(Number(b.headers["age"])).to.be.within(5, 10);
    expect(hits("/smax")).to.equal(1);
  });

  it("expires after max-age and fetches again", async () => {
    let n = 0;
    routes.set("/expire", (_q, r) => {
      r.setHeader("cache-control", "max-age=1");
      r.end(`v${++n}`);
    });
    expect((await edge.get("/expire")).text).to.equal("v1");
    expect((await edge.get("/expire")).headers["x-aegis-cache"]).to.equal("HIT");
    await sleep(2_100);
    const c = await edge.get("/expire");
    expect(c.text).to.equal("v2");
    expect(c.headers["x-aegis-cache"]).to.be.oneOf(["EXPIRED", "MISS"]); // MISS once the tier has dropped the dead object
    expect(hits("/expire")).to.equal(2);
  });

  it("keeps one variant per Accept-Encoding (Vary)", async () => {
    routes.set("/vary", (q, r) => {
      r.setHeader("cache-control", "max-age=60");
      r.setHeader("vary", "Accept-Encoding");
      r.end(`enc=${q.headers["accept-encoding"] ?? "none"}`);
    });
    const gz = await edge.get("/vary", { headers: { "accept-encoding": "gzip" } });
    const br = await edge.get("/vary", { headers: { "accept-encoding": "br" } });
    const gz2 = await edge.get("/vary", { headers: { "accept-encoding": "gzip" } });
    const br2 = await edge.get("/vary", { headers: { "accept-encoding": "br" } });
    expect([gz.text, br.text, gz2.text, br2.text]).to.deep.equal(["enc=gzip", "enc=br", "enc=gzip", "enc=br"]);
    expect([gz2.headers["x-aegis-cache"], br2.headers["x-aegis-cache"]]).to.deep.equal(["HIT", "HIT"]);
    expect(hits("/vary")).to.equal(2);
  });

  it("revalidates with ETag: the origin's 304 refreshes the stored object", async () => {
    const seen: (string | undefined)[] = [];
    routes.set("/etag", (q, r) => {
      seen.push(q.headers["if-none-match"] as string | undefined);
      r.setHeader("cache-control", "max-age=0, must-revalidate");
      r.setHeader("etag", '"e1"');
      if (q.headers["if-none-match"] === '"e1"') {
        r.statusCode = 304;
        r.end();
      } else r.end("etag-body");
    });
    const a = await edge.get("/etag");
    const b = await edge.get("/etag");
    expect(a.text).to.equal("etag-body");
    expect(b.status).to.equal(200);
    expect(b.text).to.equal("etag-body");
    expect(b.headers["x-aegis-cache"]).to.equal("REVALIDATED");
    expect(seen).to.deep.equal([undefined, '"e1"']);
  });

  it("revalidates with Last-Modified", async () => {
    const lm = new Date(Date.now() - 3_600_000).toUTCString();
    const seen: (string | undefined)[] = [];
    routes.set("/lm", (q, r) => {
      seen.push(q.headers["if-modified-since"] as string | undefined);
      r.setHeader("cache-control", "no-cache");
      r.setHeader("last-modified", lm);
      if (q.headers["if-modified-since"] === lm) {
        r.statusCode = 304;
        r.end();
      } else r.end("lm-body");
    });
    await edge.get("/lm");
    const b = await edge.get("/lm");
    expect(b.text).to.equal("lm-body");
    expect(b.headers["x-aegis-cache"]).to.equal("REVALIDATED");
    expect(seen).to.deep.equal([undefined, lm]);
  });

  it("answers client conditionals from the cache with 304", async () => {
    routes.set("/cond", (_q, r) => {
      r.setHeader("cache-control", "max-age=60");
      r.setHeader("etag", 'W/"c1"');
      r.end("cond-body");
    });
    await edge.get("/cond");
    const b = await edge.get("/cond", { headers: { "if-none-match": 'W/"c1"' } });
    expect(b.status).to.equal(304);
    expect(b.body.length).to.equal(0);
    expect(hits("/cond")).to.equal(1);
  });

  it("never stores no-store responses", async () => {
    routes.set("/nostore", (_q, r) => {
      r.setHeader("cache-control", "no-store");
      r.end("x");
    });
    await edge.get("/nostore");
    const b = await edge.get("/nostore");
    expect(b.headers["x-aegis-cache"]).to.equal("MISS");
    expect(hits("/nostore")).to.equal(2);
    const m = await (await fetch(edge.node.metricsUrl + "/metrics")).text();
    expect(m).to.match(/aegis_cache_not_stored_total\{zone="site.test",reason="no_store"\} 2/);
  });

  it("never stores private responses in the shared cache", async () => {
    routes.set("/private", (_q, r) => {
      r.setHeader("cache-control", "private, max-age=60");
      r.end("mine");
    });
    await edge.get("/private");
    await edge.get("/private");
    expect(hits("/private")).to.equal(2);
  });

  it("stale-while-revalidate: serves stale at once, then the refreshed object", async () => {
    let n = 0;
    routes.set("/swr", (_q, r) => {
      n++;
      r.setHeader("cache-control", "max-age=1, stale-while-revalidate=30");
      setTimeout(() => r.end(`swr${n}`), n > 1 ? 300 : 0);
    });
    expect((await edge.get("/swr")).text).to.equal("swr1");
    await sleep(1_200);
    const stale = await edge.get("/swr");
    expect(stale.text).to.equal("swr1");
    expect(stale.headers["x-aegis-cache"]).to.equal("STALE");
    // the background refresh (origin answers after 300 ms) replaces the object; until then: STALE
    let fresh = stale;
    for (let i = 0; i < 100 && fresh.text !== "swr2"; i++) {
      await sleep(50);
      fresh = await edge.get("/swr");
      if (fresh.text !== "swr2") expect(fresh.headers["x-aegis-cache"]).to.equal("STALE");
    }
    expect(fresh.text).to.equal("swr2");
    expect(fresh.headers["x-aegis-cache"]).to.equal("HIT");
    expect(hits("/swr")).to.equal(2);
  });

  it("stale-if-error: serves the stale object when the origin answers 5xx", async () => {
    let fail = false;
    routes.set("/sie", (_q, r) => {
      if (fail) {
        r.statusCode = 503;
        r.end("down");
        return;
      }
      r.setHeader("cache-control", "max-age=1, stale-if-error=60");
      r.end("good");
    });
    await edge.get("/sie");
    fail = true;
    await sleep(1_200);
    const b = await edge.get("/sie");
    expect(b.status).to.equal(200);
    expect(b.text).to.equal("good");
    expect(b.headers["x-aegis-cache"]).to.equal("STALE_ERROR");
  });

  it("stale-if-error: serves the stale object when the origin is down", async () => {
    const o2 = await startOrigin((_q, r) => {
      r.setHeader("cache-control", "max-age=1, stale-if-error=60");
      r.end("still-here");
    });
    const e2 = await startTestNode({ zones: [zoneFor("down.test", o2)] });
    try {
      await e2.get("/x");
      await o2.close();
      await sleep(1_200);
      const b = await e2.get("/x");
      expect(b.status).to.equal(200);
      expect(b.text).to.equal("still-here");
      expect(b.headers["x-aegis-cache"]).to.equal("STALE_ERROR");
      const other = await e2.get("/never-cached");
      expect(other.status).to.equal(502);
      expect(JSON.parse(other.text).error.code).to.equal("AEGIS_ERR_ORIGIN_CONNECT");
    } finally {
      await e2.close();
    }
  });

  it("coalesces 100 concurrent requests for a cold key into one origin fetch", async () => {
    routes.set("/cold", (_q, r) => {
      r.setHeader("cache-control", "max-age=60");
      setTimeout(() => r.end("cold-body"), 200);
    });
    const all = await Promise.all(Array.from({ length: 100 }, () => edge.get("/cold")));
    expect(all.every((r) => r.status === 200 && r.text === "cold-body")).to.equal(true);
    expect(hits("/cold")).to.equal(1);
  });

  it("purge by tag removes exactly the tagged objects", async () => {
    const tagged: Record<string, [string, string]> = { "/t/a": ["surrogate-key", "red"], "/t/b": ["cache-tag", "blue"], "/t/c": ["surrogate-key", "blue red"], "/t/d": ["cache-tag", "green,redder"] };
    for (const [p, [h, v]] of Object.entries(tagged)) {
      routes.set(p, (_q, r) => {
        r.setHeader("cache-control", "max-age=60");
        r.setHeader(h, v);
        r.end(p);
      });
      await edge.get(p);
    }
    const first = await edge.get("/t/a");
    expect(first.headers["surrogate-key"]).to.equal(undefined); // tags are not shown to clients
    const res = await fetch(edge.node.metricsUrl + "/purge", { method: "POST", body: JSON.stringify({ tag: "red" }) });
    expect(((await res.json()) as { purged: number }).purged).to.equal(2);
    const outcome = async (p: string) => (await edge.get(p)).headers["x-aegis-cache"];
    expect(await outcome("/t/a")).to.equal("MISS");
    expect(await outcome("/t/b")).to.equal("HIT");
    expect(await outcome("/t/c")).to.equal("MISS");
    expect(await outcome("/t/d")).to.equal("HIT");
  });

  it("purge by URL and by prefix; soft purge keeps serving on origin failure", async () => {
    let fail = false;
    for (const p of ["/p/1", "/p/2", "/q/1"]) {
      routes.set(p, (_q, r) => {
        if (fail) {
          r.statusCode = 500;
          r.end();
          return;
        }
        r.setHeader("cache-control", "max-age=60");
        r.end(p);
      });
      await edge.get(p);
    }
    expect((await edge.node.purge({ zone: "site.test", url: "/q/1" })).purged).to.equal(1);
    expect((await edge.get("/q/1")).headers["x-aegis-cache"]).to.equal("MISS");
    await edge.node.purge({ zone: "site.test", prefix: "/p/", soft: true });
    fail = true;
    const s = await edge.get("/p/1");
    expect(s.text).to.equal("/p/1");
    expect(s.headers["x-aegis-cache"]).to.equal("STALE_ERROR");
    fail = false;
    const r = await edge.get("/p/2");
    expect(r.headers["x-aegis-cache"]).to.equal("EXPIRED");
    const bad = await fetch(edge.node.metricsUrl + "/purge", { method: "POST", body: JSON.stringify({ url: "/x" }) });
    expect(bad.status).to.equal(400);
  });

  it("serves HEAD and byte ranges from the stored object", async () => {
    const body = Buffer.from("0123456789abcdef");
    routes.set("/range", (_q, r) => {
      r.setHeader("cache-control", "max-age=60");
      r.setHeader("etag", '"r1"');
      r.end(body);
    });
    const head = await edge.get("/range", { method: "HEAD" });
    expect(head.status).to.equal(200);
    expect(head.body.length).to.equal(0);
    expect(head.headers["content-length"]).to.equal("16");
    const part = await edge.get("/range", { headers: { range: "bytes=2-5" } });
    expect(part.status).to.equal(206);
    expect(part.text).to.equal("2345");
    expect(part.headers["content-range"]).to.equal("bytes 2-5/16");
    const suffix = await edge.get("/range", { headers: { range: "bytes=-3" } });
    expect(suffix.text).to.equal("def");
    const bad = await edge.get("/range", { headers: { range: "bytes=99-" } });
    expect(bad.status).to.equal(416);
    const ifRangeStale = await edge.get("/range", { headers: { range: "bytes=0-1", "if-range": '"old"' } });
    expect(ifRangeStale.status).to.equal(200);
    expect(hits("/range")).to.equal(1);
    expect(origin.requests.filter((r) => r.url === "/range").every((r) => r.method === "GET" && r.headers.range === undefined)).to.equal(true);
  });

  it("bypasses the cache for POST and for requests with Authorization", async () => {
    routes.set("/auth", (_q, r) => {
      r.setHeader("cache-control", "max-age=60");
      r.end("secret");
    });
    await edge.get("/auth", { headers: { authorization: "Bearer x" } });
    const b = await edge.get("/auth", { headers: { authorization: "Bearer x" } });
    expect(b.headers["x-aegis-cache"]).to.equal("BYPASS");
    expect(hits("/auth")).to.equal(2);
  });

  it("applies the zone's default TTL when the origin sends no freshness", async () => {
    const o3 = await startOrigin((_q, r) => r.end("plain"));
    const e3 = await startTestNode({ zones: [zoneFor("ttl.test", o3, { cache: { defaultTtlSecs: 60 } })] });
    try {
      await e3.get("/d");
      expect((await e3.get("/d")).headers["x-aegis-cache"]).to.equal("HIT");
      expect(o3.requests.length).to.equal(1);
    } finally {
      await e3.close();
      await o3.close();
    }
  });
});
