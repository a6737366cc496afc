/**
 * Acceptance: the OWASP CRS regression tests of the CRS version the node runs, sent as raw
 * HTTP to a real edge node (WAF in block mode, at the paranoia level of each test's rule),
 * judged from the rule ids the WAF logged. Writes the full report (every failure with its
 * reason) to $AEGIS_CRS_REPORT or the temp dir; docs/WAF.md lists and explains the failures.
 */
import { expect } from "chai";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EdgeRequest, RequestPhase } from "../../node/src/phase.js";
import { zonePolicySchema, type ZonePolicy } from "../../node/src/policy/schema.js";
import { WafRequestPhase } from "../../node/src/waf/phase.js";
import { startOrigin, startTestNode, zoneFor, type TestNode, type TestOrigin } from "../helpers/edge.js";
import { loadFtwTests } from "./crs/ftw.js";
import { loadTestCrs, messagesOf } from "./crs/setup.js";
import { runSuite, summarise, writeReport } from "./crs/suite.js";
import { DecisionLog, nodeTransport, reflect } from "./crs/transports.js";

/** Pass rate measured for CRS 4.25.0 through the node; a drop below this is a regression. */
const MIN_PASS_RATE = 0.9;

describe("WAF: OWASP CRS regression tests through the edge node (block mode)", function () {
  this.timeout(600_000);
  let origin: TestOrigin;
  let edge: TestNode;

  after(async () => {
    await edge?.close();
    await origin?.close();
  });

  it("passes the CRS regression suite at each test's paranoia level", async () => {
    const { ruleset, location } = loadTestCrs();
    expect(location.testsDir, "CRS regression tests not installed: run scripts/setup/waf.sh").to.be.a("string");
    const log = new DecisionLog();
    const waf = new WafRequestPhase({ ruleset, onDecision: log.record });
    let paranoia = 1;
    // The zone's policy, with the paranoia level of the test being run.
    const atLevel = (p: ZonePolicy): ZonePolicy => ({ ...p, waf: { ...p.waf, paranoia } });
    const wafAtLevel: RequestPhase = { name: "waf", onRequest: (r: EdgeRequest, p: ZonePolicy) => waf.onRequest(r, atLevel(p)) };
    const response = waf.responsePhase();
    // AEGIS_CRS_FILTER=9511 runs only the tests of matching rule ids (debugging aid).
    const filter = process.env.AEGIS_CRS_FILTER;
    const tests = loadFtwTests(location.testsDir!).filter((t) => !filter || String(t.ruleId).startsWith(filter));
    origin = await startOrigin((req, res, body) => {
      const r = reflect(req.method ?? "GET", req.url ?? "/", body);
      res.writeHead(r.status, r.headers);
      res.end(r.body);
    });
    // CRS tests address a server that answers any Host: every host the tests name is a zone.
    const hosts = new Set<string>(["localhost"]);
    for (const t of tests) {
      for (const st of t.stages) {
        const h = Object.entries(st.input.headers ?? {}).find(([k]) => k.toLowerCase() === "host")?.[1];
        const d = String(h ?? "").toLowerCase().replace(/:\d+$/, "");
        if (zonePolicySchema.shape.domain.safeParse(d).success) hosts.add(d);
      }
    }
    const wafPolicy = { mode: "block" as const, paranoia: 1, inboundThreshold: 5, responseRules: true };
    edge = await startTestNode({
      zones: [...hosts].map((h) => zoneFor(h, origin, { cache: { enabled: false }, waf: wafPolicy })),
      config: {
        requestPhases: [wafAtLevel],
        responsePhases: [{ name: "waf-response", onResponse: (r, res, p) => response.onResponse(r, res, atLevel(p)) }],
      },
    });
    const url = new URL(edge.node.httpUrl);
    const transport = nodeTransport(url.hostname, Number(url.port), log, messagesOf(ruleset), (pl) => (paranoia = pl));
    const outcomes = await runSuite(tests, ruleset, transport);
    const report = summarise(outcomes, location.version, "edge-node");
    const path = process.env.AEGIS_CRS_REPORT ?? join(tmpdir(), "crs-regression.json");
    writeReport(path, report);
    if (!filter) expect(report.total).to.be.greaterThan(4000);
    expect(report.passRate, `${report.failed} failures, see ${path}`).to.be.at.least(MIN_PASS_RATE);
  });
});
