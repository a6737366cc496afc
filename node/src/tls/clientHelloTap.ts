/**
 * Reads the first TLS record (the ClientHello) of each HTTPS connection before the TLS server
 * sees it, computes the JA3 / JA4 fingerprints (node/src/bots/clientHello.ts) and gives the
 * bytes back to the stream untouched. Fingerprints are kept per connection (by the peer's
 * "address:port", which the TLS socket shares with the raw one) until the connection closes.
 */
import type { Socket } from "node:net";
import { ja3, ja4, parseClientHello } from "../bots/clientHello.js";

export interface TlsFingerprint {
  readonly ja3: string;
  readonly ja4: string;
}

/** A TLS record: 5-byte header + up to 2^14 bytes (plus a little slack some stacks use). */
const MAX_RECORD = 5 + 16_384 + 2_048;

export class ClientHelloTap {
  private readonly byPeer = new Map<string, TlsFingerprint>();
  private readonly byHeaders = new WeakMap<object, TlsFingerprint>();

  constructor(private readonly timeoutMs: number) {}

  /**
   * Reads the ClientHello off `socket`, then calls `next(socket)` with the bytes put back.
   * Non-TLS or malformed first bytes are handed on as they are (the TLS server refuses them).
   */
  accept(socket: Socket, next: (socket: Socket) => void): void {
    let buf: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), this.timeoutMs);
    const handOver = () => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("error", onError);
      socket.pause();
      if (buf.length) socket.unshift(buf);
      // Not resumed: the TLS socket reads what was put back (its initRead) and then owns the stream.
      next(socket);
    };
    const onError = () => {
      clearTimeout(timer);
      socket.destroy();
    };
    const onData = (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (buf[0] !== 0x16) return handOver();
      if (buf.length < 5) return;
      const need = 5 + buf.readUInt16BE(3);
      if (need > MAX_RECORD) return handOver();
      if (buf.length < need) return;
      this.record(socket, buf.subarray(0, need));
      handOver();
    };
    socket.on("data", onData);
    socket.on("error", onError);
  }

  private record(socket: Socket, hello: Buffer): void {
    let fp: TlsFingerprint;
    try {
      const h = parseClientHello(hello);
      fp = { ja3: ja3(h).hash, ja4: ja4(h) };
    } catch {
      return; // not a ClientHello we can read: the TLS signals are simply absent
    }
    const key = `${socket.remoteAddress}:${socket.remotePort}`;
    this.byPeer.set(key, fp);
    socket.once("close", () => this.byPeer.delete(key));
  }

  /**
   * Called by the HTTPS request handler: remembers the connection's fingerprint for this
   * request (keyed by its header object, which the proxy hands to phases as `EdgeRequest.headers`).
   */
  tagRequest(req: { socket: { remoteAddress?: string; remotePort?: number }; headers: object }): void {
    const fp = this.byPeer.get(`${req.socket.remoteAddress}:${req.socket.remotePort}`);
    if (fp) this.byHeaders.set(req.headers, fp);
  }

  /** The fingerprint of the connection a request's headers came from. */
  forHeaders(headers: object): TlsFingerprint | undefined {
    return this.byHeaders.get(headers);
  }

  get connections(): number {
    return this.byPeer.size;
  }
}
