/**
 * The pure parts of the keepers: the reward formula of docs/rewards.md (exact values, rounding,
 * order independence), two keeper processes computing the same root from the same inputs, zone
 * re-assignment planning, auto-claim selection, the slash cap and config validation.
 */
import { expect } from "chai";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { Keypair } from "@solana/web3.js";
import { sha256 } from "@noble/hashes/sha256";
import { canonicalJson, computeEpochRewards, isqrt, metricsHash, REWARD_SCALE, uptimeFromProbes, type NodeEpochInput } from "../../sdk/src/rewardsFormula.js";
import { verifyProof, leafHash } from "../../sdk/src/merkle.js";
import { planAssignments } from "../../keepers/src/assignments.js";
import { selectAutoClaims } from "../../keepers/src/autoClaim.js";
import { slashAmount } from "../../keepers/src/slasher.js";
import { canaryBytes } from "../../keepers/src/canary.js";
import { loadConfig } from "../../keepers/src/config.js";
import { ConfigError } from "../../keepers/src/errors.js";
import { removeTempDirs, spawnKeeper, tempDir, writeKeypair } from "./helpers.js";

const S = REWARD_SCALE;
const addr = () => Keypair.generate().publicKey.toBase58();
const node = (o: Partial<NodeEpochInput> = {}): NodeEpochInput => ({ node: addr(), destination: addr(), bytes: 0n, requests: 0n, reports: 1, uptime: S, reputation: 10_000, stake: 1_000_000_000n, active: true, ...o });

describe("reward formula (docs/rewards.md)", () => {
  after(removeTempDirs);
  it("computes the documented shares exactly and leaves ineligible nodes out", () => {
    const a = node({ bytes: 300n, requests: 10n });
    const b = node({ bytes: 100n, requests: 30n });
    const lowUptime = node({ bytes: 10_000n, requests: 10_000n, uptime: (S * 89n) / 100n });
    const lowRep = node({ bytes: 10_000n, requests: 10_000n, reputation: 4_999 });
    const inactive = node({ bytes: 10_000n, active: false });
    const silent = node({ reports: 0 });
    const r = computeEpochRewards({ epoch: 3, pool: 1_001n, nodes: [a, b, lowUptime, lowRep, inactive, silent] });
    const byNode = new Map(r.nodes.map((n) => [n.node, n]));
    // work_a = 0.75·0.5 + 0.25·0.3 + 0.5·0.2 = 0.55 S; work_b = 0.45 S; quality = S for both.
    expect(byNode.get(a.node)!.work).to.equal((S * 55n) / 100n);
    expect(byNode.get(b.node)!.work).to.equal((S * 45n) / 100n);
    expect(byNode.get(a.node)!.amount).to.equal(550n); // ⌊1001 · 0.55⌋
    expect(byNode.get(b.node)!.amount).to.equal(450n); // ⌊1001 · 0.45⌋
    expect(r.total).to.equal(1_000n);
    expect(r.leaves.map((l) => l.node.toBase58()).sort()).to.deep.equal([a.node, b.node].sort());
    expect(byNode.get(lowUptime.node)!.ineligible).to.equal("low_uptime");
    expect(byNode.get(lowRep.node)!.ineligible).to.equal("low_reputation");
    expect(byNode.get(inactive.node)!.ineligible).to.equal("not_active");
    expect(byNode.get(silent.node)!.ineligible).to.equal("no_reports");
    // Each leaf's proof verifies against the root, with the documented leaf encoding.
    r.leaves.forEach((l, i) => expect(verifyProof(r.tree!.proof(i), r.tree!.root, leafHash(l))).to.equal(true));
  });

  it("uptime and reputation scale the weight: quality = uptime²/S · reputation/10,000", () => {
    const a = node({ bytes: 100n, requests: 100n });
    const b = node({ bytes: 100n, requests: 100n, uptime: (S * 95n) / 100n, reputation: 8_000 });
    const r = computeEpochRewards({ epoch: 0, pool: 1_000_000n, nodes: [a, b] });
    const qb = r.nodes.find((n) => n.node === b.node)!.quality;
    expect(qb).to.equal((((((S * 95n) / 100n) ** 2n) / S) * 8_000n) / 10_000n);
    const amountA = r.nodes.find((n) => n.node === a.node)!.amount;
    const amountB = r.nodes.find((n) => n.node === b.node)!.amount;
    // Same stake: weights S/2·√stake and S/2·0.722·√stake → shares 1/1.722 and 0.722/1.722 of the pool, rounded down.
    const sw = isqrt(1_000_000_000n);
    const wA = (S / 2n) * sw;
    const wB = ((S / 2n) * qb * sw) / S;
    expect(amountA).to.equal((1_000_000n * wA) / (wA + wB));
    expect(amountA + amountB <= 1_000_000n).to.equal(true);
  });

  it("stake counts sub-linearly: 4× the stake is 2× the weight (⌊√stake⌋)", () => {
    const a = node({ bytes: 100n, requests: 100n, stake: 10_000_000_000n });
    const b = node({ bytes: 100n, requests: 100n, stake: 40_000_000_000n });
    const r = computeEpochRewards({ epoch: 0, pool: 3_000_000n, nodes: [a, b] });
    const row = (n: NodeEpochInput) => r.nodes.find((x) => x.node === n.node)!;
    expect(row(b).stakeWeight).to.equal(2n * row(a).stakeWeight);
    expect(row(b).weight).to.equal(2n * row(a).weight);
    expect(row(a).amount).to.equal(1_000_000n);
    expect(row(b).amount).to.equal(2_000_000n);
    expect(isqrt(10n ** 18n)).to.equal(10n ** 9n);
    expect(isqrt(10n ** 18n - 1n)).to.equal(10n ** 9n - 1n);
    expect(isqrt(0n)).to.equal(0n);
  });

  it("metrics_hash is sha256 of the canonical JSON of { epoch, node, bytes, requests, uptime, reputation, stake }", () => {
    const n = node({ bytes: 12n, requests: 3n, uptime: S, reputation: 9_000, stake: 2_500n });
    const text = `{"bytes":"12","epoch":7,"node":"${n.node}","reputation":9000,"requests":"3","stake":"2500","uptime":"${S}"}`;
    expect(canonicalJson({ epoch: 7, node: n.node, bytes: 12n, requests: 3n, uptime: S, reputation: 9_000, stake: 2_500n })).to.equal(text);
    expect(Buffer.from(metricsHash(7, n)).toString("hex")).to.equal(Buffer.from(sha256(new TextEncoder().encode(text))).toString("hex"));
    expect(uptimeFromProbes(2, 3)).to.equal((2n * S) / 3n);
    expect(uptimeFromProbes(0, 0)).to.equal(0n);
  });

  it("property: Σ amounts ≤ pool, every amount ≤ pool, and the root does not depend on input order", () => {
    const keys = Array.from({ length: 12 }, addr);
    const arbNode = fc.record({
      i: fc.integer({ min: 0, max: 11 }),
      bytes: fc.bigInt({ min: 0n, max: 10n ** 15n }),
      requests: fc.bigInt({ min: 0n, max: 10n ** 9n }),
      uptime: fc.bigInt({ min: (S * 85n) / 100n, max: S }),
      reputation: fc.integer({ min: 4_000, max: 10_000 }),
      reports: fc.integer({ min: 0, max: 5 }),
      stake: fc.bigInt({ min: 0n, max: 10n ** 15n }),
    });
    fc.assert(
      fc.property(fc.array(arbNode, { minLength: 1, maxLength: 12 }), fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.integer(), (raw, pool, seed) => {
        const uniq = new Map(raw.map((r) => [r.i, r]));
        const nodes = [...uniq.values()].map((r) => ({ node: keys[r.i]!, destination: keys[(r.i + 1) % 12]!, bytes: r.bytes, requests: r.requests, uptime: r.uptime, reputation: r.reputation, stake: r.stake, reports: r.reports, active: true }));
        const a = computeEpochRewards({ epoch: 1, pool, nodes });
        const shuffled = [...nodes].sort((x, y) => ((x.node.charCodeAt(seed & 7) ^ seed) & 1) - ((y.node.charCodeAt(seed & 7) ^ seed) & 1) || (x.node < y.node ? 1 : -1));
        const b = computeEpochRewards({ epoch: 1, pool, nodes: shuffled });
        expect(a.total <= pool).to.equal(true);
        expect(a.leaves.every((l) => l.amount <= pool)).to.equal(true);
        expect(a.tree?.root.toString("hex")).to.equal(b.tree?.root.toString("hex"));
        expect(a.total).to.equal(b.total);
      }),
      { numRuns: 200 },
    );
  });

  it("two keeper processes given the same inputs (in different orders) print the same root, CID and hash; other inputs give another root", async () => {
    const dir = tempDir();
    const nodes = Array.from({ length: 40 }, (_, i) => ({ node: addr(), destination: addr(), bytes: String(1_000_000 * (i + 1)), requests: String(1_000 + i), reports: 3, uptime: String(S - BigInt(i) * 10n ** 9n), reputation: 10_000 - i * 50, stake: String(1_000_000_000 * (1 + (i % 5))), active: i % 7 !== 3 }));
    const doc = (list: typeof nodes, pool = "400000000000") => ({ epoch: 12, pool, timing: { genesisTs: 1_700_000_000, epochLengthSecs: 86_400 }, counts: { reports: 120, probes: 360 }, nodes: list });
    writeFileSync(join(dir, "a.json"), JSON.stringify(doc(nodes)));
    writeFileSync(join(dir, "b.json"), JSON.stringify(doc([...nodes].reverse())));
    writeFileSync(join(dir, "c.json"), JSON.stringify(doc(nodes.map((n, i) => (i === 5 ? { ...n, bytes: String(BigInt(n.bytes) + 1n) } : n)))));
    const run = async (f: string) => {
      const p = spawnKeeper(["compute", join(dir, f)]);
      expect(await p.exited, p.output()).to.equal(0);
      return JSON.parse(p.stdout()) as { root: string; total: string; cid: string; hash: string; leaves: number };
    };
    const [a, b, c] = await Promise.all([run("a.json"), run("b.json"), run("c.json")]);
    expect(a.root).to.match(/^[0-9a-f]{64}$/);
    expect(b).to.deep.equal(a);
    expect(c.root).to.not.equal(a.root);
    expect(a.leaves).to.equal(40 - 6); // i = 3, 10, 17, 24, 31, 38 are inactive
    expect(BigInt(a.total) <= 400_000_000_000n).to.equal(true);
    expect(a.cid).to.match(/^bafkrei/);
  });
});

describe("keeper planning functions", () => {
  const n = (address: string, region: string, reputation = 10_000, status = "active") => ({ address, region, reputation, status });

  it("zone re-assignment: by region round-robin, reputation first, capacity bounded; unhealthy assignments removed", () => {
    const nodes = [n("A", "eu"), n("B", "eu", 9_000), n("C", "us"), n("D", "us", 6_000), n("E", "ap"), n("F", "eu", 4_000), n("G", "us", 10_000, "jailed")];
    const zones = [{ zone: "Z1", domain: "a.example", regions: ["eu", "us"], replicas: 3 }];
    const plan = planAssignments(zones, nodes, [{ address: "asg-G", node: "G", zone: "Z1" }], 16);
    expect(plan.unassign).to.deep.equal([{ assignment: "asg-G", node: "G", zone: "Z1", why: "node jailed" }]);
    expect(plan.assign.map((a) => a.node)).to.deep.equal(["A", "C", "B"]);
    // Capacity: with a limit of one zone per node, the second zone gets the next best.
    const two = [...zones, { zone: "Z2", domain: "b.example", regions: ["eu"], replicas: 1 }];
    const p2 = planAssignments(two, nodes, [{ address: "x1", node: "A", zone: "Z9" }], 1);
    // A is full; eu then us round-robin gives B, C, then D; Z2 (eu only) finds no eu node with room.
    expect(p2.assign.map((a) => `${a.zone}:${a.node}`)).to.deep.equal(["Z1:B", "Z1:C", "Z1:D"]);
    // Already served correctly: nothing to do.
    const done = planAssignments(zones, nodes, [{ address: "1", node: "A", zone: "Z1" }, { address: "2", node: "B", zone: "Z1" }, { address: "3", node: "C", zone: "Z1" }], 16);
    expect(done).to.deep.equal({ assign: [], unassign: [] });
  });

  it("auto-claim selection follows NodeV0.auto_claim", () => {
    const leaves = [{ node: "A" }, { node: "B" }, { node: "C" }];
    const nodes = new Map([["A", { autoClaim: true }], ["B", { autoClaim: false }], ["C", { autoClaim: undefined }]]);
    expect(selectAutoClaims(leaves, nodes, "opted-in")).to.deep.equal([{ node: "A" }]);
    expect(selectAutoClaims(leaves, nodes, "all")).to.have.length(3);
    expect(selectAutoClaims(leaves, nodes, "off")).to.deep.equal([]);
  });

  it("slash amount never exceeds what the on-chain window still admits", () => {
    const cfg = { slashEpochSecs: 86_400, maxSlashBps: 1_000 };
    const stake = { amount: 1_000_000n, pendingUnstake: 0n, windowStart: 1_000, windowAmount: 0n };
    expect(slashAmount(stake, 2_000, cfg, 100)).to.equal(10_000n);
    expect(slashAmount(stake, 2_000, cfg, 5_000)).to.equal(100_000n);
    expect(slashAmount({ ...stake, windowAmount: 95_000n }, 2_000, cfg, 100)).to.equal(5_000n);
    expect(slashAmount({ ...stake, windowAmount: 100_000n }, 2_000, cfg, 100)).to.equal(0n);
    expect(slashAmount({ ...stake, windowAmount: 100_000n }, 1_000 + 86_400, cfg, 100)).to.equal(10_000n);
  });

  it("canary bytes are a function of (secret, name)", () => {
    const s = "11".repeat(32);
    expect(canaryBytes(s, "abc").equals(canaryBytes(s, "abc"))).to.equal(true);
    expect(canaryBytes(s, "abc").equals(canaryBytes(s, "abd"))).to.equal(false);
    expect(canaryBytes("22".repeat(32), "abc").equals(canaryBytes(s, "abc"))).to.equal(false);
  });
});

describe("keeper config", () => {
  after(removeTempDirs);
  it("TOML < env < flags, validated; every problem listed; signing roles need a key", () => {
    const dir = tempDir();
    const toml = join(dir, "k.toml");
    writeFileSync(toml, `name = "from-file"\nroles = ["oracle"]\ntickMs = 900\nrpcUrl = "http://127.0.0.1:1"\n[oracle]\ngraceSecs = 7\n`);
    const kp = writeKeypair(dir, Keypair.generate(), "k");
    const { config } = loadConfig(["--config", toml, "--rpc-url", "http://127.0.0.1:3"], { AEGIS_KEEPER_KEYPAIR: kp, AEGIS_KEEPER_RPC_URL: "http://127.0.0.1:2" });
    expect(config.name).to.equal("from-file");
    expect(config.tickMs).to.equal(900);
    expect(config.oracle.graceSecs).to.equal(7);
    expect(config.rpcUrl).to.equal("http://127.0.0.1:3");
    expect(config.keypair).to.equal(kp);
    expect(() => loadConfig(["--roles", "oracle,bogus", "--tick-ms", "10"], {})).to.throw(ConfigError, /roles\.1[\s\S]*tickMs/);
    expect(() => loadConfig(["--roles", "oracle"], {})).to.throw(ConfigError, /keypair/);
    expect(() => loadConfig(["--roles", "prober", "--dry-run"], {})).to.throw(ConfigError, /canarySecret/);
    expect(() => loadConfig(["--nope"], {})).to.throw(ConfigError, /Unknown option/);
    expect(loadConfig(["--roles", "oracle", "--dry-run"], {}).config.dryRun).to.equal(true);
  });
});

describe("keeper transaction retries", () => {
  it("retries transport errors with backoff, never program errors", async () => {
    const { withRetry } = await import("../../keepers/src/retry.js");
    const { programErrorName } = await import("../../keepers/src/chain.js");
    let calls = 0;
    const flaky = () => (++calls < 3 ? Promise.reject(new Error("fetch failed: ECONNREFUSED")) : Promise.resolve("sig"));
    const opts = { retries: 4, backoffMs: 5, retryable: (e: unknown) => programErrorName(e) === undefined };
    expect(await withRetry(flaky, opts)).to.equal("sig");
    expect(calls).to.equal(3);
    calls = 0;
    const refused = () => {
      calls++;
      return Promise.reject(Object.assign(new Error("Simulation failed"), { logs: ["Program log: AnchorError occurred. Error Code: AlreadyClaimed. Error Number: 6011."] }));
    };
    let err: unknown;
    await withRetry(refused, opts).catch((e: unknown) => (err = e));
    expect(calls).to.equal(1);
    expect(programErrorName(err)).to.equal("AlreadyClaimed");
    expect(programErrorName(new Error("Allocate: account Address { address: x } already in use"))).to.equal("AccountInUse");
    calls = 0;
    await withRetry(() => (calls++, Promise.reject(new Error("timeout"))), { ...opts, retries: 2 }).catch(() => undefined);
    expect(calls).to.equal(3);
  });

  it("a transaction that failed after preflight is named by the IDL of the program that raised it", async () => {
    const { errorNameOf } = await import("../../keepers/src/chain.js");
    const { Transaction, TransactionInstruction, SystemProgram } = await import("@solana/web3.js");
    const { REWARDS_PROGRAM_ID, AEGIS_TOKEN_PROGRAM_ID } = await import("../../sdk/src/index.js");
    const tx = new Transaction().add(
      new TransactionInstruction({ programId: SystemProgram.programId, keys: [], data: Buffer.alloc(0) }),
      new TransactionInstruction({ programId: AEGIS_TOKEN_PROGRAM_ID, keys: [], data: Buffer.alloc(0) }),
      new TransactionInstruction({ programId: REWARDS_PROGRAM_ID, keys: [], data: Buffer.alloc(0) }),
    );
    expect(errorNameOf(tx, { InstructionError: [2, { Custom: 6011 }] })).to.equal("AlreadyClaimed");
    expect(errorNameOf(tx, { InstructionError: [1, { Custom: 6003 }] })).to.equal("EpochAlreadyMinted");
    expect(errorNameOf(tx, { InstructionError: [0, { Custom: 0 }] })).to.equal("AccountInUse");
    expect(errorNameOf(tx, { InstructionError: [2, { Custom: 99 }] })).to.equal("Custom99");
  });
});
