/**
 * Three node processes on a real nats-server (AEGIS_TEST_NATS_URL, JetStream enabled): shared
 * rate limit, partition and heal, signed threat events, zone notices.
 */
import { expect } from "chai";
import { loadIdentity } from "../../node/src/identity.js";
import { encodeEnvelope, signEnvelope } from "../../node/src/sync/envelope.js";
import type { CounterView } from "../../node/src/sync/rate-limiter.js";
import type { SignedEnvelope } from "../../node/src/sync/types.js";
import { SyncCluster, natsUrlFromEnv, sleep, until } from "./fixtures/cluster.js";

const SHOP = "shop.example";
const AB_ONLY = "ab.example";
const FLUSH_MS = 5;
/** Staleness budget of the documented bound (docs/sync.md): flush interval + propagation allowance. */
const STALENESS_MS = FLUSH_MS + 50;

type Rejection = { kind: string; reason: string; value: number };

describe("sync: three node processes over NATS JetStream", function () {
  this.timeout(120_000);
  let cluster: SyncCluster;

  before(async () => {
    cluster = new SyncCluster(
      natsUrlFromEnv(),
      [
        { name: "A", zones: [SHOP, AB_ONLY] },
        { name: "B", zones: [SHOP, AB_ONLY] },
        { name: "C", zones: [SHOP] },
        { name: "stranger", zones: [SHOP], listed: false, spawn: false },
        { name: "retired", zones: [SHOP], active: false, spawn: false },
      ],
      FLUSH_MS,
    );
    await cluster.start();
  });

  after(async () => {
    await cluster?.stop();
  });

  const all = () => ["A", "B", "C"].map((n) => cluster.node(n));
  const rejections = async (name: string, reason: string) =>
    (await cluster.node(name).call<Rejection[]>("rejections")).filter((r) => r.reason === reason).reduce((s, r) => s + r.value, 0);

  it("3 nodes share one zone limit of N per window; total admitted stays within the documented bound", async () => {
    const N = 60;
    const windowSecs = 3600;
    const rule = { requests: N, windowSecs, burst: 0 };
    const msLeft = windowSecs * 1000 - (Date.now() % (windowSecs * 1000));
    if (msLeft < 15_000) await sleep(msLeft + 100); // keep the whole run inside one window
    const ip = "198.51.100.10";
    const intervalMs = 5;
    const results = await Promise.all(all().map((n) => n.call<{ admitted: number; limited: number; elapsedMs: number }>("hit", { zone: SHOP, ip, count: 100, intervalMs, rule })));
    const admitted = results.reduce((s, r) => s + r.admitted, 0);
    // per-node arrival rate actually achieved, and the bound L + (k−1)·r·(f + d) from docs/sync.md
    const rate = Math.max(...results.map((r) => 100 / (r.elapsedMs / 1000)));
    const bound = N + Math.ceil(2 * rate * (STALENESS_MS / 1000));
    console.log(`      shared limit: N=${N}, offered 300 at ~${rate.toFixed(0)} req/s per node, admitted ${admitted} (${results.map((r) => r.admitted).join("+")}), bound ${bound}`);
    expect(admitted).to.be.at.least(N);
    expect(admitted).to.be.at.most(bound);
    // and every node converges on the same count
    await until(async () => {
      const views = await Promise.all(all().map((n) => n.call<CounterView>("view", { zone: SHOP, ip, windowSecs })));
      return views.every((v) => v.value === admitted);
    }, 5000);
  });

  it("partition: the isolated node keeps enforcing locally, and after healing counters converge with nothing lost", async () => {
    const rule = { requests: 1_000_000, windowSecs: 3600, burst: 0 };
    const msLeft = 3_600_000 - (Date.now() % 3_600_000);
    if (msLeft < 20_000) await sleep(msLeft + 100);
    const ip = "198.51.100.20";
    const [A, B, C] = all() as [ReturnType<typeof all>[number], ReturnType<typeof all>[number], ReturnType<typeof all>[number]];
    await A.call("hit", { zone: SHOP, ip, count: 10, intervalMs: 0, rule });
    await until(async () => (await C.call<CounterView>("view", { zone: SHOP, ip, windowSecs: 3600 })).value === 10, 5000);

    expect(await C.call("partition")).to.deep.equal({ connected: false });
    const [ra, rb, rc] = await Promise.all([
      A.call<{ admitted: number }>("hit", { zone: SHOP, ip, count: 50, intervalMs: 1, rule }),
      B.call<{ admitted: number }>("hit", { zone: SHOP, ip, count: 30, intervalMs: 1, rule }),
      C.call<{ admitted: number }>("hit", { zone: SHOP, ip, count: 40, intervalMs: 1, rule }),
    ]);
    expect([ra.admitted, rb.admitted, rc.admitted]).to.deep.equal([50, 30, 40]);
    // both sides still work, each with its own view
    await until(async () => (await B.call<CounterView>("view", { zone: SHOP, ip, windowSecs: 3600 })).value === 90, 5000);
    expect((await C.call<CounterView>("view", { zone: SHOP, ip, windowSecs: 3600 })).value).to.equal(50);
    // signed events published on both sides during the partition
    const threatFromC = await C.call<SignedEnvelope>("threat", { ip: "203.0.113.77", ttlSecs: 600, reason: "waf-block" });
    expect(threatFromC.node).to.equal(C.address);
    await A.call("purge", { zone: SHOP, paths: ["/during-partition"] });
    await sleep(200);
    expect((await A.call<{ status: number }>("status", { ip: "203.0.113.77" })).status, "not yet known across the partition").to.equal(200);

    const healedAt = performance.now();
    const heal = await C.call<{ connected: boolean; catchup?: { replayed: number } }>("heal");
    expect(heal.connected).to.equal(true);
    const convergeMs = await until(async () => {
      const views = await Promise.all(all().map((n) => n.call<CounterView>("view", { zone: SHOP, ip, windowSecs: 3600 })));
      return views.every((v) => v.value === 130);
    }, 10_000, 5);
    const totalMs = performance.now() - healedAt;
    console.log(`      partition heal: counters converged on all 3 nodes ${totalMs.toFixed(0)} ms after heal (${convergeMs.toFixed(0)} ms after reconnect+catch-up; ${heal.catchup?.replayed ?? 0} messages replayed from JetStream)`);
    const viewA = await A.call<CounterView>("view", { zone: SHOP, ip, windowSecs: 3600 });
    expect(viewA.perNode[C.address]).to.deep.equal({ p: 40, n: 0 });
    // queued threat event and missed notice arrive after the heal
    await until(async () => (await A.call<{ status: number }>("status", { ip: "203.0.113.77" })).status === 403, 5000);
    await until(async () => (await B.call<{ status: number }>("status", { ip: "203.0.113.77" })).status === 403, 5000);
    await until(async () => (await C.call<{ zone: string; from: string }[]>("notices")).some((n) => n.from === A.address && n.zone === SHOP), 5000);
  });

  it("a valid threat event blocks the client on the other nodes; unregistered, inactive, stale and replayed events are rejected", async () => {
    const [A, B, C] = all() as [ReturnType<typeof all>[number], ReturnType<typeof all>[number], ReturnType<typeof all>[number]];
    const ip = "203.0.113.9";
    for (const n of [A, B, C]) expect((await n.call<{ status: number }>("status", { ip })).status).to.equal(200);
    const env = await A.call<SignedEnvelope>("threat", { ip, ttlSecs: 300, reason: "rate-limit-abuse" });
    expect((await A.call<{ status: number }>("status", { ip })).status).to.equal(403);
    await until(async () => (await B.call<{ status: number }>("status", { ip })).status === 403 && (await C.call<{ status: number }>("status", { ip })).status === 403, 5000);

    // a key that is not in the directory
    const bad = "203.0.113.10";
    const strangerEnv = signEnvelope(cluster.identities.get("stranger")!, "threat", 1, { action: "block", ip: bad, ttlSecs: 300, reason: "spoof" });
    const unknownBefore = await rejections("B", "unknown_peer");
    await cluster.inject("threat", encodeEnvelope(strangerEnv));
    await until(async () => (await rejections("B", "unknown_peer")) === unknownBefore + 1, 5000);
    // listed but not active
    const retiredEnv = signEnvelope(cluster.identities.get("retired")!, "threat", 1, { action: "block", ip: bad, ttlSecs: 300, reason: "spoof" });
    await cluster.inject("threat", encodeEnvelope(retiredEnv));
    await until(async () => (await rejections("C", "inactive_peer")) >= 1, 5000);
    // A's own key, but an old timestamp (outside the replay window)
    const aKey = loadIdentity(cluster.keyPath("A"));
    const staleEnv = signEnvelope(aKey, "threat", 99, { action: "block", ip: bad, ttlSecs: 3600, reason: "old" }, Date.now() - 20 * 60_000);
    await cluster.inject("threat", encodeEnvelope(staleEnv));
    await until(async () => (await rejections("B", "stale")) >= 1, 5000);
    // tampered: A's event with a longer TTL
    await cluster.inject("threat", encodeEnvelope({ ...env, body: { ...(env.body as object), ttlSecs: 86_400 } } as SignedEnvelope));
    await until(async () => (await rejections("B", "bad_signature")) >= 1, 5000);
    for (const n of [B, C]) expect((await n.call<{ status: number }>("status", { ip: bad })).status).to.equal(200);

    // operator lifts the block; replaying the original block event does not bring it back
    await A.call("lift", { ip });
    await until(async () => (await B.call<{ status: number }>("status", { ip })).status === 200 && (await C.call<{ status: number }>("status", { ip })).status === 200, 5000);
    const replayBefore = await rejections("B", "replay");
    await cluster.inject("threat", encodeEnvelope(env));
    await until(async () => (await rejections("B", "replay")) === replayBefore + 1, 5000);
    await sleep(100);
    for (const n of [B, C]) expect((await n.call<{ status: number }>("status", { ip })).status).to.equal(200);
  });

  it("purge and policy-change notices reach every node serving the zone, and only those", async () => {
    const [A, B, C] = all() as [ReturnType<typeof all>[number], ReturnType<typeof all>[number], ReturnType<typeof all>[number]];
    await B.call("purge", { zone: SHOP, paths: ["/index.html", "/app.js"] });
    await A.call("policy", { zone: AB_ONLY, version: 7 });
    type N = { type: string; zone: string; from: string; local: boolean };
    await until(async () => (await A.call<N[]>("notices")).some((n) => n.type === "purge" && n.from === B.address), 5000);
    await until(async () => (await C.call<N[]>("notices")).some((n) => n.type === "purge" && n.from === B.address), 5000);
    await until(async () => (await B.call<N[]>("notices")).some((n) => n.type === "policy" && n.zone === AB_ONLY && !n.local), 5000);
    await sleep(200);
    expect((await C.call<N[]>("notices")).some((n) => n.zone === AB_ONLY), "C does not serve ab.example").to.equal(false);
    expect((await B.call<N[]>("notices")).filter((n) => n.type === "purge" && n.local)).to.have.length(1);
  });
});
