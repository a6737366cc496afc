/**
 * TLS ClientHello parsing and the JA3 / JA4 fingerprints computed from it. Pure functions over
 * the bytes the client sent (a TLS record, or a bare handshake message); GREASE values are
 * ignored as both specifications require.
 */
import { createHash } from "node:crypto";
import { BotError, type ClientHello } from "./types.js";

const isGrease = (v: number): boolean => (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);

class Reader {
  constructor(private readonly b: Buffer, public pos = 0, private readonly end = b.length) {}
  need(n: number): void {
    if (this.pos + n > this.end) throw new BotError("AEGIS_ERR_BOT_CLIENT_HELLO", "truncated ClientHello");
  }
  u8(): number { this.need(1); return this.b[this.pos++]!; }
  u16(): number { this.need(2); const v = this.b.readUInt16BE(this.pos); this.pos += 2; return v; }
  u24(): number { this.need(3); const v = this.b.readUIntBE(this.pos, 3); this.pos += 3; return v; }
  bytes(n: number): Buffer { this.need(n); const v = this.b.subarray(this.pos, this.pos + n); this.pos += n; return v; }
  sub(n: number): Reader { this.need(n); const r = new Reader(this.b, this.pos, this.pos + n); this.pos += n; return r; }
  get left(): number { return this.end - this.pos; }
}

function list16(r: Reader): number[] {
  const len = r.u16();
  const s = r.sub(len);
  const out: number[] = [];
  while (s.left >= 2) out.push(s.u16());
  return out;
}

/** Parses a ClientHello from a TLS record (0x16 …) or a handshake message (0x01 …). */
export function parseClientHello(data: Buffer): ClientHello {
  let r = new Reader(data);
  if (data[0] === 0x16) {
    r.u8();
    r.u16();
    const len = r.u16();
    r = r.sub(Math.min(len, r.left));
  }
  if (r.u8() !== 0x01) throw new BotError("AEGIS_ERR_BOT_CLIENT_HELLO", "not a ClientHello");
  const hsLen = r.u24();
  r = r.sub(Math.min(hsLen, r.left));
  const version = r.u16();
  r.bytes(32);
  r.bytes(r.u8());
  const ciphers = list16(r);
  r.bytes(r.u8());
  const extensions: number[] = [];
  let supportedGroups: number[] = [];
  let ecPointFormats: number[] = [];
  let signatureAlgorithms: number[] = [];
  let supportedVersions: number[] = [];
  let alpn: string[] = [];
  let sni: string | undefined;
  if (r.left >= 2) {
    const ext = r.sub(r.u16());
    while (ext.left >= 4) {
      const type = ext.u16();
      const body = ext.sub(ext.u16());
      extensions.push(type);
      switch (type) {
        case 0x0000: {
          if (body.left < 2) break;
          const l = body.sub(body.u16());
          while (l.left >= 3) {
            const nameType = l.u8();
            const name = l.bytes(l.u16());
            if (nameType === 0) sni = name.toString("ascii");
          }
          break;
        }
        case 0x000a: supportedGroups = list16(body); break;
        case 0x000b: { const n = body.u8(); for (let i = 0; i < n; i++) ecPointFormats.push(body.u8()); break; }
        case 0x000d: signatureAlgorithms = list16(body); break;
        case 0x0010: {
          const l = body.sub(body.u16());
          while (l.left >= 1) alpn.push(l.bytes(l.u8()).toString("latin1"));
          break;
        }
        case 0x002b: { const n = body.u8(); const l = body.sub(n); while (l.left >= 2) supportedVersions.push(l.u16()); break; }
        default: break;
      }
    }
  }
  return { version, ciphers, extensions, supportedGroups, ecPointFormats, signatureAlgorithms, supportedVersions, alpn, sni };
}

/** JA3: "version,ciphers,extensions,groups,pointFormats" (decimal, '-' separated, GREASE removed) and its MD5. */
export function ja3(h: ClientHello): { text: string; hash: string } {
  const clean = (l: readonly number[]): string => l.filter((v) => !isGrease(v)).join("-");
  const text = [String(h.version), clean(h.ciphers), clean(h.extensions), clean(h.supportedGroups), h.ecPointFormats.join("-")].join(",");
  return { text, hash: createHash("md5").update(text).digest("hex") };
}

const hex4 = (v: number): string => v.toString(16).padStart(4, "0");
const sha12 = (s: string): string => (s === "" ? "000000000000" : createHash("sha256").update(s).digest("hex").slice(0, 12));

const TLS_VERSIONS: Record<number, string> = { 0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3", 0xfeff: "d1", 0xfefd: "d2", 0xfefc: "d3" };

/** JA4 (FoxIO spec): e.g. t13d1516h2_8daaf6152771_e5627efa2ab1. `transport` is "t" (TCP) or "q" (QUIC). */
export function ja4(h: ClientHello, transport: "t" | "q" = "t"): string {
  const versions = h.supportedVersions.filter((v) => !isGrease(v));
  const best = versions.length ? Math.max(...versions) : h.version;
  const ver = TLS_VERSIONS[best] ?? "00";
  const sni = h.sni !== undefined ? "d" : "i";
  const ciphers = h.ciphers.filter((v) => !isGrease(v));
  const exts = h.extensions.filter((v) => !isGrease(v));
  const count = (n: number): string => String(Math.min(n, 99)).padStart(2, "0");
  const firstAlpn = h.alpn[0] ?? "";
  let alpn = "00";
  if (firstAlpn.length > 0) {
    const a = firstAlpn[0]!;
    const z = firstAlpn[firstAlpn.length - 1]!;
    const alnum = (c: string): boolean => /[0-9A-Za-z]/.test(c);
    alpn = alnum(a) && alnum(z) ? a + z : Buffer.from(firstAlpn, "latin1").toString("hex").replace(/^(.).*(.)$/, "$1$2");
  }
  const a = `${transport}${ver}${sni}${count(ciphers.length)}${count(exts.length)}${alpn}`;
  const b = sha12(ciphers.map(hex4).sort().join(","));
  const extSorted = exts.filter((v) => v !== 0x0000 && v !== 0x0010).map(hex4).sort().join(",");
  const sigs = h.signatureAlgorithms.filter((v) => !isGrease(v)).map(hex4).join(",");
  const c = sha12(sigs ? `${extSorted}_${sigs}` : extSorted);
  return `${a}_${b}_${c}`;
}
