/** Types of the operator dashboard (node/src/dashboard). */

/** Traffic and protection counters since the node started, read from its Prometheus registry. */
export interface TrafficCounters {
  requests: number;
  /** Responses by status class: 1xx … 5xx. */
  status: Record<"1xx" | "2xx" | "3xx" | "4xx" | "5xx", number>;
  cacheHits: number;
  cacheMisses: number;
  /** hits / (hits + misses + stale), null before the first lookup. */
  cacheHitRatio: number | null;
  wafBlocked: number;
  wafDetected: number;
  ddosDropped: number;
  ddosPassed: number;
  botChallenged: number;
  botBlocked: number;
  rateLimited: number;
  inflight: number;
}

/** One point of the charts. */
export interface Sample {
  /** Unix ms. */
  t: number;
  requests: number;
  cacheHits: number;
  cacheMisses: number;
  wafBlocked: number;
  ddosDropped: number;
}

/** The node as the chain sees it. Fields are null when the chain is not configured or unreachable. */
export interface ChainStatus {
  rpcUrl: string | null;
  /** NodeV0 address (derived from the identity). */
  node: string;
  registered: boolean;
  status: string | null;
  reputation: number | null;
  operator: string | null;
  region: string | null;
  autoClaim: boolean | null;
  stake: { bonded: string; pendingUnstake: string; pendingSlashes: number } | null;
  epoch: { current: number; endsAt: number; lengthSecs: number } | null;
  rewards: { claimed: string; claimedEpochs: number; pending: string | null; pendingEpochs: number | null } | null;
  /** Last chain read (unix ms), and why it failed if it did. */
  readAt: number | null;
  error: string | null;
}

export interface DashboardSnapshot {
  identity: string;
  nodeName: string;
  startedAt: number;
  now: number;
  zones: Array<{ domain: string; policyVersion: number }>;
  traffic: TrafficCounters;
  chain: ChainStatus;
  history: Sample[];
  reports: { count: number; lastSequence: string | null; lastEnd: number | null };
}
