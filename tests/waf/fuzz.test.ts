/**
 * fast-check fuzzing: body parsers, transformations, detectors and a whole CRS transaction on
 * arbitrary input never throw and always finish within a generous bound (hang detection, not
 * a speed test).
 */
import { expect } from "chai";
import fc from "fast-check";
import { parseBody, processorFor, type BodyProcessor } from "../../node/src/waf/body/index.js";
import { loadCrs } from "../../node/src/waf/crs.js";
import { detectSqli } from "../../node/src/waf/detect/sqli.js";
import { detectXss } from "../../node/src/waf/detect/xss.js";
import { Transaction } from "../../node/src/waf/transaction.js";
import { TRANSFORMS } from "../../node/src/waf/transforms.js";
import { DEFAULT_LIMITS } from "../../node/src/waf/types.js";

const HANG_BOUND_MS = 2000;
const limits = { maxArgs: 500, jsonDepth: 32, xmlDepth: 32 };

function bounded<T>(f: () => T): T {
  const t0 = performance.now();
  const r = f();
  const ms = performance.now() - t0;
  expect(ms, "took longer than the hang bound").to.be.below(HANG_BOUND_MS);
  return r;
}

/** Binary strings biased towards the characters parsers and decoders care about. */
const binary = fc.oneof(
  fc.string({ maxLength: 2000 }),
  fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b).toString("latin1")),
  fc.array(fc.constantFrom("%", "u", "0", "f", "F", "&", "#", "x", ";", "\\", "/", "*", "-", "'", '"', "<", ">", "=", "\0", " ", "\n", "+", ".", "a", "9", "é", "€"), { maxLength: 3000 }).map((a) => a.join("")),
);

const multipart = fc.record({
  boundary: fc.stringMatching(/^[A-Za-z0-9'()+_,-.]{1,40}$/),
  parts: fc.array(fc.record({ name: fc.string({ maxLength: 20 }), filename: fc.option(fc.string({ maxLength: 20 })), content: fc.uint8Array({ maxLength: 300 }), lf: fc.boolean() }), { maxLength: 8 }),
  close: fc.boolean(),
}).map(({ boundary, parts, close }) => {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const nl = p.lf ? "\n" : "\r\n";
    const fn = p.filename === null ? "" : `; filename="${p.filename}"`;
    chunks.push(Buffer.from(`--${boundary}${nl}Content-Disposition: form-data; name="${p.name}"${fn}${nl}${nl}`, "latin1"), Buffer.from(p.content), Buffer.from(nl));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), ct: `multipart/form-data; boundary=${boundary}` };
});

describe("WAF: fuzzing (fast-check)", function () {
  this.timeout(300_000);

  it("every transformation accepts any binary string", () => {
    fc.assert(fc.property(binary, (s) => {
      for (const [name, f] of Object.entries(TRANSFORMS)) {
        const out = bounded(() => f(s));
        expect(typeof out, name).to.equal("string");
        expect(out.length, name).to.be.at.most(s.length * 6 + 64);
      }
    }), { numRuns: 400 });
  });

  it("body parsers accept any bytes under any content type", () => {
    const procs: BodyProcessor[] = ["URLENCODED", "MULTIPART", "JSON", "XML", ""];
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4000 }), fc.constantFrom(...procs), fc.string({ maxLength: 80 }), (bytes, proc, ct) => {
      const r = bounded(() => parseBody(Buffer.from(bytes), ct, proc, limits));
      expect(r.args.length).to.be.at.most(limits.maxArgs);
    }), { numRuns: 500 });
  });

  it("the multipart parser handles generated form-data, closed or not", () => {
    fc.assert(fc.property(multipart, ({ body, ct }) => {
      const r = bounded(() => parseBody(body, ct, processorFor(ct), limits));
      expect(r.processor).to.equal("MULTIPART");
    }), { numRuns: 300 });
  });

  it("the JSON parser bounds nesting and argument count", () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 50 }), fc.integer({ min: 0, max: 5000 }), (v, extraDepth) => {
      const text = "[".repeat(extraDepth) + JSON.stringify(v) + "]".repeat(extraDepth);
      const r = bounded(() => parseBody(Buffer.from(text), "application/json", "JSON", limits));
      if (extraDepth > limits.jsonDepth) expect(r.error).to.match(/nesting/);
      expect(r.args.length).to.be.at.most(limits.maxArgs);
    }), { numRuns: 200 });
  });

  it("the XML reader survives nesting bombs and garbage", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 20000 }), binary, (depth, junk) => {
      const text = "<a>".repeat(depth) + junk + "</a>".repeat(depth);
      bounded(() => parseBody(Buffer.from(text, "latin1"), "text/xml", "XML", limits));
    }), { numRuns: 100 });
  });

  it("the SQLi and XSS detectors accept any input", () => {
    fc.assert(fc.property(binary, (s) => {
      bounded(() => detectSqli(s));
      bounded(() => detectXss(s));
    }), { numRuns: 1000 });
  });

  it("a full CRS transaction (PL4, block) finishes on arbitrary requests", () => {
    const { ruleset } = loadCrs();
    const req = fc.record({
      path: fc.webPath(), query: binary.map((s) => encodeURIComponent(s).slice(0, 1500)),
      header: binary.map((s) => s.replace(/[\r\n]/g, " ").slice(0, 500)),
      body: fc.uint8Array({ maxLength: 2000 }), ct: fc.constantFrom("application/x-www-form-urlencoded", "application/json", "text/xml", "multipart/form-data; boundary=x", "text/plain"),
    });
    fc.assert(fc.property(req, (r) => {
      const t = new Transaction(ruleset, {
        id: "fuzz", method: "POST", uri: `${r.path || "/"}?q=${r.query}`, protocol: "HTTP/1.1",
        headers: [["Host", "fuzz.test"], ["User-Agent", r.header], ["Content-Type", r.ct], ["Cookie", `a=${r.header.slice(0, 100)}`]],
        remoteAddr: "127.0.0.1", body: Buffer.from(r.body),
      }, { mode: "block", limits: DEFAULT_LIMITS, txInit: { blocking_paranoia_level: "4", detection_paranoia_level: "4" } });
      bounded(() => t.runPhase(1) ?? t.runPhase(2));
    }), { numRuns: 150 });
  });
});
