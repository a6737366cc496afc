/**
 * Per-request cost of CRS PL1 (block) in-process (profiling aid): the bench mix of mix.lua
 * (values vary per request), the same four requests repeated verbatim, and the benign corpus.
 *   npx tsx bench/waf/profile.ts [debian]
 */
import type { EdgeRequest } from "../../node/src/phase.js";
import { zonePolicySchema } from "../../node/src/policy/schema.js";
import { DEBIAN_CRS, loadCrs } from "../../node/src/waf/crs.js";
import { WafRequestPhase } from "../../node/src/waf/phase.js";
import { generateBenignCorpus } from "../../tests/waf/corpus/benign.js";
import { toEdgeRequest } from "../../tests/waf/corpus/edge.js";

const { ruleset } = loadCrs(process.argv[2] === "debian" ? { location: DEBIAN_CRS } : {});
const waf = new WafRequestPhase({ ruleset });
const policy = zonePolicySchema.parse({ domain: "bench.test", policyVersion: 1, origins: [{ url: "http://127.0.0.1:9" }], waf: { mode: "block", paranoia: 1, allowedMethods: ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"] } });

const words = ["running", "shoes", "red", "jacket", "waterproof", "kids", "sale", "wool", "socks", "trail",
  "leather", "boots", "summer", "dress", "linen", "shirt", "gift", "card", "winter", "hat"];
const sorts = ["price_asc", "price_desc", "newest", "rating"];
/** Request n of mix.lua. */
function mixRequest(n: number): EdgeRequest {
  const hex = (v: number, w: number): string => v.toString(16).padStart(w, "0");
  const h: Array<[string, string]> = [["Host", "bench.test"], ["User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"], ["Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"], ["Accept-Language", "en-US,en;q=0.5"], ["Accept-Encoding", "gzip, deflate, br"], ["Cookie", `session=${hex((n * 2654435761) % 4294967296, 8)}${hex(n % 65536, 4)}; theme=dark`]];
  const word = (k: number): string => words[(n * 7 + k * 13) % words.length]!;
  const post = (uri: string, type: string, body: string): EdgeRequest =>
    toEdgeRequest({ kind: "form", method: "POST", uri, headers: [...h, ["Content-Type", type], ["Content-Length", String(body.length)]], body: Buffer.from(body).toString("base64") }, `m${n}`);
  switch (n % 4) {
    case 1: return toEdgeRequest({ kind: "browser", method: "GET", uri: "/", headers: h }, `m${n}`);
    case 2: return toEdgeRequest({ kind: "browser", method: "GET", uri: `/search?q=${word(1)}+${word(2)}+${n}&page=${(n % 9) + 1}&sort=${sorts[n % sorts.length]}`, headers: h }, `m${n}`);
    case 3: return post("/login", "application/x-www-form-urlencoded", `username=${word(1)}${n}&password=Secr3t-${(n * 31) % 100000}%21&remember=on&comment=Great+${word(2)}%2C+arrived+on+time+${n}.`);
    default: return post("/api/v2/cart", "application/json", `{"items":[{"sku":"SKU-${n}","qty":${(n % 5) + 1}}],"coupon":"${word(3).toUpperCase()}${n % 100}","address":{"city":"Z\\u00fcrich","zip":"${8000 + (n % 100)}"}}`);
  }
}

const varied = Array.from({ length: 8000 }, (_v, i) => mixRequest(i + 1));
const verbatim = Array.from({ length: 8000 }, (_v, i) => mixRequest((i % 4) + 1));
const corpus = generateBenignCorpus().map((c, i) => toEdgeRequest(c, `p${i}`));
for (const [label, list] of [["bench mix (mix.lua)", varied], ["4 requests repeated verbatim", verbatim], ["benign corpus x3", [...corpus, ...corpus, ...corpus]]] as const) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let blocked = 0;
  for (const r of list) if (waf.onRequest(r, policy).kind !== "continue") blocked++;
  const c = process.cpuUsage(c0);
  const wall = (performance.now() - t0) / list.length;
  const cpu = (c.user + c.system) / 1000 / list.length;
  console.log(`${label}: ${cpu.toFixed(3)} ms CPU/request, ${wall.toFixed(3)} ms wall (${list.length} requests, ${blocked} blocked)`);
}
