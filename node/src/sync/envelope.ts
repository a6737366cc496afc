/**
 * Signed envelopes for threat events and zone notices. The signature covers a domain tag and
 * every header field plus the body in canonical JSON (sorted keys), so a relay cannot alter
 * any part of the event without invalidating it.
 */
import { createPublicKey, randomBytes, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { isIP } from "node:net";
import bs58 from "bs58";
import { z } from "zod";
import { LRUCache } from "lru-cache";
import type { NodeIdentity } from "../identity.js";
import type { EnvelopeKind, SignedEnvelope, ThreatBody, ZoneNoticeBody } from "./types.js";

const DOMAIN_TAG = "aegis-sync-envelope-v1\n";
const encoder = new TextEncoder();

/** JSON with object keys sorted at every level; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}

export function signingBytes(env: Omit<SignedEnvelope, "sig">): Uint8Array {
  return encoder.encode(DOMAIN_TAG + canonicalJson([env.v, env.kind, env.node, env.seq, env.nonce, env.ts, env.body]));
}

export function signEnvelope<B>(identity: NodeIdentity, kind: EnvelopeKind, seq: number, body: B, ts = Date.now()): SignedEnvelope<B> {
  const unsigned = { v: 1 as const, kind, node: identity.address, seq, nonce: randomBytes(16).toString("hex"), ts, body };
  const sig = Buffer.from(identity.sign(signingBytes(unsigned))).toString("base64");
  return { ...unsigned, sig };
}

// Ed25519 SPKI DER header; the 32-byte public key follows.
const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");
const keyCache = new LRUCache<string, KeyObject>({ max: 10_000 });

/** Node's KeyObject for a base58 address (cached), or undefined when it is not a 32-byte key. */
function publicKeyOf(address: string): KeyObject | undefined {
  let key = keyCache.get(address);
  if (key) return key;
  try {
    const raw = bs58.decode(address);
    if (raw.length !== 32) return undefined;
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: "der", type: "spki" });
  } catch {
    return undefined;
  }
  keyCache.set(address, key);
  return key;
}

/**
 * True when `env.sig` is a valid signature of `env.node` over the envelope. Verification uses
 * node:crypto (OpenSSL), about 10× faster than the pure-JS verifier on the event path.
 */
export function verifyEnvelope(env: SignedEnvelope): boolean {
  const key = publicKeyOf(env.node);
  if (!key) return false;
  const sig = Buffer.from(env.sig, "base64");
  if (sig.length !== 64) return false;
  try {
    return cryptoVerify(null, signingBytes(env), key, sig);
  } catch {
    return false;
  }
}

const domainRe = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
export const zoneName = z.string().regex(domainRe);

export const threatBodySchema = z
  .object({
    action: z.enum(["block", "unblock"]),
    ip: z.string().refine((s) => isIP(s) !== 0, "not an IP address"),
    ttlSecs: z.number().int().min(1).max(7 * 86_400),
    reason: z.string().min(1).max(128),
    zone: zoneName.optional(),
  })
  .strict();

export const noticeBodySchema = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("purge"),
      zone: zoneName,
      all: z.boolean().optional(),
      paths: z.array(z.string().min(1).max(2048)).max(1000).optional(),
      tags: z.array(z.string().min(1).max(256)).max(1000).optional(),
    })
    .strict(),
  z.object({ type: z.literal("policy"), zone: zoneName, policyVersion: z.number().int().nonnegative() }).strict(),
]);

const envelopeSchema = z
  .object({
    v: z.literal(1),
    kind: z.enum(["threat", "notice"]),
    node: z.string().min(32).max(44),
    seq: z.number().int().nonnegative(),
    nonce: z.string().regex(/^[0-9a-f]{32}$/),
    ts: z.number().int().positive(),
    body: z.unknown(),
    sig: z.string().min(80).max(100),
  })
  .strict();

export type DecodedEnvelope =
  | { ok: true; env: SignedEnvelope<ThreatBody> & { kind: "threat" } }
  | { ok: true; env: SignedEnvelope<ZoneNoticeBody> & { kind: "notice" } }
  | { ok: false; error: string };

/** Parses and shape-checks an envelope (no signature or trust check here). */
export function decodeEnvelope(payload: Uint8Array): DecodedEnvelope {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload).toString("utf8"));
  } catch {
    return { ok: false, error: "not JSON" };
  }
  const head = envelopeSchema.safeParse(raw);
  if (!head.success) return { ok: false, error: head.error.issues[0]?.message ?? "bad envelope" };
  const h = head.data;
  if (h.kind === "threat") {
    const body = threatBodySchema.safeParse(h.body);
    if (!body.success) return { ok: false, error: `threat body: ${body.error.issues[0]?.message}` };
    return { ok: true, env: { ...h, kind: "threat", body: body.data } };
  }
  const body = noticeBodySchema.safeParse(h.body);
  if (!body.success) return { ok: false, error: `notice body: ${body.error.issues[0]?.message}` };
  return { ok: true, env: { ...h, kind: "notice", body: body.data } };
}

export function encodeEnvelope(env: SignedEnvelope): Uint8Array {
  return encoder.encode(JSON.stringify(env));
}
