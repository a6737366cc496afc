/** IPv4/IPv6 address and CIDR matching without allocation per check (used by @ipMatch). */
import { isIPv4, isIPv6 } from "node:net";

function v4(s: string): number | undefined {
  const p = s.split(".");
  if (p.length !== 4) return undefined;
  let n = 0;
  for (const x of p) {
    const v = Number(x);
    if (!/^\d{1,3}$/.test(x) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

function v6(s: string): bigint | undefined {
  if (!isIPv6(s)) return undefined;
  let str = s;
  const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(str);
  if (m) {
    const n = v4(m[2]!);
    if (n === undefined) return undefined;
    str = `${m[1]}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = str.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  if (groups.length !== 8) return undefined;
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(parseInt(g || "0", 16));
  return n;
}

export class IpMatcher {
  private readonly v4: Array<[number, number]> = [];
  private readonly v6: Array<[bigint, bigint]> = [];

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const [addr = "", bitsText] = raw.trim().split("/");
      if (!addr) continue;
      if (isIPv4(addr)) {
        const bits = bitsText === undefined ? 32 : Number(bitsText);
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        this.v4.push([(v4(addr)! & mask) >>> 0, mask]);
      } else if (isIPv6(addr)) {
        const bits = BigInt(bitsText === undefined ? 128 : Number(bitsText));
        const mask = bits === 0n ? 0n : ((1n << 128n) - 1n) ^ ((1n << (128n - bits)) - 1n);
        this.v6.push([v6(addr)! & mask, mask]);
      }
    }
  }

  match(ip: string): boolean {
    const a = v4(ip);
    if (a !== undefined) {
      for (const [net, mask] of this.v4) if (((a & mask) >>> 0) === net) return true;
      return false;
    }
    const b = v6(ip);
    if (b === undefined) return false;
    for (const [net, mask] of this.v6) if ((b & mask) === net) return true;
    return false;
  }
}
