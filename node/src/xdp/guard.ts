/**
 * Connection guard for the proxy in user-space mode: every accepted TCP connection spends one
 * SYN token of its source; refused connections are closed before HTTP parsing starts.
 */
import type { Server, Socket } from "node:net";
import type { DdosFilter } from "./types.js";

export function guardServer(filter: DdosFilter, server: Server): () => void {
  const onConnection = (socket: Socket) => {
    if (!filter.admit(socket.remoteAddress ?? "", "connection")) socket.destroy();
  };
  server.prependListener("connection", onConnection);
  return () => server.off("connection", onConnection);
}
