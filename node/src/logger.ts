import pino, { type Logger } from "pino";

export type { Logger };

/** The node's structured logger (JSON lines on stdout unless a destination is given). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return destination ? pino({ level, base: { svc: "aegis-node" } }, destination) : pino({ level, base: { svc: "aegis-node" } });
}
