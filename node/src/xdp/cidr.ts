/**
 * CIDR parsing into the filter's one address space: 16 bytes, IPv4 stored IPv4-mapped
 * (::ffff:a.b.c.d, prefix + 96), as the XDP program keys its maps.
 */
import { isIPv4, isIPv6 } from "node:net";
import { XdpError } from "./errors.js";

export interface Prefix {
  /** 16 bytes, host bits cleared. */
  readonly addr: Uint8Array;
  /** 0–128 in the mapped space. */
  readonly prefixLen: number;
  /** Normalised text form, e.g. `10.0.0.0/8`, `2001:db8::/32`. */
  readonly cidr: string;
}

const V4_MAPPED = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function v4Bytes(ip: string): number[] {
  return ip.split(".").map((p) => Number(p));
}

function v6Bytes(ip: string): number[] {
  let text = ip;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  const last = text.slice(lastColon + 1);
  if (last.includes(".")) {
    tail = v4Bytes(last);
    text = text.slice(0, lastColon + 1) + "0:0";
  }
  const [head, rest] = text.includes("::") ? (text.split("::") as [string, string]) : [text, undefined];
  const groups = (s: string) => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const h = groups(head);
  const r = rest === undefined ? [] : groups(rest);
  const fill = rest === undefined ? [] : new Array<number>(8 - h.length - r.length).fill(0);
  const words = [...h, ...fill, ...r];
  const bytes = words.flatMap((w) => [(w >> 8) & 0xff, w & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** 16-byte form of one address; undefined when not an IP. */
export function addressBytes(ip: string): Uint8Array | undefined {
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  if (isIPv4(bare)) return Uint8Array.from([...V4_MAPPED, ...v4Bytes(bare)]);
  const noZone = bare.split("%")[0] ?? "";
  if (isIPv6(noZone)) return Uint8Array.from(v6Bytes(noZone));
  return undefined;
}

/** 32 lowercase hex digits of a 16-byte address (the user-space filter's key form). */
export function addressHex(addr: Uint8Array): string {
  return Buffer.from(addr.buffer, addr.byteOffset, addr.byteLength).toString("hex");
}

export function isV4Mapped(addr: Uint8Array): boolean {
  return V4_MAPPED.every((b, i) => addr[i] === b);
}

export function formatPrefix(addr: Uint8Array, prefixLen: number): string {
  if (prefixLen >= 96 && isV4Mapped(addr)) return `${Array.from(addr.slice(12)).join(".")}/${prefixLen - 96}`;
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push((((addr[i] ?? 0) << 8) | (addr[i + 1] ?? 0)).toString(16));
  // Collapse the longest run of zero words (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === "0") j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const text =
    best < 0
      ? words.join(":")
      : `${words.slice(0, best).join(":")}::${words.slice(best + bestLen).join(":")}`;
  return `${text}/${prefixLen}`;
}

export function maskBytes(addr: Uint8Array, prefixLen: number): Uint8Array {
  const out = Uint8Array.from(addr);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, prefixLen - i * 8));
    out[i] = (out[i] ?? 0) & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

/** Parses `a.b.c.d[/n]` or `v6[/n]`; a bare address is a host route. Throws AEGIS_ERR_XDP_BAD_CIDR. */
export function parseCidr(input: string): Prefix {
  const text = String(input).trim();
  const slash = text.indexOf("/");
  const ip = slash < 0 ? text : text.slice(0, slash);
  const lenText = slash < 0 ? undefined : text.slice(slash + 1);
  const v4 = isIPv4(ip);
  if (!v4 && !isIPv6(ip)) throw new XdpError("AEGIS_ERR_XDP_BAD_CIDR", `not an IP prefix: ${JSON.stringify(input)}`);
  const max = v4 ? 32 : 128;
  if (lenText !== undefined && !/^\d{1,3}$/.test(lenText)) {
    throw new XdpError("AEGIS_ERR_XDP_BAD_CIDR", `bad prefix length in ${JSON.stringify(input)}`);
  }
  const len = lenText === undefined ? max : Number(lenText);
  if (len > max) throw new XdpError("AEGIS_ERR_XDP_BAD_CIDR", `prefix length ${len} > ${max} in ${input}`);
  const prefixLen = v4 ? len + 96 : len;
  const addr = maskBytes(addressBytes(ip)!, prefixLen);
  return { addr, prefixLen, cidr: formatPrefix(addr, prefixLen) };
}
