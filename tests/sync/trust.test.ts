import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateIdentity } from "../../node/src/identity.js";
import { ConfigPeerDirectory, checkTrust } from "../../node/src/sync/peer-directory.js";
import { decodeEnvelope, encodeEnvelope, signEnvelope, verifyEnvelope } from "../../node/src/sync/envelope.js";
import { EventGate } from "../../node/src/sync/event-gate.js";
import { PeerDirectoryError } from "../../node/src/sync/errors.js";

describe("sync: signed envelopes and the config peer directory", () => {
  const staked = generateIdentity();
  const poor = generateIdentity();
  const retired = generateIdentity();
  const stranger = generateIdentity();
  const dir = ConfigPeerDirectory.fromData({
    min_stake: "1000",
    peers: [
      { address: staked.address, stake: "5000", zones: ["shop.example"] },
      { address: poor.address, stake: 10 },
      { address: retired.address, stake: "5000", active: false },
    ],
  });
  const body = { action: "block", ip: "203.0.113.5", ttlSecs: 60, reason: "waf" } as const;

  it("verifies a signature over every field and rejects any change", () => {
    const env = signEnvelope(staked, "threat", 1, body);
    expect(verifyEnvelope(env)).to.equal(true);
    expect(verifyEnvelope({ ...env, body: { ...body, ip: "203.0.113.6" } })).to.equal(false);
    expect(verifyEnvelope({ ...env, ts: env.ts + 1 })).to.equal(false);
    expect(verifyEnvelope({ ...env, node: stranger.address })).to.equal(false);
    const decoded = decodeEnvelope(encodeEnvelope(env));
    expect(decoded.ok && verifyEnvelope(decoded.env)).to.equal(true);
  });

  it("decodes only well-formed envelopes", () => {
    const env = signEnvelope(staked, "threat", 1, { ...body, ip: "not-an-ip" });
    const d = decodeEnvelope(encodeEnvelope(env));
    expect(d.ok).to.equal(false);
    expect(decodeEnvelope(new TextEncoder().encode("[]")).ok).to.equal(false);
  });

  it("trusts only active nodes with enough stake, serving the zone when zones are listed", () => {
    expect(checkTrust(dir, staked.address, "shop.example").ok).to.equal(true);
    expect(checkTrust(dir, staked.address, "other.example")).to.deep.equal({ ok: false, reason: "not_serving_zone" });
    expect(checkTrust(dir, poor.address)).to.deep.equal({ ok: false, reason: "insufficient_stake" });
    expect(checkTrust(dir, retired.address)).to.deep.equal({ ok: false, reason: "inactive_peer" });
    expect(checkTrust(dir, stranger.address)).to.deep.equal({ ok: false, reason: "unknown_peer" });
    expect(dir.nodesServing("shop.example")).to.equal(1);
  });

  it("the gate rejects unknown keys, forgeries, replays and stale or future timestamps", () => {
    const now = Date.now();
    const gate = new EventGate(dir, { maxAgeMs: 60_000, maxSkewMs: 5_000 });
    const env = signEnvelope(staked, "threat", 1, body, now);
    expect(gate.admit(signEnvelope(stranger, "threat", 1, body, now), now)).to.equal("unknown_peer");
    const forged = { ...env, body: { ...body, ttlSecs: 86_400 } };
    expect(gate.admit(forged, now)).to.equal("bad_signature");
    expect(gate.admit(env, now), "the forgery did not burn the nonce").to.equal(undefined);
    expect(gate.admit(env, now + 10)).to.equal("replay");
    expect(gate.admit(signEnvelope(staked, "threat", 2, body, now - 61_000), now)).to.equal("stale");
    expect(gate.admit(signEnvelope(staked, "threat", 3, body, now + 6_000), now)).to.equal("future");
  });

  it("loads TOML, reloads on change, keeps the last good directory on a bad file", () => {
    const tmp = mkdtempSync(join(tmpdir(), "aegis-peers-"));
    try {
      const path = join(tmp, "peers.toml");
      writeFileSync(path, `min_stake = "100"\n[[peers]]\naddress = "${staked.address}"\nstake = "100"\nzones = ["a.example"]\n`);
      const d = ConfigPeerDirectory.load(path);
      expect(checkTrust(d, staked.address).ok).to.equal(true);
      writeFileSync(path, `min_stake = "100"\n[[peers]]\naddress = "nope"\nstake = "100"\n`);
      const err = d.reload(path);
      expect(err).to.be.instanceOf(PeerDirectoryError);
      expect(err!.code).to.equal("AEGIS_ERR_SYNC_PEER_DIRECTORY");
      expect(checkTrust(d, staked.address).ok, "last good kept").to.equal(true);
      writeFileSync(path, `min_stake = "100"\n[[peers]]\naddress = "${staked.address}"\nstake = "100"\nactive = false\n`);
      expect(d.reload(path)).to.equal(undefined);
      expect(checkTrust(d, staked.address).ok).to.equal(false);
      expect(() => ConfigPeerDirectory.load(join(tmp, "missing.toml"))).to.throw(PeerDirectoryError);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
