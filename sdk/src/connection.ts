/** Lifecycle helpers for @solana/web3.js connections. */
import type { Connection } from "@solana/web3.js";

/**
 * Closes a connection's PubSub websocket for good. web3.js has no public close: its
 * rpc-websockets client reconnects forever (logging "ws error") once the RPC node is gone, so a
 * service that shuts down turns reconnection off and closes the socket.
 */
export function closeWebSocket(connection: Connection): void {
  const ws = (connection as unknown as { _rpcWebSocket?: { close(): void; setAutoReconnect?(on: boolean): void } })._rpcWebSocket;
  ws?.setAutoReconnect?.(false);
  ws?.close();
}
