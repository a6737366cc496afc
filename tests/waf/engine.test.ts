import { expect } from "chai";
import { zonePolicySchema } from "../../node/src/policy/schema.js";
import type { EdgeRequest } from "../../node/src/phase.js";
import { detectSqli } from "../../node/src/waf/detect/sqli.js";
import { detectXss } from "../../node/src/waf/detect/xss.js";
import { MEMO_BUDGET, MEMO_MAX_INPUT, Memo } from "../../node/src/waf/memo.js";
import { WafRequestPhase, type WafDecision } from "../../node/src/waf/phase.js";
import { Ruleset } from "../../node/src/waf/ruleset.js";
import { Transaction } from "../../node/src/waf/transaction.js";
import * as T from "../../node/src/waf/transforms.js";
import { DEFAULT_LIMITS, type WafRequest } from "../../node/src/waf/types.js";

const rs = (text: string): Ruleset => Ruleset.fromSources([{ name: "test.conf", text }], "/nonexistent");
const req = (uri: string, extra: Partial<WafRequest> = {}): WafRequest => ({
  id: "t1", method: "GET", uri, protocol: "HTTP/1.1", headers: [["Host", "a.test"], ["User-Agent", "Mozilla/5.0"]], remoteAddr: "10.1.2.3", ...extra,
});
function run(rules: Ruleset, r: WafRequest, mode: "block" | "detect" = "block") {
  const t = new Transaction(rules, r, { mode, limits: DEFAULT_LIMITS });
  const i = t.runPhase(1) ?? t.runPhase(2);
  return { t, i, ids: t.matches.map((m) => m.id) };
}

describe("WAF: SecLang parser and engine", () => {
  it("parses continued lines, quoted actions, regex keys and chains", () => {
    const r = rs(`
SecRule ARGS|!ARGS:/^safe_/|REQUEST_HEADERS:User-Agent "@rx (?i)evil" \\
    "id:1,phase:2,deny,status:406,t:none,t:lowercase,msg:'it''s \\'evil\\'',tag:'a,b',chain"
    SecRule REQUEST_METHOD "@streq GET" "t:none"
`);
    expect(r.issues).to.deep.equal([]);
    const head = r.phaseRules(2)[0]!;
    expect(head.rule.variables.map((v) => v.text)).to.deep.equal(["ARGS", "!ARGS:/^safe_/", "REQUEST_HEADERS:User-Agent"]);
    expect(head.rule.actions.tags).to.deep.equal(["a,b"]);
    expect(head.chained?.rule.operator).to.deep.include({ name: "streq", arg: "GET" });
    expect(run(r, req("/?q=EVIL")).i).to.deep.include({ ruleId: 1, status: 406 });
    expect(run(r, req("/?safe_q=EVIL")).i).to.equal(undefined);
    expect(run(r, req("/?q=EVIL", { method: "POST" })).i).to.equal(undefined);
  });

  it("reports rules RE2 cannot run at load, with their id, and never runs them", () => {
    const r = rs(`SecRule ARGS "@rx a(?=b)" "id:7,phase:1,deny"\nSecRule ARGS "@rx ab" "id:8,phase:1,deny"\nSecFoo bar`);
    expect(r.unsupported.map((u) => u.id)).to.deep.equal([7]);
    expect(r.issues.map((i) => i.message).join("\n")).to.match(/RE2/).and.match(/SecFoo/);
    expect(run(r, req("/?x=ab")).ids).to.deep.equal([8]);
  });

  it("runs setvar, TX collections, capture, skipAfter and ctl:ruleRemoveById", () => {
    const r = rs(`
SecRule ARGS:a "@rx ^(\\d+)$" "id:10,phase:1,pass,capture,setvar:'tx.n=%{tx.1}',setvar:tx.score=+3"
SecRule TX:score "@ge 3" "id:11,phase:1,pass,setvar:tx.score=+2"
SecRule ARGS:skip "@streq yes" "id:12,phase:1,pass,nolog,skipAfter:END"
SecRule ARGS "@unconditionalMatch" "id:13,phase:1,pass"
SecMarker END
SecRule ARGS:rm "@streq yes" "id:14,phase:1,pass,nolog,ctl:ruleRemoveById=15"
SecRule TX:n "@eq 42" "id:15,phase:1,deny,status:418"
`);
    const a = run(r, req("/?a=42"));
    expect(a.i).to.deep.include({ ruleId: 15, status: 418 });
    expect(a.t.tx_("score")).to.equal("5");
    expect(a.ids).to.deep.equal([10, 11, 13, 15]);
    expect(run(r, req("/?a=42&skip=yes")).ids).to.not.include(13);
    expect(run(r, req("/?a=42&rm=yes")).i).to.equal(undefined);
  });

  it("shares pure results across requests without changing any decision", () => {
    // Two @rx rules on one chain form a regex set; captures, a multiMatch rule, a key-regex
    // exclusion, a per-request target removal and a long value exercise every cached step;
    // 27 and 29 share a chain (a second set, 27 capturing); 28 and 30 have a chain of their own
    // each and match one by one, 28 negated, 30 capturing.
    const text = `
SecRule ARGS|!ARGS:/^skip_/ "@rx ^(\\w+)-(\\d+)$" "id:20,phase:1,pass,t:none,t:lowercase,capture,setvar:'tx.word=%{tx.1}',setvar:'tx.num=%{tx.2}'"
SecRule ARGS|!ARGS:/^skip_/ "@rx (?i)drop\\s+table" "id:21,phase:1,pass,t:none,t:lowercase,setvar:tx.score=+5"
SecRule ARGS "@rx <script" "id:22,phase:1,pass,t:none,t:urlDecode,t:lowercase,multiMatch,setvar:tx.score=+5"
SecRule ARGS:off "@streq yes" "id:23,phase:1,pass,nolog,ctl:ruleRemoveTargetById=24;ARGS:q"
SecRule ARGS "@pm evil wicked" "id:24,phase:1,pass,t:none,t:lowercase,setvar:tx.score=+1"
SecRule TX:score "@ge 5" "id:25,phase:1,deny,status:403"
SecRule TX:word "@streq abc" "id:26,phase:1,deny,status:409,chain"
  SecRule TX:num "@eq 7" "t:none"
SecRule ARGS "@rx (\\d+)$" "id:27,phase:1,pass,t:none,t:trim,capture,setvar:'tx.tail=%{tx.1}'"
SecRule ARGS:q "!@rx ^[a-z0-9-]+$" "id:28,phase:1,pass,t:none,t:trimLeft,setvar:tx.odd=+1"
SecRule ARGS "@rx ^w" "id:29,phase:1,pass,t:none,t:trim,setvar:tx.w=1"
SecRule ARGS "@rx ^(\\w)" "id:30,phase:1,pass,t:none,t:trimRight,capture,setvar:'tx.first=%{tx.1}'"
`;
    const shared = rs(text);
    expect(shared.phaseRules(1).filter((r) => r.setSlot).map((r) => r.id)).to.deep.equal([20, 21, 24, 27, 29]);
    const uris = [
      "/?q=ABC-7", "/?q=abc-8", "/?q=DROP%20TABLE%20x", "/?skip_q=DROP%20TABLE%20x", "/?q=%253Cscript%253E",
      "/?q=evil", "/?q=evil&off=yes", "/?q=ABC-7", "/?q=Wicked", `/?q=${"a".repeat(MEMO_MAX_INPUT + 10)}-7`,
      "/?q=abc-7&off=yes", "/?q=%253Cscript%253E", "/?skip_q=DROP%20TABLE%20x", "/?q=abc-7",
    ];
    for (const uri of [...uris, ...uris]) {
      const fresh = run(rs(text), req(uri));
      const again = run(shared, req(uri));
      const seen = (r: typeof fresh) => ({ uri, ids: r.ids, i: r.i, ...Object.fromEntries(["word", "score", "tail", "odd", "w", "first"].map((k) => [k, r.t.tx_(k)])) });
      expect(seen(again)).to.deep.equal(seen(fresh));
    }
    expect(run(shared, req("/?q=ABC-7")).i).to.deep.include({ ruleId: 26, status: 409 });
    expect(run(shared, req("/?q=%253Cscript%253E")).i).to.deep.include({ ruleId: 25 });
    expect(run(shared, req("/?q=evil&off=yes")).ids).to.not.include(24);
    expect(run(shared, req("/?q=abc-8")).t.tx_("tail")).to.equal("8");
    expect(run(shared, req("/?q=Wicked")).t.tx_("odd")).to.equal("1");
    expect(run(shared, req("/?q=abc-8")).t.tx_("odd")).to.equal(undefined);
    expect(run(shared, req("/?q=Wicked")).t.tx_("w")).to.equal(undefined);
    expect(run(shared, req("/?q=wicked")).t.tx_("w")).to.equal("1");
    expect(run(shared, req("/?q=Wicked")).t.tx_("first")).to.equal("W");
  });

  it("bounds the shared result memo and keeps recently used entries", () => {
    const m = new Memo<number>(MEMO_BUDGET.keyRegex);
    m.set("keep", 1);
    for (let i = 0; i < 200_000; i++) {
      m.set(`k${i}`.padEnd(40, "x"), i);
      if (i % 100 === 0) expect(m.get("keep")).to.equal(1);
    }
    // Two generations of 2^14 units, 40 + 64 per entry here: at most ~2 × 158 entries.
    expect(m.size).to.be.below(320);
    expect(m.get("k0".padEnd(40, "x"))).to.equal(undefined);
    expect(m.get("k199999".padEnd(40, "x"))).to.equal(199_999);
  });

  it("detect mode logs without interrupting", () => {
    const r = rs(`SecRule ARGS "@contains bad" "id:20,phase:1,deny"`);
    const d = run(r, req("/?x=bad"), "detect");
    expect(d.i).to.equal(undefined);
    expect(d.ids).to.deep.equal([20]);
  });

  it("parses JSON, urlencoded and multipart bodies into ARGS and FILES", () => {
    const r = rs(`
SecRule ARGS:json.user.name "@streq al'ice" "id:30,phase:2,pass"
SecRule ARGS_POST:b "@streq 2 3" "id:31,phase:2,pass"
SecRule FILES "@endsWith .php" "id:32,phase:2,pass"
SecRule ARGS:title "@streq hello" "id:33,phase:2,pass"`);
    const json = run(r, req("/", { method: "POST", headers: [["Content-Type", "application/json"]], body: Buffer.from('{"user":{"name":"al\'ice"}}') }));
    expect(json.ids).to.deep.equal([30]);
    const form = run(r, req("/", { method: "POST", headers: [["Content-Type", "application/x-www-form-urlencoded"]], body: Buffer.from("a=1&b=2+3") }));
    expect(form.ids).to.deep.equal([31]);
    const mp = Buffer.from('--XX\r\nContent-Disposition: form-data; name="title"\r\n\r\nhello\r\n--XX\r\nContent-Disposition: form-data; name="f"; filename="shell.php"\r\nContent-Type: text/plain\r\n\r\n<?php ?>\r\n--XX--\r\n');
    const up = run(r, req("/", { method: "POST", headers: [["Content-Type", "multipart/form-data; boundary=XX"]], body: mp }));
    expect(up.ids).to.deep.equal([32, 33]);
  });

  it("implements the byte-level operators", () => {
    const r = rs(`
SecRule ARGS:r "@validateByteRange 32-126" "id:40,phase:1,pass"
SecRule ARGS:u "@validateUtf8Encoding" "id:41,phase:1,pass,t:urlDecode"
SecRule REMOTE_ADDR "@ipMatch 10.1.0.0/16,2001:db8::/32" "id:42,phase:1,pass"
SecRule REQUEST_METHOD "!@within %{tx.allowed}" "id:43,phase:1,pass"
SecRule ARGS:p "@pm passwd shadow" "id:44,phase:1,pass"`);
    expect(run(r, req("/?r=ok%01&u=%C3%A9&p=x")).ids).to.deep.equal([40, 42, 43]);
    expect(run(r, req("/?u=%C3&p=/etc/PASSWD", { remoteAddr: "2001:db8::1" })).ids).to.deep.equal([41, 42, 43, 44]);
  });
});

describe("WAF: transformations", () => {
  it("decode like ModSecurity", () => {
    expect(T.urlDecodeUni("%u0041%uFF41+%41%zz")).to.equal("Aa A%zz");
    expect(T.htmlEntityDecode("&lt;a&#x41;&#66&quot;")).to.equal('<aAB"');
    expect(T.jsDecode("\\x41\\u0042\\103\\n")).to.equal("ABC\n");
    expect(T.cssDecode("\\6a avascript")).to.equal("javascript");
    expect(T.cmdLine("C^a\"t /etc/pa'ss'wd ;  ls")).to.equal("cat/etc/passwd ls");
    expect(T.normalizePath("/a/./b/../../c//d/")).to.equal("/c/d/");
    expect(T.normalizePathWin("a\\..\\b\\c")).to.equal("b/c");
    expect(T.compressWhitespace("a \t\n b")).to.equal("a b");
    expect(T.removeComments("a/*x*/b<!--y-->c")).to.equal("abc");
    expect(T.replaceComments("a/*x*/b")).to.equal("a b");
    expect(T.utf8toUnicode(Buffer.from("é", "utf8").toString("latin1"))).to.equal("%u00e9");
    expect(T.lowercase("ÀBC")).to.equal("Àbc");
    expect(T.length("abc")).to.equal("3");
    expect(T.base64Decode("aGVsbG8=")).to.equal("hello");
  });
});

describe("WAF: tokenizer-based detectors", () => {
  const sqli = ["1' OR '1'='1", "1 OR 1=1", "' UNION SELECT username, password FROM users--", "1; DROP TABLE users", "admin'--", "1' AND SLEEP(5)#", "x\" or \"x\"=\"x", "1) union all select null,@@version--", "'; exec xp_cmdshell('dir')--", "1 AND 1=1", "' or 1 like 1 --"];
  const notSqli = ["O'Reilly", "I can't and won't", "select your size from the list below", "1 or 2 apples", "Rock'n'Roll", "price: 10-20", "Q: does it work? A: yes", "John \"Johnny\" Smith", "union station", "it's 50/50 really", "50% off!"];
  const xss = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\" onmouseover=\"alert(1)", "' autofocus onfocus='alert(1)", "<a href=\"javascript:alert(1)\">x</a>", "<svg/onload=alert(1)>", "<iframe src=//evil>", "<a href=\"jav&#x61;script:alert(1)\">", "x onclick=alert(1)", "<div style=\"width:expression(alert(1))\">"];
  const notXss = ["a < b and c > d", "I <3 you", "<b>bold</b> and <i>italic</i>", "use x->y and y=>z", "email me: a@b.c", "if (a<b) { return c; }", "only 5 < 10 items", "Ça coûte <10€"];

  it("flags SQL injection and leaves prose alone", () => {
    for (const s of sqli) expect(detectSqli(s).attack, s).to.equal(true);
    for (const s of notSqli) expect(detectSqli(s).attack, s).to.equal(false);
  });

  it("flags XSS in text and attribute contexts and leaves markup-free text alone", () => {
    for (const s of xss) expect(detectXss(s).attack, s).to.equal(true);
    for (const s of notXss) expect(detectXss(s).attack, s).to.equal(false);
  });
});

describe("WAF: zone policy through the phase", () => {
  const rules = rs(`
SecRule ARGS "@contains attack" "id:50,phase:2,deny,tag:'attack-generic'"
SecRule ARGS "@contains probe" "id:51,phase:2,deny,tag:'attack-probe'"`);
  const decisions: WafDecision[] = [];
  const phase = new WafRequestPhase({ ruleset: rules, onDecision: (d) => decisions.push(d), limits: { ...DEFAULT_LIMITS, requestBodyLimit: 64 } });
  const policy = (waf: object) => zonePolicySchema.parse({ domain: "a.test", policyVersion: 1, origins: [{ url: "http://127.0.0.1:9" }], waf });
  const edge = (url: string, body?: string): EdgeRequest => ({
    id: "req-42", zone: "a.test", clientIp: "10.0.0.1", method: body ? "POST" : "GET", url, httpVersion: "1.1",
    headers: { host: "a.test", ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) }, rawHeaderNames: ["Host"], body: body ? Buffer.from(body) : undefined, tls: undefined, receivedAt: Date.now(),
  });

  it("block mode answers 403 with the request id; detect logs; off skips", async () => {
    const v = await phase.onRequest(edge("/?x=attack"), policy({ mode: "block" }));
    expect(v.kind).to.equal("respond");
    if (v.kind === "respond") {
      expect(v.response.status).to.equal(403);
      expect(v.response.body.toString()).to.contain("req-42");
      expect(v.response.headers["x-request-id"]).to.equal("req-42");
    }
    decisions.length = 0;
    expect((await phase.onRequest(edge("/?x=attack"), policy({ mode: "detect" }))).kind).to.equal("continue");
    expect(decisions[0]).to.deep.include({ blocked: false, ruleIds: [50] });
    decisions.length = 0;
    expect((await phase.onRequest(edge("/?x=attack"), policy({ mode: "off" }))).kind).to.equal("continue");
    expect(decisions).to.deep.equal([]);
  });

  it("excludes rules by id and by tag per zone", async () => {
    expect((await phase.onRequest(edge("/?x=attack"), policy({ mode: "block", excludedRuleIds: [50] }))).kind).to.equal("continue");
    expect((await phase.onRequest(edge("/?x=probe"), policy({ mode: "block", excludedTags: ["attack-probe"] }))).kind).to.equal("continue");
    expect((await phase.onRequest(edge("/?x=probe"), policy({ mode: "block", excludedTags: ["attack-generic"] }))).kind).to.equal("respond");
  });

  it("rejects a body over the limit with 413 in block mode", async () => {
    const v = await phase.onRequest(edge("/", "a=" + "x".repeat(100)), policy({ mode: "block" }));
    expect(v.kind === "respond" && v.response.status).to.equal(413);
  });
});
