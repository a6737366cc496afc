/** Types of the bot manager. */
export type UaClass = "browser" | "crawler" | "tool" | "scanner" | "empty" | "other";

export interface UaInfo {
  readonly cls: UaClass;
  /** Product that the UA names (chrome, firefox, googlebot, curl, …), lower case. */
  readonly product: string;
}

export interface GoodBotRange {
  /** Name, e.g. "googlebot". */
  readonly name: string;
  /** The UA must contain this (case-insensitive) to claim the bot. */
  readonly uaContains: string;
  /** IPv4/IPv6 CIDRs (or single addresses) the bot is verified from. */
  readonly cidrs: readonly string[];
}

export interface BotSignal {
  readonly name: string;
  /** Points added to the score (may be negative). */
  readonly points: number;
  readonly detail?: string;
}

export type BotAction = "allow" | "challenge" | "block";

export interface BotAssessment {
  readonly score: number;
  readonly signals: readonly BotSignal[];
  readonly ua: UaInfo;
  /** Name of the verified good bot, when the client is one. */
  readonly verifiedBot?: string;
}

export interface ClientHello {
  /** legacy_version of the ClientHello (e.g. 0x0303). */
  readonly version: number;
  readonly ciphers: readonly number[];
  /** Extension types in the order sent. */
  readonly extensions: readonly number[];
  readonly supportedGroups: readonly number[];
  readonly ecPointFormats: readonly number[];
  readonly signatureAlgorithms: readonly number[];
  readonly supportedVersions: readonly number[];
  readonly alpn: readonly string[];
  readonly sni?: string;
}

export type BotErrorCode = "AEGIS_ERR_BOT_CLIENT_HELLO" | "AEGIS_ERR_BOT_CONFIG";

export class BotError extends Error {
  constructor(readonly code: BotErrorCode, message: string) {
    super(message);
    this.name = "BotError";
  }
}
