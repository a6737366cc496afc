/**
 * The user-space fallback (same API as the kernel filter) and the pieces both share: CIDR
 * parsing, sensitivity → budgets, and the automatic fallback with its warning.
 */
import { createServer, connect, type Server, type AddressInfo } from "node:net";
import { once } from "node:events";
import { Writable } from "node:stream";
import { expect } from "chai";
import { pino } from "pino";
import { Registry } from "prom-client";
import { parseCidr } from "../../node/src/xdp/cidr.js";
import { applyZonePolicies, createDdosFilter } from "../../node/src/xdp/create.js";
import { XdpError } from "../../node/src/xdp/errors.js";
import { guardServer } from "../../node/src/xdp/guard.js";
import { limitsForSensitivity, sensitivityOf } from "../../node/src/xdp/limits.js";
import { UserspaceFilter } from "../../node/src/xdp/userspace-filter.js";
import { zonePolicySchema } from "../../node/src/policy/schema.js";

const silent = pino({ level: "silent" });

describe("xdp: CIDR parsing", () => {
  it("normalises IPv4, IPv6 and IPv4-mapped forms into one 16-byte space", () => {
    expect(parseCidr("10.1.2.3/8").cidr).to.equal("10.0.0.0/8");
    expect(parseCidr("10.1.2.3/8").prefixLen).to.equal(104);
    expect(parseCidr("192.0.2.7").cidr).to.equal("192.0.2.7/32");
    expect(parseCidr("2001:DB8:0:0:1::ff/32").cidr).to.equal("2001:db8::/32");
    expect(parseCidr("fd00:77::2").cidr).to.equal("fd00:77::2/128");
    expect(parseCidr("::/0").cidr).to.equal("::/0");
    expect(Buffer.from(parseCidr("::ffff:1.2.3.4/128").addr).toString("hex")).to.equal(
      Buffer.from(parseCidr("1.2.3.4/32").addr).toString("hex"),
    );
  });

  it("rejects bad input with AEGIS_ERR_XDP_BAD_CIDR", () => {
    for (const bad of ["", "10.0.0.0/33", "::/129", "10.0.0.256", "host.example", "10.0.0.0/-1", "10.0.0.0/8/8", "1.2.3.4/ 8"]) {
      expect(() => parseCidr(bad), bad).to.throw(XdpError).with.property("code", "AEGIS_ERR_XDP_BAD_CIDR");
    }
  });
});

describe("xdp: sensitivity", () => {
  it("maps 0 to no budgets and tightens with each step; the strictest zone wins", () => {
    expect(limitsForSensitivity(0)).to.deep.equal({ packetsPerSec: 0, packetBurst: 0, synPerSec: 0, synBurst: 0 });
    for (let s = 1; s < 5; s++) {
      expect(limitsForSensitivity(s + 1).synPerSec).to.be.below(limitsForSensitivity(s).synPerSec);
      expect(limitsForSensitivity(s + 1).packetsPerSec).to.be.below(limitsForSensitivity(s).packetsPerSec);
    }
    const zone = (sensitivity: number) =>
      zonePolicySchema.parse({ domain: "a.example", policyVersion: 1, origins: [{ url: "http://127.0.0.1:1" }], ddos: { sensitivity } });
    expect(sensitivityOf([zone(1), zone(4), zone(0)])).to.equal(4);
    expect(sensitivityOf([])).to.equal(0);
  });
});

describe("xdp: user-space fallback limiter", () => {
  let t = 0;
  const now = () => t;
  const make = (registry = new Registry()) =>
    new UserspaceFilter({
      limits: { packetsPerSec: 10, packetBurst: 5, synPerSec: 2, synBurst: 3 },
      logger: silent,
      registry,
      sweepIntervalMs: 0,
      now,
    });

  beforeEach(() => {
    t = 1000;
  });

  it("spends the SYN budget on connections and the packet budget on requests, per source", async () => {
    const f = make();
    const conns = Array.from({ length: 5 }, () => f.admit("198.51.100.1", "connection"));
    expect(conns).to.deep.equal([true, true, true, false, false]);
    // Another source has its own buckets; requests of the first source are unaffected.
    expect(f.admit("198.51.100.2", "connection")).to.equal(true);
    const reqs = Array.from({ length: 7 }, () => f.admit("198.51.100.1", "request"));
    expect(reqs.filter(Boolean)).to.have.length(5);
    t += 500; // half a second refills 1 SYN and 5 requests
    expect(f.admit("198.51.100.1", "connection")).to.equal(true);
    expect(f.admit("198.51.100.1", "connection")).to.equal(false);
    expect(Array.from({ length: 6 }, () => f.admit("198.51.100.1", "request")).filter(Boolean)).to.have.length(5);
    const c = await f.counters();
    expect(c.pass_syn.packets).to.equal(5);
    expect(c.drop_syn_rate.packets).to.equal(3);
    expect(c.pass.packets).to.equal(10);
    expect(c.drop_rate.packets).to.equal(3);
    await f.close();
  });

  it("applies block and allow lists by longest prefix, IPv4 and IPv6, with expiry and a sweep", async () => {
    const registry = new Registry();
    const f = make(registry);
    await f.block("203.0.113.0/24", 0, "threat-intel");
    await f.block("2001:db8::/32", 10, "manual");
    await f.allow("203.0.113.9", 0);
    expect(f.admit("203.0.113.8", "request")).to.equal(false);
    expect(f.admit("::ffff:203.0.113.8", "request")).to.equal(false);
    expect(f.admit("203.0.113.9", "request")).to.equal(true);
    expect(f.admit("2001:db8:1::5", "connection")).to.equal(false);
    expect(f.admit("2001:db9::5", "connection")).to.equal(true);
    t += 10_001;
    expect(f.admit("2001:db8:1::5", "connection")).to.equal(true);
    expect((await f.listBlocked()).map((e) => e.cidr).sort()).to.deep.equal(["2001:db8::/32", "203.0.113.0/24"]);
    expect(await f.sweep()).to.equal(1);
    expect((await f.listBlocked()).map((e) => e.cidr)).to.deep.equal(["203.0.113.0/24"]);
    expect(await f.unblock("203.0.113.0/24")).to.equal(true);
    expect(await f.unblock("203.0.113.0/24")).to.equal(false);
    expect(f.admit("203.0.113.8", "request")).to.equal(true);
    const text = await registry.metrics();
    expect(text).to.match(/aegis_ddos_filter_packets_total\{verdict="drop_blocklist"\} 3/);
    expect(text).to.match(/aegis_ddos_filter_expired_removed_total 1/);
    expect(text).to.match(/aegis_ddos_filter_mode\{mode="userspace"\} 1/);
    await f.close();
  });

  it("matches prefixes of every length, not only whole hex digits, the same as a bitwise comparison", async () => {
    const f = make();
    await f.setLimits({ packetsPerSec: 0, packetBurst: 0, synPerSec: 0, synBurst: 0 }); // lists only
    const addrs = ["198.51.100.77", "198.51.101.1", "198.50.0.1", "10.0.0.1", "2001:db8:8000::1", "2001:db8:7fff::1", "::1", "::3"];
    const bits = (ip: string) => [...Buffer.from(parseCidr(ip).addr)].map((b) => b.toString(2).padStart(8, "0")).join("");
    for (const [cidr, len] of [["198.51.100.64/26", 122], ["198.51.100.0/23", 119], ["198.48.0.0/13", 109], ["2001:db8:8000::/33", 33], ["::/127", 127]] as const) {
      await f.block(cidr, 0);
      const net = bits(cidr.split("/")[0]!).slice(0, len);
      for (const a of addrs) expect(f.admit(a, "request"), `${a} in ${cidr}`).to.equal(!bits(a).startsWith(net));
      await f.unblock(cidr);
    }
    await f.close();
  });

  it("applies the good entries of a batch and reports the bad ones", async () => {
    const f = make();
    const r = await f.blockMany([
      { cidr: "192.0.2.0/24", ttlSecs: 60 },
      { cidr: "192.0.2.0/40", ttlSecs: 60 },
      { cidr: "192.0.2.1", ttlSecs: -1 },
    ]);
    expect(r.applied).to.equal(1);
    expect(r.rejected.map((x) => x.error)).to.satisfy((m: string[]) => m[0]!.includes("prefix length") && m[1]!.includes("ttlSecs"));
    const bad = await f.setLimits({ packetsPerSec: -1, packetBurst: 0, synPerSec: 0, synBurst: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(bad).to.be.instanceOf(XdpError).with.property("code", "AEGIS_ERR_XDP_BAD_LIMITS");
    await f.close();
  });

  it("follows zone sensitivity: 0 turns budgets off", async () => {
    const f = make();
    const zone = zonePolicySchema.parse({ domain: "a.example", policyVersion: 1, origins: [{ url: "http://127.0.0.1:1" }], ddos: { sensitivity: 0 } });
    await applyZonePolicies(f, [zone]);
    expect(Array.from({ length: 100 }, () => f.admit("198.51.100.7", "connection")).every(Boolean)).to.equal(true);
    await applyZonePolicies(f, [{ ddos: { sensitivity: 5 } }]);
    expect(f.limits().synPerSec).to.equal(limitsForSensitivity(5).synPerSec);
    await f.close();
  });

  it("closes connections over the SYN budget on a real server (guardServer)", async () => {
    const f = new UserspaceFilter({ limits: { packetsPerSec: 0, packetBurst: 0, synPerSec: 1, synBurst: 2 }, logger: silent, sweepIntervalMs: 0 });
    const server: Server = createServer((s) => s.end("hello"));
    guardServer(f, server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as AddressInfo).port;
    const fetchOnce = async () => {
      const s = connect(port, "127.0.0.1");
      let data = "";
      s.on("data", (d) => (data += d));
      s.on("error", () => undefined);
      await once(s, "close");
      return data;
    };
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await fetchOnce());
    server.close();
    await f.close();
    expect(results.slice(0, 2)).to.deep.equal(["hello", "hello"]);
    expect(results.slice(2).filter((r) => r === "").length).to.be.at.least(1);
  });
});

describe("xdp: createDdosFilter fallback", () => {
  it("falls back to the user-space limiter with a clear warning when XDP cannot attach", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        cb();
      },
    });
    const logger = pino({ level: "info" }, sink);
    const f = await createDdosFilter({ xdp: { iface: "aegis-none0", sweepIntervalMs: 0 }, sensitivity: 3, logger });
    expect(f.mode).to.equal("userspace");
    expect(f.limits()).to.deep.equal(limitsForSensitivity(3));
    const warn = lines.find((l) => l.level === 40);
    expect(warn?.msg).to.match(/falling back to the user-space limiter/);
    expect(warn?.code).to.match(/^AEGIS_ERR_XDP_/);
    await f.close();
  });

  it("refuses to fall back when the engine is forced to xdp", async () => {
    let err: unknown;
    try {
      await createDdosFilter({ engine: "xdp", xdp: { iface: "aegis-none0" }, logger: silent });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(XdpError);
  });

  it("uses user space without a configured interface", async () => {
    const f = await createDdosFilter({ logger: silent });
    expect(f.mode).to.equal("userspace");
    await f.close();
  });
});
