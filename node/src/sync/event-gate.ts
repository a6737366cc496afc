/**
 * The acceptance checks every signed event passes, in order: fresh timestamp, publisher is an
 * active staked node (serving the zone, for zone notices), valid signature, first sighting of
 * its (node, nonce). The signature is checked before the nonce is recorded, so a forged copy
 * cannot burn a genuine event's nonce.
 */
import { verifyEnvelope } from "./envelope.js";
import { checkTrust } from "./peer-directory.js";
import { ReplayGuard } from "./replay-guard.js";
import type { PeerDirectory, RejectReason, SignedEnvelope } from "./types.js";

export class EventGate {
  readonly guard: ReplayGuard;

  constructor(
    private readonly directory: PeerDirectory,
    opts: { maxAgeMs: number; maxSkewMs: number },
  ) {
    this.guard = new ReplayGuard(opts);
  }

  /** undefined = accept. */
  admit(env: SignedEnvelope, now: number, zone?: string): RejectReason | undefined {
    const timeReject = this.guard.checkTime(env.ts, now);
    if (timeReject) return timeReject;
    const trust = checkTrust(this.directory, env.node, zone);
    if (!trust.ok) return trust.reason;
    if (!verifyEnvelope(env)) return "bad_signature";
    if (this.guard.seenBefore(env.node, env.nonce, env.ts, now)) return "replay";
    return undefined;
  }

  /** Records an event this node published itself so its echo is not applied twice. */
  remember(env: SignedEnvelope, now: number): void {
    this.guard.seenBefore(env.node, env.nonce, env.ts, now);
  }
}
