/**
 * Contracts of the distributed-state layer. The transport, the peer directory and the blocklist
 * sink are small interfaces so each can be swapped (NATS / on-chain registry / XDP maps) and
 * tested on its own.
 */

/** Removes a subscription or listener. */
export type Unsubscribe = () => void;

export type MessageHandler = (subject: string, payload: Uint8Array) => void;

/**
 * Moves opaque payloads between nodes. `publish` is fire-and-forget on fast subjects; the
 * durable store (JetStream) keeps a copy of every message so a node can `replay` what it missed.
 */
export interface SyncTransport {
  readonly isConnected: boolean;
  /** Starts connecting in the background; never rejects because the server is unreachable. */
  start(): Promise<void>;
  /** Closes the connection and stops reconnecting (the node keeps working locally). */
  stop(): Promise<void>;
  /** Sends now. Returns false, sending nothing, when not connected (the caller decides what to queue). */
  publish(subject: string, payload: Uint8Array): boolean;
  /** Subscriptions survive reconnects and stop/start cycles. `subject` may use `*` / `>`. */
  subscribe(subject: string, handler: MessageHandler): Unsubscribe;
  /** Delivers stored messages on `subject` published at or after `sinceMs`; resolves with the count. */
  replay(subject: string, sinceMs: number, handler: MessageHandler): Promise<number>;
  /** Called on every connect (first or again) and disconnect. */
  onStatus(listener: (connected: boolean) => void): Unsubscribe;
}

/** What the registry says about a node identity (base58 Ed25519 address). */
export interface PeerStanding {
  readonly address: string;
  readonly active: boolean;
  /** Stake in base units of $AEGIS. */
  readonly stake: bigint;
  /** Zones the node serves; undefined = unknown (no zone restriction applied). */
  readonly zones?: readonly string[];
}

/**
 * Who may publish threat events and notices. Lookups are synchronous and answered from memory:
 * the on-chain implementation keeps a cache refreshed in the background.
 */
export interface PeerDirectory {
  lookup(address: string): PeerStanding | undefined;
  /** Minimum stake for a node to be trusted. */
  readonly minStake: bigint;
  /** Number of nodes serving `zone`, when known (used for the partition share of rate limits). */
  nodesServing?(zone: string): number | undefined;
}

/**
 * Where accepted blocks go: the XDP map manager implements it on nodes with XDP, the in-memory
 * blocklist otherwise (or both). Calls must be cheap; failures are logged, never thrown back.
 */
export interface Blocklist {
  block(ip: string, untilMs: number, reason: string): void | Promise<void>;
  unblock(ip: string): void | Promise<void>;
}

/** A rate-limit rule as the zone policy states it (policy/schema.ts `rateLimit`). */
export interface RateRule {
  readonly requests: number;
  readonly windowSecs: number;
  readonly burst: number;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** Requests counted in this window across the cluster, as this node sees it (after this one). */
  readonly count: number;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the current window ends. */
  readonly retryAfterSecs: number;
  /** True when the node is cut off and the decision used its partition share. */
  readonly isolated: boolean;
}

export type ThreatAction = "block" | "unblock";

export interface ThreatBody {
  readonly action: ThreatAction;
  readonly ip: string;
  /** Lifetime of the block, counted from the event's timestamp. */
  readonly ttlSecs: number;
  readonly reason: string;
  /** Zone where the client misbehaved (informational). */
  readonly zone?: string;
}

export type ZoneNoticeBody =
  | {
      readonly type: "purge";
      readonly zone: string;
      /** Purge everything of the zone. */
      readonly all?: boolean;
      readonly paths?: readonly string[];
      readonly tags?: readonly string[];
    }
  | { readonly type: "policy"; readonly zone: string; readonly policyVersion: number };

/** A verified notice handed to subscribers (the cache subscribes to purges, the policy store to policy changes). */
export type ZoneNotice = ZoneNoticeBody & {
  /** Publishing node address. */
  readonly from: string;
  readonly ts: number;
  /** True when this node published it itself. */
  readonly local: boolean;
};

export type EnvelopeKind = "threat" | "notice";

/** Signed message as it travels: body is covered by the signature together with the header fields. */
export interface SignedEnvelope<B = unknown> {
  readonly v: 1;
  readonly kind: EnvelopeKind;
  /** Publisher's base58 Ed25519 address. */
  readonly node: string;
  /** Publisher's per-process sequence number (monotonic). */
  readonly seq: number;
  /** 16 random bytes, hex: with `node`, the replay key. */
  readonly nonce: string;
  readonly ts: number;
  readonly body: B;
  /** Base64 Ed25519 signature over signingBytes(). */
  readonly sig: string;
}

export type RejectReason =
  | "malformed"
  | "stale"
  | "future"
  | "unknown_peer"
  | "inactive_peer"
  | "insufficient_stake"
  | "not_serving_zone"
  | "bad_signature"
  | "replay"
  | "expired";
