/**
 * PROXY protocol v1 (text) and v2 (binary) headers, as sent by L4 load balancers (HAProxy spec).
 * `acceptProxyProtocol` reads the header off a fresh connection and hands the rest of the stream
 * to the HTTP or TLS server.
 */
import type { Server as NetServer, Socket } from "node:net";
import { isIP } from "node:net";

const V2_SIG = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

export class ProxyProtocolError extends Error {
  readonly code = "AEGIS_ERR_PROXY_PROTOCOL";
  constructor(message: string) {
    super(message);
    this.name = "ProxyProtocolError";
  }
}

export type ProxyHeader = { consumed: number; source: string | undefined };

/** Parses a header at the start of `buf`: undefined = need more bytes. Throws on malformed input. */
export function parseProxyHeader(buf: Buffer): ProxyHeader | undefined {
  if (buf.length >= 1 && buf[0] === 0x0d) {
    if (buf.length < 16) return V2_SIG.subarray(0, buf.length).equals(buf) ? undefined : fail("bad v2 signature");
    if (!buf.subarray(0, 12).equals(V2_SIG)) fail("bad v2 signature");
    const verCmd = buf[12]!;
    if (verCmd >> 4 !== 2) fail("unsupported v2 version");
    const fam = buf[13]!;
    const len = buf.readUInt16BE(14);
    if (buf.length < 16 + len) return undefined;
    const consumed = 16 + len;
    if ((verCmd & 0x0f) === 0) return { consumed, source: undefined }; // LOCAL: health check from the balancer
    if ((verCmd & 0x0f) !== 1) fail("unknown v2 command");
    if (fam >> 4 === 1 && len >= 12) {
      return { consumed, source: `${buf[16]}.${buf[17]}.${buf[18]}.${buf[19]}` };
    }
    if (fam >> 4 === 2 && len >= 36) {
      const parts: string[] = [];
      for (let i = 0; i < 8; i++) parts.push(buf.readUInt16BE(16 + i * 2).toString(16));
      return { consumed, source: parts.join(":") };
    }
    return { consumed, source: undefined };
  }
  if (buf.length < 6) return Buffer.from("PROXY ").subarray(0, buf.length).equals(buf) ? undefined : fail("no PROXY header");
  if (buf.subarray(0, 6).toString("latin1") !== "PROXY ") fail("no PROXY header");
  const end = buf.indexOf("\r\n");
  if (end < 0) {
    if (buf.length > 107) fail("v1 header too long");
    return undefined;
  }
  if (end > 105) fail("v1 header too long");
  const parts = buf.subarray(6, end).toString("latin1").split(" ");
  const consumed = end + 2;
  if (parts[0] === "UNKNOWN") return { consumed, source: undefined };
  if ((parts[0] !== "TCP4" && parts[0] !== "TCP6") || parts.length !== 5) fail("malformed v1 header");
  const src = parts[1]!;
  if (isIP(src) !== (parts[0] === "TCP4" ? 4 : 6)) fail("bad v1 source address");
  if (!/^\d{1,5}$/.test(parts[3]!) || !/^\d{1,5}$/.test(parts[4]!)) fail("bad v1 port");
  return { consumed, source: src };
}

function fail(message: string): never {
  throw new ProxyProtocolError(message);
}

/**
 * Reads the PROXY header from each connection of `front`, records the announced source for
 * `peers` (key "address:port" of the balancer's connection) and passes the socket to `target`.
 */
export function acceptProxyProtocol(front: NetServer, target: { emit(event: "connection", socket: Socket): boolean }, peers: Map<string, string>, timeoutMs: number, onError: (err: Error) => void): void {
  front.on("connection", (socket: Socket) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      let header: ProxyHeader | undefined;
      try {
        header = parseProxyHeader(buf);
      } catch (err) {
        clearTimeout(timer);
        onError(err as Error);
        socket.destroy();
        return;
      }
      if (!header) return;
      clearTimeout(timer);
      socket.off("data", onData);
      socket.pause();
      const key = `${socket.remoteAddress}:${socket.remotePort}`;
      if (header.source) {
        peers.set(key, header.source);
        socket.once("close", () => peers.delete(key));
      }
      const rest = buf.subarray(header.consumed);
      if (rest.length) socket.unshift(rest);
      target.emit("connection", socket);
      socket.resume();
    };
    socket.on("data", onData);
    socket.on("error", () => socket.destroy());
  });
}
