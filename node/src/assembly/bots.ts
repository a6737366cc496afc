/**
 * The bot manager in the node: its HMAC key from a file (created when missing, shared by the
 * node's workers), and the TLS fingerprints of HTTPS connections handed to it as `req.tls`.
 */
import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Registry } from "prom-client";
import { BotRequestPhase } from "../bots/phase.js";
import { ConfigError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { EdgeRequest, RequestPhase } from "../phase.js";
import type { ClientHelloTap } from "../tls/clientHelloTap.js";
import type { BotsConfig } from "./config.js";

/** Reads the key file, or creates it with 32 random bytes (atomically: concurrent workers agree). */
export function loadOrCreateBotKey(path: string): Buffer {
  const read = (): Buffer | undefined => {
    try {
      const text = readFileSync(path, "utf8").trim();
      if (!/^([0-9a-fA-F]{2}){32,}$/.test(text)) throw new ConfigError(`bot key file ${path}: expected at least 64 hex characters`);
      return Buffer.from(text, "hex");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err instanceof ConfigError ? err : new ConfigError(`cannot read bot key file ${path}: ${(err as Error).message}`);
    }
  };
  const existing = read();
  if (existing) return existing;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, randomBytes(32).toString("hex") + "\n", { mode: 0o600 });
  try {
    linkSync(tmp, path); // fails if another process created it first; then theirs wins
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw new ConfigError(`cannot create bot key file ${path}: ${(err as Error).message}`);
  } finally {
    rmSync(tmp, { force: true });
  }
  return read()!;
}

export function createBotPhase(config: BotsConfig, keyPath: string, logger: Logger, registry: Registry): BotRequestPhase {
  return new BotRequestPhase({
    key: loadOrCreateBotKey(keyPath),
    difficulty: config.difficulty,
    clearanceTtlSecs: config.clearanceTtlSecs,
    challengeTtlSecs: config.challengeTtlSecs,
    goodBots: config.goodBots,
    badFingerprints: config.badFingerprints,
    ...(config.rateThreshold !== undefined ? { rateThreshold: config.rateThreshold } : {}),
    logger: logger.child({ component: "bots" }),
    registry,
  });
}

/**
 * Gives a phase the JA3 / JA4 of the request's TLS connection in `req.tls` (the proxy fills only
 * `sni`; the fingerprints come from the HTTPS listener's ClientHello tap).
 */
export function withTlsFingerprints(phase: RequestPhase, tap: ClientHelloTap): RequestPhase {
  return {
    name: phase.name,
    onRequest(req, policy) {
      const fp = req.tls ? tap.forHeaders(req.headers) : undefined;
      if (!fp) return phase.onRequest(req, policy);
      const seen: EdgeRequest = Object.create(req, { tls: { value: { ...req.tls, ja3: fp.ja3, ja4: fp.ja4 }, enumerable: true } });
      return phase.onRequest(seen, policy);
    },
  };
}
