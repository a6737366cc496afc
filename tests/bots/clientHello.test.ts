import { expect } from "chai";
import { createHash } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { ja3, ja4, parseClientHello } from "../../node/src/bots/clientHello.js";
import { BotError } from "../../node/src/bots/types.js";

const u16 = (v: number): Buffer => Buffer.from([v >> 8, v & 0xff]);
const withLen16 = (b: Buffer): Buffer => Buffer.concat([u16(b.length), b]);
const ext = (type: number, body: Buffer): Buffer => Buffer.concat([u16(type), withLen16(body)]);
const list16 = (vals: number[]): Buffer => withLen16(Buffer.concat(vals.map(u16)));

/** A ClientHello built by hand: GREASE in ciphers, extensions, groups and versions. */
function handMadeHello(): Buffer {
  const sniName = Buffer.from("example.com");
  const sni = withLen16(Buffer.concat([Buffer.from([0]), withLen16(sniName)]));
  const alpn = withLen16(Buffer.concat([Buffer.from([2]), Buffer.from("h2"), Buffer.from([8]), Buffer.from("http/1.1")]));
  const exts = Buffer.concat([
    ext(0x0a0a, Buffer.alloc(0)),
    ext(0x0000, sni),
    ext(0x0010, alpn),
    ext(0x000a, list16([0x1a1a, 0x001d, 0x0017])),
    ext(0x000b, Buffer.from([1, 0])),
    ext(0x000d, list16([0x0403, 0x0804])),
    ext(0x002b, Buffer.concat([Buffer.from([6]), u16(0x2a2a), u16(0x0304), u16(0x0303)])),
  ]);
  const body = Buffer.concat([
    u16(0x0303), Buffer.alloc(32, 7), Buffer.from([0]),
    list16([0x0a0a, 0x1301, 0x1302, 0xc02b]),
    Buffer.from([1, 0]),
    withLen16(exts),
  ]);
  const hs = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x01]), u16(hs.length), hs]);
}

const sha12 = (s: string): string => createHash("sha256").update(s).digest("hex").slice(0, 12);

describe("bots: ClientHello fingerprints", () => {
  it("computes JA3 without GREASE values", () => {
    const h = parseClientHello(handMadeHello());
    expect(h.sni).to.equal("example.com");
    expect(h.alpn).to.deep.equal(["h2", "http/1.1"]);
    const j = ja3(h);
    expect(j.text).to.equal("771,4865-4866-49195,0-16-10-11-13-43,29-23,0");
    expect(j.hash).to.equal(createHash("md5").update(j.text).digest("hex"));
  });

  it("computes JA4 per the FoxIO spec (sorted ciphers, sorted extensions without SNI/ALPN, signature algorithms in order)", () => {
    const h = parseClientHello(handMadeHello());
    expect(ja4(h)).to.equal(`t13d0306h2_${sha12("1301,1302,c02b")}_${sha12("000a,000b,000d,002b_0403,0804")}`);
  });

  it("rejects truncated or foreign bytes with a coded error", () => {
    const full = handMadeHello();
    for (const bad of [full.subarray(0, 20), Buffer.from("GET / HTTP/1.1\r\n\r\n")]) {
      try {
        parseClientHello(bad);
        expect.fail("parsed garbage");
      } catch (e) {
        expect(e).to.be.instanceOf(BotError);
        expect((e as BotError).code).to.equal("AEGIS_ERR_BOT_CLIENT_HELLO");
      }
    }
  });

  it("fingerprints the ClientHello of a real Node TLS client", async () => {
    const captured = await new Promise<Buffer>((resolve, reject) => {
      const srv = createServer((sock) => {
        sock.once("data", (d: Buffer) => { resolve(d); sock.destroy(); srv.close(); });
      });
      srv.listen(0, "127.0.0.1", () => {
        const port = (srv.address() as AddressInfo).port;
        const c = tlsConnect({ host: "127.0.0.1", port, servername: "shop.test", ALPNProtocols: ["h2", "http/1.1"], rejectUnauthorized: false });
        c.on("error", () => undefined);
      });
      srv.on("error", reject);
    });
    const h = parseClientHello(captured);
    expect(h.sni).to.equal("shop.test");
    expect(h.alpn[0]).to.equal("h2");
    expect(h.supportedVersions).to.include(0x0304);
    expect(ja4(h)).to.match(/^t13d\d{4}h2_[0-9a-f]{12}_[0-9a-f]{12}$/);
    expect(ja3(h).hash).to.match(/^[0-9a-f]{32}$/);
  });
});
