import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { connect as h2connect } from "node:http2";
import { join } from "node:path";
import { connect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { CONTINUE, type EdgeRequest, type RequestPhase, type ResponsePhase } from "../../node/src/phase.js";
import { rawRequest, rawStatus, sleep, startOrigin, startTestNode, tempDir, zoneFor, type TestOrigin } from "../helpers/edge.js";

function makeCert(dir: string, name: string, cn: string, sans: string[]): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", `/CN=${cn}`, "-addext", `subjectAltName=${sans.map((s) => `DNS:${s}`).join(",")}`, "-keyout", key, "-out", cert], { stdio: "ignore" });
  return { cert, key };
}

function peerCert(port: number, servername: string, alpn?: string[]): Promise<{ cn: string; fingerprint: string; alpn: string | false | null; version: string | null }> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false, ALPNProtocols: alpn }, () => {
      const c = s.getPeerCertificate();
      resolve({ cn: String(c.subject.CN), fingerprint: c.fingerprint256, alpn: s.alpnProtocol, version: s.getProtocol() });
      s.end();
    });
    s.on("error", reject);
  });
}

describe("node proxy: phases, TLS, HTTP/2, client IP, shutdown", function () {
  this.timeout(30_000);
  let origin: TestOrigin;
  const dirs: string[] = [];

  before(async () => {
    origin = await startOrigin((req, res) => {
      if (req.url === "/slow") {
        setTimeout(() => res.end("slow-done"), 600);
        return;
      }
      res.end(`origin ${req.method} ${req.url}`);
    });
  });
  after(async () => {
    await origin.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("runs injected request phases in order before the cache and the origin; a respond verdict ends the request", async () => {
    const order: string[] = [];
    const seen: EdgeRequest[] = [];
    const phase = (name: string, block?: string): RequestPhase => ({
      name,
      onRequest: (req) => {
        order.push(name);
        seen.push(req);
        if (block && req.url.startsWith(block)) return { kind: "respond", reason: "test-block", response: { status: 403, headers: { "content-type": "text/plain" }, body: Buffer.from("blocked") } };
        return CONTINUE;
      },
    });
    const stamp: ResponsePhase = { name: "stamp", onResponse: (_req, res) => ({ ...res, headers: { ...res.headers, "x-filtered": "1" } }) };
    const edge = await startTestNode({ zones: [zoneFor("ph.test", origin)], config: { requestPhases: [phase("waf", "/evil"), phase("bots"), phase("functions")], responsePhases: [stamp] } });
    try {
      const before = origin.requests.length;
      const blocked = await edge.get("/evil?x=1");
      expect(blocked.status).to.equal(403);
      expect(blocked.text).to.equal("blocked");
      expect(blocked.headers["x-request-id"]).to.be.a("string");
      expect(blocked.headers["x-filtered"]).to.equal("1");
      expect(order).to.deep.equal(["waf"]);
      expect(origin.requests.length).to.equal(before);
      order.length = 0;
      const ok = await edge.get("/fine", { method: "POST", body: "payload" });
      expect(ok.text).to.equal("origin POST /fine");
      expect(ok.headers["x-filtered"]).to.equal("1");
      expect(order).to.deep.equal(["waf", "bots", "functions"]);
      const last = seen.at(-1)!;
      expect(last.body?.toString()).to.equal("payload");
      expect(last.zone).to.equal("ph.test");
      expect(last.clientIp).to.equal("127.0.0.1");
      expect(origin.requests.at(-1)!.body.toString()).to.equal("payload");
      const m = await (await fetch(edge.node.metricsUrl + "/metrics")).text();
      expect(m).to.include('aegis_phase_responses_total{phase="waf",reason="test-block"} 1');
    } finally {
      await edge.close();
    }
  });

  it("takes the client IP from X-Forwarded-For / Forwarded only from trusted proxies", async () => {
    const ips: string[] = [];
    const capture: RequestPhase = { name: "capture", onRequest: (req) => (ips.push(req.clientIp), CONTINUE) };
    const trusted = await startTestNode({ zones: [zoneFor("ip.test", origin)], config: { trustedProxies: ["127.0.0.0/8"], requestPhases: [capture] } });
    const untrusted = await startTestNode({ zones: [zoneFor("ip.test", origin)], config: { trustedProxies: ["10.0.0.0/8"], requestPhases: [capture] } });
    try {
      await trusted.get("/", { headers: { "x-forwarded-for": "198.51.100.9, 127.0.0.5" } });
      expect(origin.requests.at(-1)!.headers["x-forwarded-for"]).to.equal("198.51.100.9, 127.0.0.5, 127.0.0.1");
      await trusted.get("/", { headers: { forwarded: 'for="[2001:db8::1]:443";proto=https' } });
      await untrusted.get("/", { headers: { "x-forwarded-for": "198.51.100.9" } });
      expect(origin.requests.at(-1)!.headers["x-forwarded-for"]).to.equal("127.0.0.1");
      expect(ips).to.deep.equal(["198.51.100.9", "2001:db8::1", "127.0.0.1"]);
    } finally {
      await trusted.close();
      await untrusted.close();
    }
  });

  it("reads the client address from PROXY protocol v1 and v2 headers", async () => {
    const ips: string[] = [];
    const capture: RequestPhase = { name: "capture", onRequest: (req) => (ips.push(req.clientIp), CONTINUE) };
    const edge = await startTestNode({ zones: [zoneFor("pp.test", origin)], config: { listen: { http: "127.0.0.1:0", metrics: "127.0.0.1:0", proxyProtocol: true }, trustedProxies: ["127.0.0.1"], requestPhases: [capture] } });
    try {
      const req = "GET /pp HTTP/1.1\r\nHost: pp.test\r\nConnection: close\r\n\r\n";
      const v1 = await rawRequest(edge.node.httpUrl, `PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n${req}`);
      expect(rawStatus(v1)).to.equal(200);
      const sig = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
      const v2 = Buffer.concat([sig, Buffer.from([0x21, 0x11, 0x00, 0x0c, 192, 0, 2, 44, 127, 0, 0, 1, 0x15, 0xb3, 0x00, 0x50]), Buffer.from(req)]);
      expect(rawStatus(await rawRequest(edge.node.httpUrl, v2))).to.equal(200);
      const garbage = await rawRequest(edge.node.httpUrl, `PROXY BOGUS\r\n${req}`);
      expect(garbage).to.equal("");
      expect(ips).to.deep.equal(["203.0.113.7", "192.0.2.44"]);
      expect(origin.requests.at(-1)!.headers["x-forwarded-for"]).to.equal("192.0.2.44");
    } finally {
      await edge.close();
    }
  });

  it("terminates TLS 1.2/1.3 with per-zone certificates by SNI, serves HTTP/2, and hot-reloads certificates", async () => {
    const dir = tempDir("aegis-tls-");
    dirs.push(dir);
    const a = makeCert(dir, "a", "a.test", ["a.test"]);
    const b = makeCert(dir, "b", "b.test", ["b.test", "*.b.test"]);
    const edge = await startTestNode({
      zones: [zoneFor("a.test", origin), zoneFor("b.test", origin)],
      config: { listen: { http: "127.0.0.1:0", https: "127.0.0.1:0", metrics: "127.0.0.1:0" }, tls: { certs: [{ domains: ["a.test"], ...a }, { domains: ["b.test", "*.b.test"], ...b }], reloadCheckMs: 100 } },
    });
    try {
      const port = Number(new URL(edge.node.httpsUrl!).port);
      expect((await peerCert(port, "a.test")).cn).to.equal("a.test");
      expect((await peerCert(port, "www.b.test")).cn).to.equal("b.test");
      const tls12 = await new Promise<string | null>((resolve, reject) => {
        const s = tlsConnect({ host: "127.0.0.1", port, servername: "a.test", rejectUnauthorized: false, maxVersion: "TLSv1.2" }, () => {
          resolve(s.getProtocol());
          s.end();
        });
        s.on("error", reject);
      });
      expect(tls12).to.equal("TLSv1.2");
      const h2 = await peerCert(port, "b.test", ["h2", "http/1.1"]);
      expect(h2.alpn).to.equal("h2");
      expect(h2.version).to.equal("TLSv1.3");

      // HTTP/2 request end to end
      const session = h2connect(edge.node.httpsUrl!, { rejectUnauthorized: false, servername: "a.test" });
      const { status, body, reqId } = await new Promise<{ status: number; body: string; reqId: string }>((resolve, reject) => {
        const s = session.request({ ":path": "/h2", ":authority": "a.test" });
        let data = "";
        let st = 0;
        let id = "";
        s.on("response", (h) => {
          st = Number(h[":status"]);
          id = String(h["x-request-id"]);
        });
        s.on("data", (c: Buffer) => (data += c.toString()));
        s.on("end", () => resolve({ status: st, body: data, reqId: id }));
        s.on("error", reject);
        s.end();
      });
      session.close();
      expect(status).to.equal(200);
      expect(body).to.equal("origin GET /h2");
      expect(reqId).to.have.length.greaterThan(8);
      expect(origin.requests.at(-1)!.headers["x-forwarded-proto"]).to.equal("https");

      // HTTP/1.1 over TLS
      const r = await new Promise<string>((resolve, reject) => {
        const s = tlsConnect({ host: "127.0.0.1", port, servername: "b.test", rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] }, () => s.write("GET /h1 HTTP/1.1\r\nHost: b.test\r\nConnection: close\r\n\r\n"));
        let out = "";
        s.on("data", (c: Buffer) => (out += c.toString()));
        s.on("end", () => resolve(out));
        s.on("error", reject);
      });
      expect(rawStatus(r)).to.equal(200);

      // hot reload: replace a.test's files, new handshakes see the new certificate
      const before = (await peerCert(port, "a.test")).fingerprint;
      makeCert(dir, "a", "a.test", ["a.test"]);
      let after = before;
      for (let i = 0; i < 40 && after === before; i++) {
        await sleep(100);
        after = (await peerCert(port, "a.test")).fingerprint;
      }
      expect(after).to.not.equal(before);
    } finally {
      await edge.close();
    }
  });

  it("survives clients that disconnect before or during a streamed origin response", async () => {
    const o = await startOrigin((req, res) => {
      res.setHeader("cache-control", "no-store");
      if (req.url === "/late") {
        setTimeout(() => res.end("late"), 300);
        return;
      }
      res.write("x".repeat(64 * 1024));
      const t = setInterval(() => res.write("y".repeat(1024)), 20);
      setTimeout(() => {
        clearInterval(t);
        res.end();
      }, 600);
    });
    const edge = await startTestNode({ zones: [zoneFor("gone.test", o)] });
    try {
      const u = new URL(edge.node.httpUrl);
      const hangUp = (path: string, afterMs: number) =>
        new Promise<void>((resolve) => {
          const s = connect(Number(u.port), u.hostname, () => s.write(`GET ${path} HTTP/1.1\r\nHost: gone.test\r\n\r\n`));
          s.on("error", () => undefined);
          setTimeout(() => {
            s.destroy();
            resolve();
          }, afterMs);
        });
      await Promise.all([hangUp("/late", 100), hangUp("/late", 100), hangUp("/stream", 150), hangUp("/stream", 150)]);
      await sleep(700);
      const r = await edge.get("/late");
      expect(r.status).to.equal(200);
      expect(r.text).to.equal("late");
    } finally {
      await edge.close();
      await o.close();
    }
  });

  it("drains in-flight requests on close and stops accepting new ones", async () => {
    const edge = await startTestNode({ zones: [zoneFor("drain.test", origin)] });
    const inflight = edge.get("/slow");
    await sleep(150);
    const closing = edge.close();
    const r = await inflight;
    expect(r.status).to.equal(200);
    expect(r.text).to.equal("slow-done");
    await closing;
    let refused = false;
    try {
      await edge.get("/");
    } catch {
      refused = true;
    }
    expect(refused).to.equal(true);
  });

  it("serves /healthz and Prometheus /metrics", async () => {
    const edge = await startTestNode({ zones: [zoneFor("m.test", origin)] });
    try {
      await edge.get("/x");
      const h = (await (await fetch(edge.node.metricsUrl + "/healthz")).json()) as { status: string; node: string };
      expect(h.status).to.equal("ok");
      expect(h.node).to.equal(edge.node.identity.address);
      const m = await (await fetch(edge.node.metricsUrl + "/metrics")).text();
      expect(m).to.include('aegis_requests_total{zone="m.test",status_class="2xx",cache="miss"} 1');
      expect(m).to.include("aegis_upstream_seconds_bucket");
    } finally {
      await edge.close();
    }
  });
});
