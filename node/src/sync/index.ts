/**
 * Distributed state of the edge node (public entry): CRDT rate limiting, signed threat
 * intelligence and zone notices over NATS / JetStream. See docs/sync.md.
 */
export { GCounter, type GCounterState } from "./crdt/gcounter.js";
export { PNCounter, type PNCounterState } from "./crdt/pncounter.js";
export { LwwElementSet, compareTags, type LwwSetState, type LwwTag } from "./crdt/lww-set.js";
export { DistributedRateLimiter, type CounterView, type RateLimiterOptions } from "./rate-limiter.js";
export { ConfigPeerDirectory, checkTrust, peerDirectoryFileSchema, type PeerDirectoryFile } from "./peer-directory.js";
export { MemoryBlocklist } from "./memory-blocklist.js";
export { RateLimitPhase, ThreatBlockPhase } from "./phases.js";
export { NatsTransport, type NatsTransportOptions } from "./nats-transport.js";
export { SyncNode, createNatsSyncNode, preciseNow, type NatsSyncNodeOptions, type SyncNodeOptions } from "./sync-node.js";
export { ThreatIntel, type ThreatReport } from "./threat-intel.js";
export { ZoneNotices, type NoticeHandler } from "./notices.js";
export { Subjects } from "./subjects.js";
export { signEnvelope, verifyEnvelope, decodeEnvelope, encodeEnvelope, canonicalJson } from "./envelope.js";
export { SyncMetrics } from "./metrics.js";
export { SyncError, PeerDirectoryError, SyncDecodeError, SyncArgumentError } from "./errors.js";
export type * from "./types.js";
