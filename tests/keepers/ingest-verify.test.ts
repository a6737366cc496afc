/** The keeper's Ed25519 path (node:crypto) agrees with the node's own verifyReport on real reports. */
import { expect } from "chai";
import fc from "fast-check";
import { decodeReport, verifyReport } from "../../node/src/analytics/report.js";
import { generateIdentity } from "../../node/src/identity.js";
import { verifyEd25519 } from "../../keepers/src/ed25519.js";
import { ReportSigner } from "./helpers.js";

describe("keeper signature verification", () => {
  it("accepts exactly what node/src/analytics/report.ts verifyReport accepts (valid, bit-flipped, other key)", () => {
    const id = generateIdentity();
    const other = generateIdentity();
    const s = new ReportSigner(id);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 7 }), fc.boolean(), (req, pos, bit, flip) => {
        const bytes = Buffer.from(s.next(1_000, 2_000, BigInt(req), BigInt(req * 100)));
        if (flip) {
          const i = pos % bytes.length;
          bytes.writeUInt8(bytes.readUInt8(i) ^ (1 << bit), i);
        }
        let d;
        try {
          d = decodeReport(bytes);
        } catch {
          expect(verifyReport(bytes)).to.equal(false);
          return;
        }
        expect(verifyEd25519(d.report.nodePublicKey, d.body, d.signature)).to.equal(verifyReport(bytes));
        expect(verifyEd25519(other.publicKey, d.body, d.signature)).to.equal(false);
        if (!flip) expect(verifyEd25519(id.publicKey, d.body, d.signature)).to.equal(true);
      }),
      { numRuns: 300 },
    );
  });
});
