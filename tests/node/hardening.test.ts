import { expect } from "chai";
import { connect } from "node:net";
import { rawRequest, rawStatus, startOrigin, startTestNode, zoneFor, type TestNode, type TestOrigin } from "../helpers/edge.js";

const H = "Host: site.test\r\n";

/** Classic request smuggling and malformed-request cases: each must be refused with 400 before the origin sees anything. */
const SMUGGLING: [string, string][] = [
  ["CL.TE: both Content-Length and Transfer-Encoding", `POST /a HTTP/1.1\r\n${H}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX`],
  ["TE.CL: Transfer-Encoding first, then Content-Length", `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n`],
  ["two different Content-Length values", `POST /a HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 5\r\n\r\nabcde`],
  ["two equal Content-Length headers", `POST /a HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc`],
  ["Content-Length list value", `POST /a HTTP/1.1\r\n${H}Content-Length: 3, 3\r\n\r\nabc`],
  ["Transfer-Encoding obfuscated (xchunked)", `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`],
  ["Transfer-Encoding: chunked, identity", `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`],
  ["duplicate Transfer-Encoding headers", `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
  ["space before the colon", `POST /a HTTP/1.1\r\n${H}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n`],
  ["obs-fold continuation line", `GET /a HTTP/1.1\r\n${H}X-Foo: a\r\n  folded\r\n\r\n`],
  ["obs-fold hiding Transfer-Encoding", `POST /a HTTP/1.1\r\n${H}Content-Length: 5\r\nX-Foo: a\r\n Transfer-Encoding: chunked\r\n\r\nabcde`],
  ["bare CR inside a header line", `GET /a HTTP/1.1\r\n${H}X-Foo: a\rb\r\n\r\n`],
  ["bare LF as the line terminator in a header", `GET /a HTTP/1.1\r\n${H}X-Foo: a\nX-Bar: b\r\n\r\n`],
  ["invalid chunk size (non-hex)", `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`],
  ["chunk size with a bogus extension char", `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\x00\r\nabc\r\n0\r\n\r\n`],
  ["negative Content-Length", `POST /a HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`],
  ["non-numeric Content-Length", `POST /a HTTP/1.1\r\n${H}Content-Length: 1a\r\n\r\na`],
  ["Transfer-Encoding in an HTTP/1.0 request", `POST /a HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
  ["two Host headers", `GET /a HTTP/1.1\r\n${H}Host: other.test\r\n\r\n`],
  ["missing Host in HTTP/1.1", `GET /a HTTP/1.1\r\nX-A: b\r\n\r\n`],
  ["absolute-form target with a different authority", `GET http://evil.test/a HTTP/1.1\r\n${H}\r\n`],
  ["NUL byte in a header value", `GET /a HTTP/1.1\r\n${H}X-Foo: a\x00b\r\n\r\n`],
  ["header name with a space inside", `GET /a HTTP/1.1\r\n${H}X Foo: a\r\n\r\n`],
  ["invalid HTTP version", `GET /a HTTP/1.7\r\n${H}\r\n`],
  ["space inside the request target", `GET /a b HTTP/1.1\r\n${H}\r\n`],
];

describe("node hardening: malformed and smuggling requests", function () {
  this.timeout(30_000);
  let origin: TestOrigin;
  let edge: TestNode;

  before(async () => {
    origin = await startOrigin((_req, res) => res.end("origin"));
    edge = await startTestNode({ zones: [zoneFor("site.test", origin)], config: { limits: { maxHeaderBytes: 8192, maxHeaderCount: 50 } } });
  });
  after(async () => {
    await edge.close();
    await origin.close();
  });

  it("sanity: a well-formed POST reaches the origin", async () => {
    const reply = await rawRequest(edge.node.httpUrl, `POST /ok HTTP/1.1\r\n${H}Content-Length: 3\r\nConnection: close\r\n\r\nabc`);
    expect(rawStatus(reply)).to.equal(200);
    expect(origin.requests.map((r) => r.url)).to.include("/ok");
  });

  for (const [name, bytes] of SMUGGLING) {
    it(`400 and origin untouched: ${name}`, async () => {
      const before = origin.requests.length;
      const reply = await rawRequest(edge.node.httpUrl, bytes);
      expect(rawStatus(reply), reply.slice(0, 200)).to.equal(400);
      expect(reply.toLowerCase()).to.include("x-request-id:");
      expect(origin.requests.length).to.equal(before);
    });
  }

  it("431 for oversized request headers, origin untouched", async () => {
    const before = origin.requests.length;
    const reply = await rawRequest(edge.node.httpUrl, `GET /a HTTP/1.1\r\n${H}X-Big: ${"a".repeat(10_000)}\r\n\r\n`);
    expect(rawStatus(reply)).to.equal(431);
    expect(origin.requests.length).to.equal(before);
  });

  it("431 for too many header fields", async () => {
    const before = origin.requests.length;
    let extra = "";
    for (let i = 0; i < 60; i++) extra += `X-H${i}: v\r\n`;
    const reply = await rawRequest(edge.node.httpUrl, `GET /a HTTP/1.1\r\n${H}${extra}Connection: close\r\n\r\n`);
    expect(rawStatus(reply)).to.equal(431);
    expect(origin.requests.length).to.equal(before);
  });

  it("414 for an overlong URL", async () => {
    const reply = await rawRequest(edge.node.httpUrl, `GET /${"a".repeat(9000)} HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    expect(rawStatus(reply)).to.be.oneOf([414, 431]);
  });

  it("413 for a body over the limit, origin untouched", async () => {
    const small = await startTestNode({ zones: [zoneFor("site.test", origin)], config: { limits: { maxBodyBytes: 100 } } });
    try {
      const before = origin.requests.length;
      const reply = await rawRequest(small.node.httpUrl, `POST /a HTTP/1.1\r\n${H}Content-Length: 200\r\nConnection: close\r\n\r\n${"x".repeat(200)}`);
      expect(rawStatus(reply)).to.equal(413);
      const chunked = await rawRequest(small.node.httpUrl, `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nc8\r\n${"x".repeat(200)}\r\n0\r\n\r\n`);
      expect(rawStatus(chunked)).to.equal(413);
      expect(origin.requests.length).to.equal(before);
    } finally {
      await small.close();
    }
  });

  it("strips hop-by-hop headers (incl. those named in Connection) and adds Via both ways", async () => {
    origin.setHandler((_req, res) => {
      res.setHeader("keep-alive", "timeout=5");
      res.setHeader("x-secret-hop", "1");
      res.setHeader("connection", "x-secret-hop");
      res.end("ok");
    });
    const reply = await rawRequest(edge.node.httpUrl, `GET /hop HTTP/1.1\r\n${H}Connection: close, x-drop-me\r\nX-Drop-Me: 1\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\n\r\n`);
    expect(rawStatus(reply)).to.equal(200);
    const seen = origin.requests.at(-1)!.headers;
    expect(seen["x-drop-me"]).to.equal(undefined);
    expect(seen["proxy-connection"]).to.equal(undefined);
    expect(seen["te"]).to.equal(undefined);
    expect(seen["via"]).to.equal("1.1 aegis");
    const lower = reply.toLowerCase();
    expect(lower).to.not.include("x-secret-hop: 1");
    expect(lower).to.not.include("keep-alive: timeout");
    expect(lower).to.include("\r\nvia: 1.1 aegis\r\n");
    origin.setHandler((_req, res) => res.end("origin"));
  });

  it("closes idle keep-alive connections after keepAliveTimeoutMs", async () => {
    const idle = await startTestNode({ zones: [zoneFor("site.test", origin)], config: { limits: { keepAliveTimeoutMs: 300 } } });
    try {
      const u = new URL(idle.node.httpUrl);
      const result = await new Promise<{ reply: string; openMs: number }>((resolve) => {
        let answeredAt = 0;
        let reply = "";
        const s = connect(Number(u.port), u.hostname, () => s.write(`GET /a HTTP/1.1\r\n${H}\r\n`));
        s.on("data", (c: Buffer) => {
          reply += c.toString();
          answeredAt ||= Date.now();
        });
        s.on("error", () => undefined);
        s.on("close", () => resolve({ reply, openMs: Date.now() - answeredAt }));
      });
      expect(rawStatus(result.reply)).to.equal(200);
      expect(result.openMs).to.be.within(200, 5_000);
    } finally {
      await idle.close();
    }
  });

  it("closes a slowloris connection that never finishes its headers", async () => {
    const slow = await startTestNode({ zones: [zoneFor("site.test", origin)], config: { limits: { headersTimeoutMs: 500, requestTimeoutMs: 1_000 } } });
    try {
      const u = new URL(slow.node.httpUrl);
      const started = Date.now();
      const closed = await new Promise<{ reply: string; ms: number }>((resolve) => {
        const s = connect(Number(u.port), u.hostname, () => s.write(`GET /a HTTP/1.1\r\n${H}X-A: 1\r\n`));
        const chunks: Buffer[] = [];
        const drip = setInterval(() => s.writable && s.write("X-B: 2\r\n"), 200);
        s.on("data", (c: Buffer) => chunks.push(c));
        s.on("error", () => undefined);
        s.on("close", () => {
          clearInterval(drip);
          resolve({ reply: Buffer.concat(chunks).toString(), ms: Date.now() - started });
        });
      });
      expect(closed.ms).to.be.lessThan(8_000);
      expect([0, 408]).to.include(rawStatus(closed.reply));
    } finally {
      await slow.close();
    }
  });
});
