/**
 * The client address. Forwarding headers (Forwarded, X-Forwarded-For) and PROXY protocol headers
 * are believed only when the TCP peer is in the trusted-proxy list; the address is then the
 * right-most hop that is not itself a trusted proxy.
 */
import { BlockList, isIP } from "node:net";

export class TrustedProxies {
  private readonly list = new BlockList();
  readonly empty: boolean;

  constructor(entries: readonly string[]) {
    for (const e of entries) {
      const [addr, bits] = e.split("/");
      const family = isIP(addr ?? "") === 6 ? "ipv6" : "ipv4";
      if (!addr || isIP(addr) === 0) throw new Error(`trustedProxies: "${e}" is not an address or CIDR`);
      if (bits === undefined) this.list.addAddress(addr, family);
      else this.list.addSubnet(addr, Number(bits), family);
    }
    this.empty = entries.length === 0;
  }

  trusts(ip: string): boolean {
    if (this.empty) return false;
    const plain = unmapV4(ip);
    const v = isIP(plain);
    return v !== 0 && this.list.check(plain, v === 6 ? "ipv6" : "ipv4");
  }

  /** Resolves the client address from the peer and the forwarding headers. */
  clientIp(peer: string, forwarded: string | undefined, xff: string | undefined): string {
    const p = unmapV4(peer);
    if (!this.trusts(p)) return p;
    const hops = forwarded !== undefined ? parseForwardedFor(forwarded) : xff !== undefined ? xff.split(",").map((s) => s.trim()) : [];
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = unmapV4(hops[i]!);
      if (isIP(hop) === 0) return p; // garbage in the chain: stop believing it
      if (!this.trusts(hop)) return hop;
    }
    return hops.length > 0 ? unmapV4(hops[0]!) : p;
  }
}

export function unmapV4(ip: string): string {
  return ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
}

/** `for=` values of a Forwarded header (RFC 7239), in order, without ports or brackets. */
export function parseForwardedFor(value: string): string[] {
  const out: string[] = [];
  for (const element of value.split(",")) {
    for (const pair of element.split(";")) {
      const eq = pair.indexOf("=");
      if (eq < 0 || pair.slice(0, eq).trim().toLowerCase() !== "for") continue;
      let v = pair.slice(eq + 1).trim().replace(/^"|"$/g, "");
      if (v.startsWith("[")) v = v.slice(1, v.indexOf("]"));
      else if (v.split(":").length === 2) v = v.slice(0, v.indexOf(":"));
      out.push(v);
    }
  }
  return out;
}
