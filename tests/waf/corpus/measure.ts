/** False-positive measurement of the benign corpus through the WAF phase. */
import { zonePolicySchema } from "../../../node/src/policy/schema.js";
import type { WafRequestPhase, WafDecision } from "../../../node/src/waf/phase.js";
import type { CorpusRequest } from "./benign.js";
import { toEdgeRequest } from "./edge.js";

export const REST_METHODS = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"];

export interface FpResult {
  readonly paranoia: number;
  readonly total: number;
  readonly blocked: number;
  readonly rate: number;
  /** Rule id → blocked requests it contributed to. */
  readonly rules: Array<[number, number]>;
  readonly byKind: Record<string, number>;
}

export async function measureFp(waf: WafRequestPhase, decisions: WafDecision[], corpus: readonly CorpusRequest[], paranoia: number, allowedMethods?: string[]): Promise<FpResult> {
  const policy = zonePolicySchema.parse({
    domain: "shop.example.com", policyVersion: 1, origins: [{ url: "http://127.0.0.1:9" }],
    waf: { mode: "block", paranoia, ...(allowedMethods ? { allowedMethods } : {}) },
  });
  let blocked = 0;
  const rules = new Map<number, number>();
  const byKind: Record<string, number> = {};
  for (const [i, c] of corpus.entries()) {
    decisions.length = 0;
    const v = await waf.onRequest(toEdgeRequest(c, `benign-${i}`), policy);
    if (v.kind !== "respond") continue;
    blocked++;
    byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
    for (const d of decisions) for (const id of d.ruleIds) if (id !== 949110) rules.set(id, (rules.get(id) ?? 0) + 1);
  }
  return { paranoia, total: corpus.length, blocked, rate: blocked / corpus.length, rules: [...rules.entries()].sort((a, b) => b[1] - a[1]), byKind };
}
