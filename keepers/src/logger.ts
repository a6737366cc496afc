import pino, { type Logger } from "pino";

export type { Logger };

/** JSON lines on stderr (stdout is reserved for --dry-run output). */
export function createLogger(level: string, name: string): Logger {
  return pino({ level, base: { svc: "aegis-keeper", keeper: name } }, pino.destination(2));
}
