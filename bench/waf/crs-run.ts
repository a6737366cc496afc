/** Runs the CRS regression suite in-process and writes the JSON report (dev tool; the mocha test runs it through the node). */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WafRequestPhase } from "../../node/src/waf/phase.js";
import { loadFtwTests } from "../../tests/waf/crs/ftw.js";
import { loadTestCrs, messagesOf } from "../../tests/waf/crs/setup.js";
import { runSuite, summarise, writeReport } from "../../tests/waf/crs/suite.js";
import { DecisionLog, inProcessTransport } from "../../tests/waf/crs/transports.js";

const { ruleset, location } = loadTestCrs();
const log = new DecisionLog();
const phase = new WafRequestPhase({ ruleset, onDecision: log.record });
let tests = loadFtwTests(location.testsDir!);
const filter = process.argv[2];
if (filter) tests = tests.filter((t) => String(t.ruleId).startsWith(filter));
const t0 = Date.now();
const outcomes = await runSuite(tests, ruleset, inProcessTransport(phase, phase.responsePhase(), log, messagesOf(ruleset)));
const r = summarise(outcomes, location.version, "in-process");
const out = process.env.AEGIS_CRS_REPORT ?? join(tmpdir(), "crs-inprocess.json");
writeReport(out, r);
console.log(`${r.passed}/${r.total} passed (${(r.passRate * 100).toFixed(2)}%) in ${Date.now() - t0} ms; report ${out}`);
