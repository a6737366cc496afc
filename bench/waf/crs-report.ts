/**
 * Renders a CRS regression report (JSON from tests/waf/crs-regression.test.ts) as the
 * markdown table of failures in docs/WAF.md, each with its explanation.
 *   npx tsx bench/waf/crs-report.ts /tmp/crs-regression.json
 */
import { readFileSync } from "node:fs";
import type { SuiteReport, TestOutcome } from "../../tests/waf/crs/suite.js";

const report = JSON.parse(readFileSync(process.argv[2] ?? "/tmp/crs-regression.json", "utf8")) as SuiteReport;

/** Explanations for individual tests whose cause is specific (checked by hand). */
const SPECIFIC: Record<string, string> = {
  "920181-1": "Content-Length together with Transfer-Encoding: the node refuses it as a request-smuggling risk (400) before the WAF phase; Apache drops Content-Length and lets it through, which the test expects.",
  "920620-1": "Two Content-Type headers: Apache merges them into one; the node keeps both and 920620 (multiple Content-Type) fires as its name says.",
  "920640-4": "Empty Content-Type with a body: Apache/ModSecurity treat it as absent; our engine reports 920470 (Content-Type format) as well.",
  "920640-5": "Chunked body without Content-Type: the node answers 400 for this framing (WAF logged 920180), where Apache accepts it; the test expects 200.",
  "920272-5": "Test expects httpd to normalise the request; our engine sees the raw bytes and 920272 fires at PL3.",
  "922100-1": "Multipart charset check on the part's _charset_ field: our multipart parser does not expose _charset_ as the MULTIPART charset variable CRS reads.",
  "922100-3": "As 922100-1 (the engine does not model the _charset_ field).",
  "932207-7": "Log format: the test matches ModSecurity's exact 'Matched Data: … found within …' logdata with the URL-fragment payload; our capture of this chained rule reports a shorter TX:0.",
  "932300-10": "Log format: expects logdata to contain the captured SMTP command; our chained-rule capture yields a different TX:0.",
  "942101-9": "942101 inspects REQUEST_BASENAME/FILENAME after normalisation; our REQUEST_FILENAME decoding differs from Apache's for this comment-in-path case.",
  "942101-10": "Negative test: same REQUEST_FILENAME decoding difference makes 942101 fire on an incomplete SQL fragment in the path.",
  "941110-8": "Cookie name with UTF-8 payload: the test relies on Apache's decoding of the Cookie header; we see the raw bytes (941390 fires instead).",
  "942420-3": "UTF-8 quote characters in a cookie: we detect the SQLi via 942100 (libinjection-like detector) but 942420's count of special characters differs after our utf8toUnicode handling.",
  "942420-4": "As 942420-3.",
  "942421-1": "As 942420-3 (PL4 variant).",
  "944150-23": "Log4J payload variant in User-Agent (nested lookups): 944150 does not match it in our engine (a transformation difference on this payload); the request is still blocked, via 920420.",
  "944151-23": "As 944150-23 (PL2 variant).",
  "944152-23": "As 944150-23 (PL4 variant).",
  "942421-2": "As 942420-3 (PL4 variant).",
  "920100-16": "The node's HTTP parser normalises this request line before the WAF sees it, so REQUEST_LINE no longer shows the anomaly 920100 looks for.",
  "959100-3": "As the response-phase failures: the request is blocked in block mode before the outbound evaluation runs.",
  "980170-1": "980170 is a phase-5 (logging) correlation rule; the node does not run phase 5.",
  "980170-2": "980170 is a phase-5 (logging) correlation rule; the node does not run phase 5.",
};

function explain(o: TestOutcome): string {
  if (SPECIFIC[o.id]) return SPECIFIC[o.id]!;
  const r = o.reason;
  if (/status 421/.test(r)) return "The request's Host is not a zone on the node (421 before any phase runs).";
  if (/status 400; logged nothing|status 400, .*logged nothing/.test(r)) {
    return "Rejected by the node's HTTP parser / request hardening with 400 before the WAF phase runs (the test expects the WAF to see and log it).";
  }
  if (/status 0/.test(r)) return "Node's HTTP parser closed the connection on the malformed request (no WAF phase).";
  if (/expected ids not logged: 9(5\d|80)\d*/.test(r) && /status 403/.test(r)) {
    return "Response-phase rule: the test request itself carries the payload, so in block mode the request phase blocks it (403) and the response rules never run. CRS's harness runs these in DetectionOnly.";
  }
  if (/^status \d+, expected (400|200)/.test(r)) {
    return "Status expectation of Apache httpd's own behaviour (e.g. httpd rejects the malformed request with 400, or the test expects the request to pass); our node's WAF logged the expected rule and blocked with 403.";
  }
  if (/expected a client error/.test(r)) return "The test expects the web server to refuse the request line (HTTP/0.9 style); the node accepted it.";
  return "Engine difference (see the notes above).";
}

const failures = report.failures;
console.log(`CRS ${report.crsVersion} via ${report.transport}: ${report.passed}/${report.total} passed (${(report.passRate * 100).toFixed(2)}%), ${report.failed} failing.\n`);
console.log("| test | PL | what the harness saw | why |");
console.log("|---|---|---|---|");
for (const o of failures) {
  console.log(`| ${o.id} | ${o.paranoia} | ${o.reason.replace(/\|/g, "\\|").replace(/\n/g, " ").slice(0, 220)} | ${explain(o)} |`);
}
