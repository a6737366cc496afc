/**
 * Acceptance: false-positive rate of CRS (block mode) on a generated benign corpus of
 * ≥ 1,000 realistic requests, at PL1 and PL2. The numbers are recorded in docs/WAF.md.
 */
import { expect } from "chai";
import { loadCrs } from "../../node/src/waf/crs.js";
import { WafRequestPhase, type WafDecision } from "../../node/src/waf/phase.js";
import { generateBenignCorpus } from "./corpus/benign.js";
import { REST_METHODS, measureFp } from "./corpus/measure.js";

describe("WAF: benign corpus false positives", function () {
  this.timeout(120_000);
  const { ruleset } = loadCrs();
  const decisions: WafDecision[] = [];
  const waf = new WafRequestPhase({ ruleset, onDecision: (d) => decisions.push(d) });
  const corpus = generateBenignCorpus();

  it("is a corpus of at least 1,000 requests of every kind", () => {
    expect(corpus.length).to.be.at.least(1000);
    const kinds = new Set(corpus.map((c) => c.kind));
    expect([...kinds].sort()).to.deep.equal(["browser", "form", "i18n", "json-api", "upload"]);
    expect(corpus.some((c) => /%E6%97%A5|%D0%9F/.test(c.uri))).to.equal(true);
  });

  it("blocks no benign request at PL1 when the zone allows its REST methods", async () => {
    const r = await measureFp(waf, decisions, corpus, 1, REST_METHODS);
    expect(r.rate, JSON.stringify(r.rules)).to.be.at.most(0.01);
  });

  it("with CRS's default methods, PL1 blocks exactly the PUT/PATCH API calls (911100) and nothing else", async () => {
    const r = await measureFp(waf, decisions, corpus, 1);
    const putPatch = corpus.filter((c) => c.method === "PUT" || c.method === "PATCH").length;
    expect(r.blocked).to.equal(putPatch);
    expect(r.rules.map(([id]) => id)).to.deep.equal([911100]);
  });

  it("keeps PL2 false positives below 15%", async () => {
    const r = await measureFp(waf, decisions, corpus, 2, REST_METHODS);
    expect(r.rate, JSON.stringify(r.rules)).to.be.below(0.15);
  });
});
