/** Prints the benign corpus false-positive rates at PL1..PL4 (numbers for docs/WAF.md). */
import { loadCrs } from "../../node/src/waf/crs.js";
import { WafRequestPhase, type WafDecision } from "../../node/src/waf/phase.js";
import { generateBenignCorpus } from "../../tests/waf/corpus/benign.js";
import { REST_METHODS, measureFp } from "../../tests/waf/corpus/measure.js";

const { ruleset } = loadCrs();
const decisions: WafDecision[] = [];
const waf = new WafRequestPhase({ ruleset, onDecision: (d) => decisions.push(d) });
const corpus = generateBenignCorpus();
const kinds: Record<string, number> = {};
for (const c of corpus) kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
console.log(`corpus: ${corpus.length} requests ${JSON.stringify(kinds)}`);
for (const [label, methods] of [["CRS default methods", undefined], ["REST methods allowed", REST_METHODS]] as const) {
  for (const pl of [1, 2, 3, 4]) {
    const r = await measureFp(waf, decisions, corpus, pl, methods ? [...methods] : undefined);
    console.log(`${label} PL${pl}: ${r.blocked}/${r.total} blocked = ${(r.rate * 100).toFixed(2)}% byKind=${JSON.stringify(r.byKind)} rules=${JSON.stringify(r.rules.slice(0, 10))}`);
  }
}
