/**
 * The prober role: each epoch, `perEpoch` canary requests through every assigned Active node with
 * a known endpoint. Outcome and TTFB go into a signed probe result (stored, and shared with the
 * other oracles over JetStream when configured); wrong bytes are fraud evidence at once.
 */
import { request } from "undici";
import type { Keypair } from "@solana/web3.js";
import { canaryBytes, randomCanaryPath, sha256Hex, CANARY_PREFIX } from "./canary.js";
import type { Chain } from "./chain.js";
import type { KeeperConfig } from "./config.js";
import type { Logger } from "./logger.js";
import type { KeeperMetrics } from "./metrics.js";
import { signProbe } from "./probeRecord.js";
import type { KeeperStore } from "./store.js";
import type { Evidence, ProbeResult, SignedProbe } from "./types.js";

export interface ProbeOutcome {
  ok: boolean;
  outcome: string;
  status: number;
  ttfbMs: number;
  gotSha256: string;
}

/** One canary GET through `endpoint` with the canary Host; never throws. */
export async function probeOnce(endpoint: string, host: string, path: string, expectedSha256: string, timeoutMs: number, maxBytes: number): Promise<ProbeOutcome> {
  const t0 = performance.now();
  try {
    const res = await request(new URL(path, endpoint), {
      method: "GET",
      headers: { host, "user-agent": "Mozilla/5.0 (compatible)", accept: "*/*" },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const ttfbMs = Math.round(performance.now() - t0);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of res.body) {
      size += (c as Buffer).length;
      if (size > maxBytes) {
        res.body.destroy();
        break;
      }
      chunks.push(c as Buffer);
    }
    const got = sha256Hex(Buffer.concat(chunks));
    if (res.statusCode !== 200) return { ok: false, outcome: `http_${res.statusCode}`, status: res.statusCode, ttfbMs, gotSha256: got };
    if (got !== expectedSha256) return { ok: false, outcome: "wrong_bytes", status: res.statusCode, ttfbMs, gotSha256: got };
    return { ok: true, outcome: "ok", status: 200, ttfbMs, gotSha256: got };
  } catch (err) {
    const e = err as { code?: string; name?: string };
    const timeout = e.code === "UND_ERR_HEADERS_TIMEOUT" || e.code === "UND_ERR_BODY_TIMEOUT" || e.name === "TimeoutError";
    return { ok: false, outcome: timeout ? "timeout" : "unreachable", status: 0, ttfbMs: Math.round(performance.now() - t0), gotSha256: "" };
  }
}

export class Prober {
  /** (epoch|node) → probes this prober already made (restored from the store). */
  private done = new Map<string, number>();
  private restored = new Set<number>();

  constructor(
    private readonly chain: Chain,
    private readonly cfg: KeeperConfig["probe"],
    private readonly key: Keypair,
    private readonly store: KeeperStore,
    private readonly metrics: KeeperMetrics,
    private readonly log: Logger,
    private readonly share: (p: SignedProbe) => Promise<void>,
    private readonly onEvidence: (e: Evidence) => void,
  ) {}

  private endpointOf(node: { address: string; identity: string }): string | undefined {
    return this.cfg.endpoints[node.address] ?? this.cfg.endpoints[node.identity];
  }

  /** Nodes to probe: Active, assigned to at least one zone, with a known endpoint. */
  async targets(): Promise<{ address: string; identity: string; endpoint: string }[]> {
    const assigned = new Set((await this.chain.registry.account.assignmentV0.all()).map((a) => a.account.node.toBase58()));
    const out = [];
    for (const n of await this.chain.nodes()) {
      const endpoint = this.endpointOf(n);
      if (n.status === "active" && assigned.has(n.address) && endpoint) out.push({ address: n.address, identity: n.identity, endpoint });
    }
    return out.sort((a, b) => (a.address < b.address ? -1 : 1));
  }

  async tick(): Promise<number> {
    const t = await this.chain.tokenTiming();
    const now = await this.chain.now();
    const epoch = this.chain.epochAt(t, now);
    if (epoch < 0) return 0;
    if (!this.restored.has(epoch)) {
      const me = this.key.publicKey.toBase58();
      for (const p of await this.store.probes(epoch)) if (p.result.prober === me) this.bump(epoch, p.result.node);
      this.restored.add(epoch);
    }
    let n = 0;
    for (const target of await this.targets()) {
      while ((this.done.get(`${epoch}|${target.address}`) ?? 0) < this.cfg.perEpoch) {
        await this.probe(epoch, now, target);
        n++;
      }
    }
    return n;
  }

  private bump(epoch: number, node: string): void {
    const k = `${epoch}|${node}`;
    this.done.set(k, (this.done.get(k) ?? 0) + 1);
  }

  private async probe(epoch: number, now: number, target: { address: string; endpoint: string }): Promise<void> {
    const path = randomCanaryPath();
    const expected = sha256Hex(canaryBytes(this.cfg.canarySecret!, path.slice(CANARY_PREFIX.length)));
    const o = await probeOnce(target.endpoint, this.cfg.canaryHost, path, expected, this.cfg.timeoutMs, this.cfg.maxBytes);
    const result: ProbeResult = { epoch, node: target.address, prober: this.key.publicKey.toBase58(), ts: now, path, expectedSha256: expected, ...o };
    const signed = signProbe(result, this.key);
    // Shared before it is stored: killed in between, the result still reaches every oracle
    // (this one included, through its own consumer), so no oracle holds a probe the others lack.
    await this.share(signed).catch((err: Error) => this.log.warn({ err: err.message }, "could not share probe result"));
    await this.store.addProbe(signed);
    this.bump(epoch, target.address);
    this.metrics.probes.inc({ outcome: o.outcome });
    this.metrics.probeTtfb.observe(o.ttfbMs / 1000);
    this.log.info({ node: target.address, epoch, outcome: o.outcome, ttfbMs: o.ttfbMs }, "probe");
    if (o.outcome === "wrong_bytes") this.onEvidence({ kind: "wrong_bytes", node: target.address, epoch, observedAt: now, facts: { probe: signed } });
  }
}
