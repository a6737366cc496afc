/**
 * A node whose NATS server is down at start works locally, then reconciles when the server
 * comes up: queued signed events and its counter state land in JetStream. This test starts its
 * own nats-server on a free loopback port (it needs a server that is down first).
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";
import pino from "pino";
import { generateIdentity } from "../../node/src/identity.js";
import { ConfigPeerDirectory } from "../../node/src/sync/peer-directory.js";
import { createNatsSyncNode, type SyncNode } from "../../node/src/sync/sync-node.js";
import { until } from "./fixtures/cluster.js";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe("sync: NATS unreachable at start", function () {
  this.timeout(60_000);
  let server: ChildProcess | undefined;
  let node: SyncNode | undefined;
  const dir = mkdtempSync(join(tmpdir(), "aegis-sync-offline-"));

  after(async () => {
    await node?.stop();
    server?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });

  it("enforces, blocks and queues locally, then publishes everything once NATS is up", async () => {
    const port = await freePort();
    const url = `nats://127.0.0.1:${port}`;
    const identity = generateIdentity();
    const directory = ConfigPeerDirectory.fromData({ peers: [{ address: identity.address, stake: "1" }] });
    const stream = `AEGIS_SYNC_OFF${randomBytes(3).toString("hex").toUpperCase()}`;
    const prefix = `aegis.off${randomBytes(3).toString("hex")}.sync`;
    node = createNatsSyncNode({ identity, directory, natsUrl: url, stream, subjectPrefix: prefix, logger: pino({ level: "silent" }) });
    await node.start();
    expect(node.transport.isConnected).to.equal(false);

    const rule = { requests: 5, windowSecs: 3600, burst: 0 };
    const decisions = Array.from({ length: 7 }, () => node!.limiter.check("shop.example", "192.0.2.50", rule));
    expect(decisions.map((d) => d.allowed)).to.deep.equal([true, true, true, true, true, false, false]);
    node.threats.report("192.0.2.66", { ttlSecs: 120, reason: "waf" });
    expect(node.blocklist.isBlocked("192.0.2.66")).to.equal(true);
    const purges: string[] = [];
    node.notices.subscribe((n) => purges.push(n.type), "shop.example");
    node.notices.publishPurge("shop.example", { all: true });
    expect(purges).to.deep.equal(["purge"]);

    server = spawn("nats-server", ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", join(dir, "js")], { stdio: "ignore" });
    await until(async () => node!.transport.isConnected, 20_000, 50);
    await node.settled();

    const nc = await connect({ servers: url });
    try {
      const jsm = await nc.jetstreamManager();
      await until(async () => (await jsm.streams.info(stream)).state.messages >= 3, 5000);
      const info = await jsm.streams.info(stream);
      const subjects = new Set<string>();
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) subjects.add((await jsm.streams.getMessage(stream, { seq })).subject);
      expect([...subjects].sort()).to.deep.equal([`${prefix}.notice.shop_example`, `${prefix}.rl.shop_example`, `${prefix}.threat`]);
    } finally {
      await nc.close();
    }
  });
});
