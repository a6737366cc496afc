/** Per-request cost of CRS PL1 (block) in-process on the bench mix and the benign corpus (profiling aid). */
import { zonePolicySchema } from "../../node/src/policy/schema.js";
import { DEBIAN_CRS, loadCrs } from "../../node/src/waf/crs.js";
import { WafRequestPhase } from "../../node/src/waf/phase.js";
import { generateBenignCorpus } from "../../tests/waf/corpus/benign.js";
import { toEdgeRequest } from "../../tests/waf/corpus/edge.js";

const { ruleset } = loadCrs(process.argv[2] === "debian" ? { location: DEBIAN_CRS } : {});
const waf = new WafRequestPhase({ ruleset });
const policy = zonePolicySchema.parse({ domain: "bench.test", policyVersion: 1, origins: [{ url: "http://127.0.0.1:9" }], waf: { mode: "block", paranoia: 1, allowedMethods: ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"] } });
const h: Array<[string, string]> = [["Host", "bench.test"], ["User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"], ["Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"], ["Accept-Language", "en-US,en;q=0.5"], ["Accept-Encoding", "gzip, deflate, br"], ["Cookie", "session=6f1c2a9b8e; theme=dark"]];
const form = "username=alice&password=Secr3t-pass%21&remember=on&comment=Great+product%2C+arrived+on+time.";
const json = '{"items":[{"sku":"SKU-1234","qty":2}],"coupon":"SPRING10","address":{"city":"Z\\u00fcrich","zip":"8001"}}';
const mix = [
  toEdgeRequest({ kind: "browser", method: "GET", uri: "/", headers: h }, "m1"),
  toEdgeRequest({ kind: "browser", method: "GET", uri: "/search?q=running+shoes&page=2&sort=price_asc", headers: h }, "m2"),
  toEdgeRequest({ kind: "form", method: "POST", uri: "/login", headers: [...h, ["Content-Type", "application/x-www-form-urlencoded"], ["Content-Length", String(form.length)]], body: Buffer.from(form).toString("base64") }, "m3"),
  toEdgeRequest({ kind: "json-api", method: "POST", uri: "/api/v2/cart", headers: [...h, ["Content-Type", "application/json"], ["Content-Length", String(json.length)]], body: Buffer.from(json).toString("base64") }, "m4"),
];
const corpus = generateBenignCorpus().map((c, i) => toEdgeRequest(c, `p${i}`));
for (const [label, list, n] of [["bench mix", mix, 2000], ["benign corpus", corpus, 3]] as const) {
  const t0 = performance.now();
  let count = 0;
  for (let k = 0; k < n; k++) for (const r of list) { waf.onRequest(r, policy); count++; }
  console.log(`${label}: ${((performance.now() - t0) / count).toFixed(3)} ms/request (${count} requests)`);
}
