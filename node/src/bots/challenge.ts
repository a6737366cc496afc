/**
 * Proof-of-work challenge and clearance cookie.
 *
 * A challenge is `v1.<zone>.<issuedSecs>.<nonce>.<difficulty>.<mac>`, signed so the node
 * needs no state. The client finds `solution` such that SHA-256(challenge + ":" + solution)
 * starts with `difficulty` zero bits and calls the verify path; the node answers with a
 * clearance cookie `v1.<zone>.<expiresSecs>.<uaHash>.<mac>` (HMAC-SHA256 with the configured
 * key), bound to the zone and the user agent, valid until it expires.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const CLEARANCE_COOKIE = "aegis_clearance";
export const VERIFY_PATH = "/.aegis/challenge/verify";

export interface ChallengeConfig {
  readonly key: Buffer;
  /** Leading zero bits required. 16 ≈ 65k hashes on average. */
  readonly difficulty: number;
  readonly challengeTtlSecs: number;
  readonly clearanceTtlSecs: number;
}

const b64 = (b: Buffer): string => b.toString("base64url");
const nowSecs = (): number => Math.floor(Date.now() / 1000);

function mac(key: Buffer, text: string): string {
  return b64(createHmac("sha256", key).update(text).digest());
}

function macOk(key: Buffer, text: string, given: string): boolean {
  const want = Buffer.from(mac(key, text));
  const got = Buffer.from(given);
  return want.length === got.length && timingSafeEqual(want, got);
}

export function uaHash(ua: string): string {
  return b64(createHash("sha256").update(ua).digest().subarray(0, 9));
}

export function issueChallenge(cfg: ChallengeConfig, zone: string, now = nowSecs()): string {
  const body = `v1.${zone}.${now}.${b64(randomBytes(12))}.${cfg.difficulty}`;
  return `${body}.${mac(cfg.key, body)}`;
}

export function leadingZeroBits(h: Buffer): number {
  let n = 0;
  for (const byte of h) {
    if (byte === 0) { n += 8; continue; }
    return n + Math.clz32(byte) - 24;
  }
  return n;
}

export function powHash(challenge: string, solution: string): Buffer {
  return createHash("sha256").update(`${challenge}:${solution}`).digest();
}

/** Brute-forces a solution (what the interstitial's script does; used by tests and tools). */
export function solveChallenge(challenge: string, maxTries = 50_000_000): string {
  const difficulty = Number(challenge.split(".")[challenge.split(".").length - 2]);
  for (let i = 0; i < maxTries; i++) {
    if (leadingZeroBits(powHash(challenge, String(i))) >= difficulty) return String(i);
  }
  throw new Error("no solution found");
}

export type ChallengeCheck = "ok" | "bad-signature" | "expired" | "wrong-zone" | "insufficient-work" | "malformed";

export function verifySolution(cfg: ChallengeConfig, zone: string, challenge: string, solution: string, now = nowSecs()): ChallengeCheck {
  const parts = challenge.split(".");
  if (parts.length < 6 || parts[0] !== "v1" || solution.length === 0 || solution.length > 32) return "malformed";
  const given = parts.pop()!;
  const body = parts.join(".");
  if (!macOk(cfg.key, body, given)) return "bad-signature";
  const difficulty = Number(parts[parts.length - 1]);
  const issued = Number(parts[parts.length - 3]);
  const z = parts.slice(1, parts.length - 3).join(".");
  if (z !== zone) return "wrong-zone";
  if (!(issued <= now && now - issued <= cfg.challengeTtlSecs)) return "expired";
  if (leadingZeroBits(powHash(challenge, solution)) < Math.max(difficulty, cfg.difficulty)) return "insufficient-work";
  return "ok";
}

export function issueClearance(cfg: ChallengeConfig, zone: string, ua: string, now = nowSecs()): string {
  const body = `v1.${zone}.${now + cfg.clearanceTtlSecs}.${uaHash(ua)}`;
  return `${body}.${mac(cfg.key, body)}`;
}

export type ClearanceCheck = "valid" | "missing" | "forged" | "expired" | "wrong-zone" | "wrong-client";

export function checkClearance(cfg: ChallengeConfig, zone: string, ua: string, cookie: string | undefined, now = nowSecs()): ClearanceCheck {
  if (!cookie) return "missing";
  const parts = cookie.split(".");
  if (parts.length < 5 || parts[0] !== "v1") return "forged";
  const given = parts.pop()!;
  const body = parts.join(".");
  if (!macOk(cfg.key, body, given)) return "forged";
  const hash = parts[parts.length - 1];
  const expires = Number(parts[parts.length - 2]);
  const z = parts.slice(1, parts.length - 2).join(".");
  if (z !== zone) return "wrong-zone";
  if (!(expires > now)) return "expired";
  if (hash !== uaHash(ua)) return "wrong-client";
  return "valid";
}

export function cookieValue(cookieHeader: string | string[] | undefined, name: string): string | undefined {
  const all = Array.isArray(cookieHeader) ? cookieHeader.join("; ") : (cookieHeader ?? "");
  for (const part of all.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The interstitial: solves the PoW with WebCrypto and calls the verify path, then returns. */
export function interstitialHtml(challenge: string, returnTo: string, requestId: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<title>Checking your browser</title></head>
<body>
<p>Checking your browser before continuing. This takes a moment.</p>
<p><small>Request id: ${esc(requestId)}</small></p>
<div id="aegis-challenge" data-challenge="${esc(challenge)}" data-return="${esc(returnTo)}" data-verify="${VERIFY_PATH}"></div>
<script>
(async () => {
  const el = document.getElementById("aegis-challenge");
  const c = el.dataset.challenge, parts = c.split("."), bits = Number(parts[parts.length - 2]);
  const enc = new TextEncoder();
  const zeros = (b) => { let n = 0; for (const x of b) { if (x === 0) { n += 8; continue; } return n + Math.clz32(x) - 24; } return n; };
  for (let i = 0; ; i++) {
    const h = new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(c + ":" + i)));
    if (zeros(h) >= bits) {
      location.href = el.dataset.verify + "?c=" + encodeURIComponent(c) + "&s=" + i + "&r=" + encodeURIComponent(el.dataset.return);
      return;
    }
  }
})();
</script>
<noscript>JavaScript is required to pass this check.</noscript>
</body></html>
`;
}
