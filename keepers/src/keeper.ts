/**
 * One keeper process: the roles named in the config, each a loop that runs `tick()` every
 * `tickMs` (a tick never overlaps the previous one), plus the HTTP server. `stop()` lets running
 * ticks finish, then closes the transport, the store and the server.
 */
import { mkdirSync } from "node:fs";
import { Keypair } from "@solana/web3.js";
import { Chain, loadKeypair } from "./chain.js";
import type { KeeperConfig } from "./config.js";
import { Cranker } from "./cranker.js";
import { ReportLogTail } from "./fileTail.js";
import { startHttp } from "./http.js";
import { Ingest } from "./ingest.js";
import { JetStreamTransport, PROBE_SUBJECTS, REPORT_SUBJECTS, probeSubject } from "./jetstream.js";
import type { Logger } from "./logger.js";
import { KeeperMetrics } from "./metrics.js";
import { NodeDirectory } from "./nodeDirectory.js";
import { Oracle } from "./oracle.js";
import { Prober } from "./probe.js";
import { RedisStore } from "./redisStore.js";
import { Slasher } from "./slasher.js";
import { FileStore, type KeeperStore } from "./store.js";
import type { Evidence, PlannedTx, Role, SignedProbe } from "./types.js";

export interface KeeperHandle {
  url: string;
  metrics: KeeperMetrics;
  chain: Chain;
  store: KeeperStore;
  oracle?: Oracle;
  cranker?: Cranker;
  slasher: Slasher;
  ingest?: Ingest;
  prober?: Prober;
  /** Runs one tick of a role now (tests, `--once`). */
  tick(role: Role): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  log: Logger;
  metrics?: KeeperMetrics;
  dryRunSink?: (tx: PlannedTx) => void;
  /** Don't start the role loops (tests drive `tick`). */
  manual?: boolean;
}

export async function startKeeper(cfg: KeeperConfig, opts: StartOptions): Promise<KeeperHandle> {
  const log = opts.log;
  const metrics = opts.metrics ?? new KeeperMetrics();
  mkdirSync(cfg.dataDir, { recursive: true });
  const signer = cfg.keypair ? loadKeypair(cfg.keypair) : Keypair.generate();
  const has = (r: Role) => cfg.roles.includes(r);
  const chain = new Chain(cfg.rpcUrl, signer, log, metrics, {
    retries: cfg.cranker.retries,
    backoffMs: cfg.cranker.backoffMs,
    priorityFeeMicroLamports: cfg.cranker.priorityFeeMicroLamports,
    dryRun: cfg.dryRun,
    dryRunSink: opts.dryRunSink ?? ((tx) => process.stdout.write(JSON.stringify(tx, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) + "\n")),
  });
  const store: KeeperStore = cfg.redis ? new RedisStore(cfg.redis.url, `${cfg.redis.prefix}:${cfg.name}`) : new FileStore(cfg.dataDir);
  await store.open();
  const directory = new NodeDirectory(chain, cfg.nodeCacheMs);
  const slasher = new Slasher(chain, store, metrics, log.child({ role: "slasher" }), { dataDir: cfg.dataDir, ...cfg.slasher });
  const onEvidence = (e: Evidence) => {
    slasher.submit(e).then(
      (d) => log.warn({ kind: e.kind, node: e.node, epoch: e.epoch, evidence: d.uri }, "evidence recorded"),
      (err: Error) => log.error({ err: err.message }, "could not record evidence"),
    );
  };

  let transport: JetStreamTransport | undefined;
  let tail: ReportLogTail | undefined;
  let ingest: Ingest | undefined;
  if (has("ingest")) {
    ingest = new Ingest(chain, directory, store, metrics, log.child({ role: "ingest" }), onEvidence);
    const ing = ingest;
    if (cfg.nats) {
      transport = new JetStreamTransport(cfg.nats.url, cfg.nats.durable ?? `keeper-${signer.publicKey.toBase58().slice(0, 12)}`, log.child({ role: "ingest" }), cfg.nats.ackWaitMs);
      await transport.start([
        { stream: cfg.nats.reportStream, subjects: REPORT_SUBJECTS, handle: async (d) => void (await ing.submitReport(d, "nats")) },
        {
          stream: cfg.nats.probeStream,
          subjects: PROBE_SUBJECTS,
          handle: async (d) => {
            let p: SignedProbe;
            try {
              p = JSON.parse(Buffer.from(d).toString("utf8")) as SignedProbe;
              if (!p?.result || typeof p.signature !== "string") throw new Error("not a signed probe result");
            } catch (err) {
              // Acked and dropped: redelivering garbage would not make it valid.
              metrics.probes.inc({ outcome: "rejected_record" });
              log.warn({ err: (err as Error).message }, "malformed probe record dropped");
              return;
            }
            await ing.submitProbe(p);
          },
        },
      ]);
    }
    if (cfg.reportDirs.length) tail = new ReportLogTail(cfg.reportDirs, store, (b, src) => ing.submitReport(b, src), log.child({ role: "ingest" }));
  } else if (cfg.nats && has("prober")) {
    // A prober without ingest still shares its results.
    transport = new JetStreamTransport(cfg.nats.url, cfg.nats.durable ?? `keeper-${signer.publicKey.toBase58().slice(0, 12)}`, log.child({ role: "prober" }));
    await transport.start([]);
  }

  const share = async (p: SignedProbe) => {
    if (transport) await transport.publish(probeSubject(p.result.prober), Buffer.from(JSON.stringify(p)), `${p.result.prober}:${p.result.node}:${p.result.ts}:${p.result.path}`);
  };
  const prober = has("prober") ? new Prober(chain, cfg.probe, signer, store, metrics, log.child({ role: "prober" }), share, onEvidence) : undefined;
  const oracle = has("oracle")
    ? new Oracle(chain, store, metrics, log.child({ role: "oracle" }), {
        dataDir: cfg.dataDir,
        fromEpoch: cfg.oracle.fromEpoch,
        graceSecs: cfg.oracle.graceSecs,
        inputsSettled: async () => {
          if (tail) await tail.poll();
          return transport && has("ingest") ? transport.drained() : true;
        },
      })
    : undefined;
  const cranker = has("cranker")
    ? new Cranker(chain, store, metrics, log.child({ role: "cranker" }), cfg.cranker, {
        dataDir: cfg.dataDir,
        fromEpoch: cfg.oracle.fromEpoch,
        assignmentKey: cfg.cranker.assignment.keypair ? loadKeypair(cfg.cranker.assignment.keypair) : undefined,
      })
    : undefined;

  const ticks: Record<Role, () => Promise<unknown>> = {
    ingest: async () => tail?.poll(),
    prober: async () => prober?.tick(),
    oracle: async () => oracle?.tick(),
    slasher: async () => slasher.tick(),
    cranker: async () => cranker?.tick(),
  };
  const lastOk = new Map<Role, number>();
  const running = new Map<Role, Promise<void>>();
  const tick = (role: Role): Promise<void> => {
    const prev = running.get(role);
    if (prev) return prev;
    const p = ticks[role]()
      .then(() => void lastOk.set(role, Date.now()))
      .catch((err: Error) => {
        metrics.tickErrors.inc({ role });
        log.error({ role, err: err.message }, "tick failed");
      })
      .finally(() => running.delete(role));
    running.set(role, p);
    return p;
  };

  let stopping = false;
  const timers: NodeJS.Timeout[] = [];
  const started = Date.now();
  const http = await startHttp(
    cfg.http.listen,
    {
      metrics,
      dataDir: cfg.dataDir,
      health: () => {
        const stale = cfg.roles.filter((r) => Date.now() - (lastOk.get(r) ?? started) > Math.max(60_000, cfg.tickMs * 10));
        return { ok: !stopping && stale.length === 0, detail: { roles: cfg.roles, stale, dryRun: cfg.dryRun, signer: signer.publicKey.toBase58() } };
      },
      status: async () => ({
        name: cfg.name,
        signer: signer.publicKey.toBase58(),
        roles: cfg.roles,
        store: store.stats(),
        oracle: oracle ? { cursor: await oracle.cursor(), outcomes: Object.fromEntries(oracle.outcomes) } : undefined,
      }),
      submitReport: ingest ? (b) => ingest!.submitReport(b, "http") : undefined,
    },
    log,
  );

  if (!opts.manual) {
    for (const role of cfg.roles) {
      const loop = async () => {
        if (stopping) return;
        await tick(role);
        if (!stopping) timers.push(setTimeout(() => void loop(), cfg.tickMs));
      };
      timers.push(setTimeout(() => void loop(), 0));
    }
  }
  log.info({ roles: cfg.roles, url: http.url, signer: signer.publicKey.toBase58(), dryRun: cfg.dryRun, store: cfg.redis ? "redis" : "files", nats: !!cfg.nats }, "keeper started");

  return {
    url: http.url,
    metrics,
    chain,
    store,
    oracle,
    cranker,
    slasher,
    ingest,
    prober,
    tick,
    async stop() {
      stopping = true;
      for (const t of timers) clearTimeout(t);
      await Promise.allSettled([...running.values()]);
      await transport?.stop();
      await store.close();
      await http.close();
      chain.close();
      log.info("keeper stopped");
    },
  };
}
