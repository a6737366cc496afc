/**
 * The `aegis` CLI end to end: every command spawned as a child process against a real localnet
 * (and a real edge node for purge and metrics), its happy path and at least one bad input each,
 * asserting the exit code (docs/cli.md) and the message.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Keypair, PublicKey } from "@solana/web3.js";
import { randomBytes } from "node:crypto";
import { cidOf } from "../../node/src/functions/cid.js";
import { DEFAULTS, RewardTree, nodeKey, rewards, rewardsProgram, stakeKey, staking, stakingProgram, slashProposalKey, token, tokenProgram } from "../../sdk/src/index.js";
import { startOrigin, startTestNode, tempDir, zoneFor, httpGet, type TestNode, type TestOrigin } from "../helpers/edge.js";
import { repoRoot, startLocalnet, type Localnet } from "../helpers/localnet.js";
import { aegis, bootstrapProtocol, type Protocol } from "../protocol/setup.js";
import { cli, show, writeKeypair, type CliEnv, type CliResult } from "./run.js";

const DAY = 86_400;
/** The smallest valid WebAssembly module, and one with a custom section (another CID). */
const WASM_V1 = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const WASM_V2 = Buffer.concat([WASM_V1, Buffer.from([0x00, 0x04, 0x03, 0x76, 0x32, 0x21])]);

function expectFail(r: CliResult, code: number, message: RegExp): void {
  expect(r.code, show(r)).to.equal(code);
  const text = r.json?.error ? `${r.json.error.code} ${r.json.error.message} ${r.json.error.hint ?? ""}` : r.stderr;
  expect(text, show(r)).to.match(message);
}

function expectOk(r: CliResult): void {
  expect(r.code, show(r)).to.equal(0);
}

describe("aegis CLI against localnet", function () {
  this.timeout(300_000);
  let net: Localnet;
  let proto: Protocol;
  let env: CliEnv;
  let dir: string;
  let origin: TestOrigin;
  let edge: TestNode;
  const operator = Keypair.generate();
  const owner = Keypair.generate();
  const stranger = Keypair.generate();
  const identity2 = Keypair.generate();
  let opKey: string;
  let ownerKey: string;
  let strangerKey: string;
  let identityFile: string;
  let node: PublicKey;
  let operatorAta: PublicKey;

  /** Runs the CLI as `who` (a keypair file). */
  const as = (who: string, args: string[], opts?: Parameters<typeof cli>[2]) => cli(env, ["--keypair", who, ...args], opts);

  before(async () => {
    net = await startLocalnet();
    proto = await bootstrapProtocol(net);
    dir = tempDir("aegis-cli-");
    env = { rpcUrl: net.rpcUrl, configPath: join(dir, "cli.yml") };
    for (const kp of [operator, owner, stranger]) {
      const sig = await net.connection.requestAirdrop(kp.publicKey, 10e9);
      await net.connection.confirmTransaction({ signature: sig, ...(await net.connection.getLatestBlockhash()) }, "confirmed");
    }
    operatorAta = await proto.fund(operator.publicKey, aegis(5_000));
    opKey = writeKeypair(dir, "operator", operator);
    ownerKey = writeKeypair(dir, "owner", owner);
    strangerKey = writeKeypair(dir, "stranger", stranger);
    writeKeypair(dir, "identity2", identity2);
    origin = await startOrigin((req, res) => {
      res.setHeader("cache-control", "max-age=300");
      res.end(`hello ${req.url}`);
    });
    edge = await startTestNode({ zones: [zoneFor("site.test", origin)], config: { analytics: { intervalSecs: 0.5 } } });
    identityFile = join(edge.dataDir, "identity.json");
    node = nodeKey(new PublicKey(edge.node.identity.address))[0];
  });

  after(async () => {
    await edge?.close();
    await origin?.close();
    await net?.stop();
  });

  it("global flags: unknown cluster, bad key files, a broken config file; config get/set", async () => {
    writeFileSync(join(dir, "bad.json"), "hello");
    writeFileSync(join(dir, "short.json"), "[1,2,3]");
    writeFileSync(join(dir, "broken.yml"), "cluster: [");
    const [unknown, notJson, missing, short, broken] = await Promise.all([
      cli(env, ["--cluster", "nowhere", "balance"], { cluster: false }),
      as(join(dir, "bad.json"), ["balance"]),
      as(join(dir, "missing.json"), ["balance"]),
      as(join(dir, "short.json"), ["balance"]),
      cli({ ...env, configPath: join(dir, "broken.yml") }, ["balance"]),
    ]);
    expectFail(unknown, 2, /unknown cluster "nowhere".*localnet, devnet/);
    expectFail(notJson, 3, /bad\.json is not JSON/);
    expectFail(missing, 3, /missing\.json does not exist.*--keypair/);
    expectFail(short, 3, /not a Solana keypair/);
    expectFail(broken, 3, /broken\.yml: not valid YAML/);

    expectOk(await cli(env, ["config", "set", "cluster", net.rpcUrl], { cluster: false }));
    expectOk(await cli(env, ["config", "set", "keypair", opKey], { cluster: false }));
    const [get, badValue, badKey] = await Promise.all([
      cli(env, ["config", "get", "cluster"], { cluster: false }),
      cli(env, ["config", "set", "cluster", "nowhere"], { cluster: false }),
      cli(env, ["config", "set", "colour", "blue"], { cluster: false }),
    ]);
    expectOk(get);
    expect(get.json.cluster).to.equal(net.rpcUrl);
    expectFail(badValue, 2, /invalid value for cluster/);
    expectFail(badKey, 2, /unknown config key "colour"/);
    expect(readFileSync(env.configPath, "utf8")).to.contain(opKey);

    // The `aegis` executable works from any directory; an unknown command is a usage error.
    const [version, unknownCmd] = await Promise.all([
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [join(repoRoot, "cli", "bin", "aegis.js"), "--version"], { cwd: tmpdir(), stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.once("exit", (code) => resolve({ code, out }));
      }),
      cli(env, ["stake-everything"], { json: false }),
    ]);
    expect(version).to.deep.equal({ code: 0, out: "0.1.0\n" });
    expect(unknownCmd.code, show(unknownCmd)).to.equal(2);
    expect(unknownCmd.stderr).to.match(/unknown command 'stake-everything'/);
  });

  it("balance: SOL, AEGIS and stake from the config's cluster and keypair; a bad address", async () => {
    const [mine, bad] = await Promise.all([cli(env, ["balance"], { cluster: false }), cli(env, ["balance", "not-a-key"])]);
    expectOk(mine);
    expect(mine.json.address).to.equal(operator.publicKey.toBase58());
    expect(mine.json.aegis).to.equal("5,000");
    expect(mine.json.sol).to.equal(10);
    expectFail(bad, 2, /"not-a-key" is not a base58 public key/);
  });

  it("node register | status | update: the edge node's identity registered by its operator; errors", async () => {
    const reg = await as(opKey, ["node", "register", "--identity", identityFile, "--region", "eu-west", "--capabilities", "cache,waf"]);
    expectOk(reg);
    expect(reg.json.node).to.equal(node.toBase58());
    const [again, missingId, longRegion] = await Promise.all([
      as(opKey, ["node", "register", "--identity", identityFile]),
      as(opKey, ["node", "register", "--identity", join(dir, "nope.json")]),
      as(opKey, ["node", "register", "--identity", identityFile, "--region", "a-region-name-that-is-too-long"]),
    ]);
    expectFail(again, 8, /already registered as node/);
    expectFail(missingId, 3, /nope\.json does not exist/);
    expectFail(longRegion, 2, /--region must be 1\.\.16 bytes/);

    const [status, unknown] = await Promise.all([as(opKey, ["node", "status"]), as(opKey, ["node", "status", "--node", Keypair.generate().publicKey.toBase58()])]);
    expectOk(status);
    expect(status.json).to.include({ status: "Registered", region: "eu-west", capabilities: "cache,waf", reputation: 10_000 });
    expectFail(unknown, 6, /no node at/);

    const [update, notOwner] = await Promise.all([
      as(opKey, ["node", "update", "--region", "us-east", "--capabilities", "all"]),
      as(strangerKey, ["node", "update", "--node", node.toBase58(), "--region", "evil"]),
    ]);
    expectOk(update);
    expect(update.json).to.include({ region: "us-east", capabilities: "cache,waf,xdp,functions,tls" });
    expectFail(notOwner, 5, /registry::Unauthorized.*--keypair/);
  });

  it("stake: below the minimum is refused before sending; 2,000 AEGIS activates the node", async () => {
    const [below, zero, tooPrecise] = await Promise.all([
      as(opKey, ["stake", "10", "--activate"]),
      as(opKey, ["stake", "0"]),
      as(opKey, ["stake", "1.0000001"]),
    ]);
    expectFail(below, 8, /amount below minimum.*1,000 AEGIS/);
    expectFail(zero, 2, /must be more than 0/);
    expectFail(tooPrecise, 2, /more than 6 decimals/);
    const ok = await as(opKey, ["stake", "2000", "--activate"]);
    expectOk(ok);
    expect(ok.json).to.include({ staked: "2,000", bonded: "2,000", activated: node.toBase58() });
    const [status, info] = await Promise.all([as(opKey, ["node", "status"]), as(opKey, ["stake-info"])]);
    expect(status.json.status, show(status)).to.equal("Active");
    expect(info.json).to.include({ bonded: "2,000", bondedNodes: 1 });
  });

  it("rewards destination | auto-claim | show | claim with the oracles' epoch file; bad inputs", async () => {
    const [dest, noAta, auto, badState] = await Promise.all([
      as(opKey, ["rewards", "destination", operator.publicKey.toBase58()]),
      as(opKey, ["rewards", "destination", Keypair.generate().publicKey.toBase58()]),
      as(opKey, ["rewards", "auto-claim", "on"]),
      as(opKey, ["rewards", "auto-claim", "maybe"]),
    ]);
    expectOk(dest);
    expect(dest.json.rewardDestination).to.equal(operatorAta.toBase58());
    expectFail(noAta, 8, /is not a \$AEGIS token account/);
    expectOk(auto);
    expect(auto.json.autoClaim).to.equal(true);
    expectFail(badState, 2, /auto-claim takes on or off/);

    // Epoch 0: the keeper mints, the epoch ends, two of three oracles submit the same root.
    const keeper = await net.fundedKeypair(2);
    await token.mintEpochEmission(tokenProgram(net.provider(keeper)), { payer: keeper.publicKey, epoch: 0 }).rpc();
    await net.warp({ seconds: DAY + 5 });
    const leaves = [
      { node, destination: operatorAta, amount: aegis(1_234.5), metricsHash: randomBytes(32) },
      ...Array.from({ length: 4 }, () => ({ node: Keypair.generate().publicKey, destination: Keypair.generate().publicKey, amount: aegis(100), metricsHash: randomBytes(32) })),
    ];
    const tree = new RewardTree(leaves);
    for (const i of [0, 1]) {
      await rewards.submitRoot(rewardsProgram(net.provider(proto.oracles[i]!)), { oracle: proto.oracles[i]!.publicKey, epoch: 0, root: tree.root, total: tree.total }).rpc();
    }
    const epochFile = join(dir, "epoch-0.json");
    writeFileSync(
      epochFile,
      JSON.stringify({ epoch: 0, leaves: leaves.map((l) => ({ node: l.node.toBase58(), destination: l.destination.toBase58(), amount: l.amount.toString(), metricsHash: Buffer.from(l.metricsHash).toString("hex") })) }),
    );
    const i = tree.indexOf(node);
    const forged = join(dir, "forged.json");
    writeFileSync(
      forged,
      JSON.stringify({ epoch: 0, node: node.toBase58(), destination: operatorAta.toBase58(), amount: (leaves[0]!.amount * 2n).toString(), metricsHash: Buffer.from(leaves[0]!.metricsHash).toString("hex"), proof: tree.proof(i).map((p) => p.toString("hex")) }),
    );
    writeFileSync(join(dir, "garbage.json"), "{ epoch: nope");

    const [pending, bad, garbage] = await Promise.all([
      as(opKey, ["rewards", "show", "--claims", epochFile]),
      as(opKey, ["rewards", "claim", "--claims", forged]),
      as(opKey, ["rewards", "claim", "--claims", join(dir, "garbage.json")]),
    ]);
    expectOk(pending);
    expect(pending.json).to.include({ pendingTotal: "1,234.5", claimedTotal: "0", autoClaim: true, epoch: 1 });
    expectFail(bad, 5, /rewards::InvalidProof.*proof file does not match/);
    expectFail(garbage, 3, /garbage\.json: not JSON/);

    // The keepers serve their epoch report over HTTP (docs/keepers.md): claim from its URL.
    const epochServer = createServer((req, res) => (req.url === "/epochs/0.json" ? res.end(readFileSync(epochFile)) : res.writeHead(404).end()));
    await new Promise<void>((r) => epochServer.listen(0, "127.0.0.1", r));
    const keeperUrl = `http://127.0.0.1:${(epochServer.address() as AddressInfo).port}`;
    const missing = await as(opKey, ["rewards", "claim", "--claims", `${keeperUrl}/epochs/9.json`]);
    expectFail(missing, 4, /answered HTTP 404/);
    const claim = await as(opKey, ["rewards", "claim", "--claims", `${keeperUrl}/epochs/0.json`]);
    epochServer.close();
    expectOk(claim);
    expect(claim.json.claimed).to.have.length(1);
    expect(claim.json.claimed[0]).to.include({ epoch: 0, amount: "1,234.5", destination: operatorAta.toBase58() });
    expect(await proto.balance(operatorAta)).to.equal(aegis(3_000 + 1_234.5));
    const after = await as(opKey, ["rewards", "show", "--claims", epochFile]);
    expect(after.json).to.include({ pendingTotal: "0", claimedTotal: "1,234.5" });
  });

  it("unstake | withdraw: over the bonded stake fails by name; withdraw waits for the cooldown", async () => {
    const [tooMuch, badAmount] = await Promise.all([as(opKey, ["unstake", "1000000"]), as(opKey, ["unstake", "lots"])]);
    expectFail(tooMuch, 5, /staking::InvalidAmount.*within the balance/);
    expectFail(badAmount, 2, /"lots" is not a number of AEGIS/);
    const un = await as(opKey, ["unstake", "500"]);
    expectOk(un);
    expect(un.json).to.include({ unstaked: "500", bonded: "1,500", pendingUnstake: "500" });
    expectFail(await as(opKey, ["withdraw"]), 8, /cooldown ends at/);
    await net.warp({ seconds: DEFAULTS.cooldownSecs + 5 });
    const w = await as(opKey, ["withdraw"]);
    expectOk(w);
    expect(w.json.withdrawn).to.equal("500");
    expectFail(await as(opKey, ["withdraw"]), 8, /nothing to withdraw/);
  });

  it("slash show | dispute: a Pending proposal disputed by its operator; a stranger and a second dispute are refused", async () => {
    const [stake] = stakeKey(operator.publicKey);
    await staking
      .proposeSlash(stakingProgram(net.provider(proto.oracles[0]!)), {
        proposer: proto.oracles[0]!.publicKey, node, operator: operator.publicKey, nonce: 0, amount: aegis(40), reason: 2,
        evidenceHash: randomBytes(32), evidenceUri: "ipfs://bafkreievidence",
      })
      .rpc();
    const [proposal] = slashProposalKey(stake, 0);
    const list = await as(opKey, ["slash", "show"]);
    expectOk(list);
    expect(list.json.proposals).to.have.length(1);
    expect(list.json.proposals[0]).to.include({ nonce: 0, status: "Pending", amount: "40", proposal: proposal.toBase58() });
    const [notMine, nothing] = await Promise.all([as(strangerKey, ["slash", "dispute", proposal.toBase58()]), as(opKey, ["slash", "dispute", "7"])]);
    expectFail(notMine, 8, /against operator .* not /);
    expectFail(nothing, 6, /no slash proposal 7/);
    const d = await as(opKey, ["slash", "dispute", "#0"]);
    expectOk(d);
    expect(d.json).to.include({ status: "Disputed", bond: "100" });
    expectFail(await as(opKey, ["slash", "dispute", "0"]), 8, /is Disputed; only a Pending proposal/);
  });

  it("zone create | update | show | purge: the owner's zone on chain, purge through the node's admin API", async () => {
    const [bad, noOrigin] = await Promise.all([
      as(ownerKey, ["zone", "create", "Bad_Domain", "--origin", origin.url]),
      as(ownerKey, ["zone", "create", "other.test"]),
    ]);
    expectFail(bad, 2, /"Bad_Domain" is not a lower-case DNS name/);
    expectFail(noOrigin, 2, /a zone needs an origin/);
    const created = await as(ownerKey, ["zone", "create", "site.test", "--origin", origin.url, "--ttl", "60", "--waf", "detect"]);
    expectOk(created);
    expect(created.json).to.include({ created: true, policyVersion: 1 });
    const [dup, notOwner, update] = await Promise.all([
      as(ownerKey, ["zone", "create", "site.test", "--origin", origin.url]),
      as(strangerKey, ["zone", "update", "site.test", "--waf", "off"]),
      as(ownerKey, ["zone", "update", "site.test", "--waf", "block", "--rate-limit", "600/60", "--bots", "detect"]),
    ]);
    expectFail(dup, 8, /already registered/);
    expectFail(notOwner, 8, /owned by .* not by/);
    expectOk(update);
    expect(update.json.policyVersion).to.equal(2);
    const [shown, missing] = await Promise.all([as(ownerKey, ["zone", "show", "site.test"]), as(ownerKey, ["zone", "show", "nothere.test"])]);
    expectOk(shown);
    expect(shown.json.owner).to.equal(owner.publicKey.toBase58());
    expect(shown.json.policy.origins).to.deep.equal([{ url: origin.url, weight: 1 }]);
    expect(shown.json.policy.cache.defaultTtlSecs).to.equal(60);
    expect(shown.json.policy.waf.mode).to.equal("block");
    expect(shown.json.policy.rateLimit).to.deep.equal({ requests: 600, windowSecs: 60, burst: 0 });
    expect(shown.json.policy.bots.mode).to.equal("detect");
    expectFail(missing, 6, /nothere\.test is not registered/);

    // The edge node caches /page; a purge through the CLI removes it.
    await edge.get("/page");
    expect((await edge.get("/page")).headers["x-aegis-cache"]).to.match(/HIT/i);
    const [purged, down, noSelector] = await Promise.all([
      as(ownerKey, ["zone", "purge", "site.test", "--url", "/page", "--node-url", edge.node.metricsUrl]),
      as(ownerKey, ["zone", "purge", "site.test", "--url", "/page", "--node-url", "http://127.0.0.1:9"]),
      as(ownerKey, ["zone", "purge", "site.test", "--node-url", edge.node.metricsUrl]),
    ]);
    expectOk(purged);
    expect(purged.json.results[0]).to.include({ endpoint: edge.node.metricsUrl, ok: true });
    expectFail(down, 4, /no node accepted the purge/);
    expectFail(noSelector, 2, /exactly one of --url, --prefix, --tag/);
    expect((await edge.get("/page")).headers["x-aegis-cache"]).to.match(/MISS/i);
  });

  it("function deploy | list | rollback: CIDs computed locally as the node does", async () => {
    const v1 = join(dir, "v1.wasm");
    const v2 = join(dir, "v2.wasm");
    writeFileSync(v1, WASM_V1);
    writeFileSync(v2, WASM_V2);
    writeFileSync(join(dir, "notwasm.txt"), "hello world, not wasm");
    const cid1 = await cidOf(WASM_V1);
    const cid2 = await cidOf(WASM_V2);
    const d1 = await as(ownerKey, ["function", "deploy", v1, "--name", "hello", "--copy-to", join(dir, "modules")]);
    expectOk(d1);
    expect(d1.json).to.include({ cid: cid1, name: "hello", version: 1 });
    expect(existsSync(join(dir, "modules", `${cid1}.wasm`))).to.equal(true);
    const [d2, notWasm, strangerZone] = await Promise.all([
      as(ownerKey, ["function", "deploy", v2, "--name", "hello", "--zone", "site.test", "--route", "/fn/*", "--methods", "GET"]),
      as(ownerKey, ["function", "deploy", join(dir, "notwasm.txt"), "--name", "x"]),
      as(strangerKey, ["function", "deploy", v1, "--name", "hello", "--zone", "site.test"]),
    ]);
    expectOk(d2);
    expect(d2.json).to.include({ cid: cid2, version: 2 });
    expect(d2.json.routes).to.deep.equal(["/fn/*"]);
    expectFail(notWasm, 3, /is not a WebAssembly binary/);
    expectFail(strangerZone, 8, /site\.test belongs to/);
    const [list, shown] = await Promise.all([as(ownerKey, ["function", "list"]), as(ownerKey, ["zone", "show", "site.test"])]);
    expectOk(list);
    expect(list.json.modules).to.have.length(1);
    expect(list.json.modules[0]).to.include({ name: "hello", cid: cid2, previousCid: cid1, version: 2 });
    expect(shown.json.policy.functions[0]).to.deep.include({ pattern: "/fn/*", modules: ["hello"], methods: ["GET"] });
    const [rb, unknown] = await Promise.all([as(ownerKey, ["function", "rollback", "hello"]), as(ownerKey, ["function", "rollback", "nope"])]);
    expectOk(rb);
    expect(rb.json).to.include({ cid: cid1, previousCid: cid2, version: 3 });
    expectFail(unknown, 6, /no module named nope/);
  });

  it("metrics: the node's latest signed reports verify and match its on-chain identity; a tampered log fails", async () => {
    await edge.get("/metrics-traffic");
    await new Promise((r) => setTimeout(r, 1_200)); // at least two intervals close
    const m = await as(opKey, ["metrics", "--node-url", edge.node.metricsUrl, "--count", "4"]);
    expectOk(m);
    expect(m.json.verified).to.equal(true);
    expect(m.json.chain).to.equal("ok");
    expect(m.json.identity).to.equal(edge.node.identity.address);
    expect(m.json.onChain).to.deep.equal({ node: node.toBase58(), status: "Active" });
    expect(m.json.reports.length).to.be.within(2, 4);
    const lines = readFileSync(edge.node.analytics.path, "utf8").trim().split("\n");
    const last = Buffer.from(lines.at(-1)!, "base64");
    last[60] = last[60]! ^ 0xff;
    writeFileSync(join(dir, "tampered.log"), [...lines.slice(0, -1), last.toString("base64")].join("\n") + "\n");
    const [bad, noSource] = await Promise.all([as(opKey, ["metrics", "--reports", join(dir, "tampered.log"), "--offline"]), as(opKey, ["metrics"])]);
    expect(bad.code, show(bad)).to.equal(7);
    expect(bad.json.verified).to.equal(false);
    expectFail(noSource, 2, /--node-url/);
  });

  it("node deactivate: a stranger is refused; Active → Exiting; a second, never-bonded node Registered → Exited", async () => {
    expectFail(await as(strangerKey, ["node", "deactivate", "--node", node.toBase58()]), 8, /belongs to operator/);
    expectOk(await as(opKey, ["node", "register", "--identity", join(dir, "identity2.json")]));
    expectFail(await as(opKey, ["node", "deactivate"]), 2, /has 2 nodes: pick one with --node/);
    const [exit1, exit2] = await Promise.all([
      as(opKey, ["node", "deactivate", "--node", node.toBase58()]),
      as(opKey, ["node", "deactivate", "--identity", identity2.publicKey.toBase58()]),
    ]);
    expectOk(exit1);
    expect(exit1.json).to.include({ from: "Active", status: "Exiting" });
    expectOk(exit2);
    expect(exit2.json).to.include({ from: "Registered", status: "Exited" });
  });
});
