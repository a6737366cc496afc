/** Runs every CRS regression test at its rule's paranoia level and summarises the outcome. */
import { writeFileSync } from "node:fs";
import type { Ruleset } from "../../../node/src/waf/ruleset.js";
import { judge, type FtwTest } from "./ftw.js";
import type { Transport } from "./transports.js";

export interface TestOutcome {
  readonly id: string;
  readonly ruleId: number;
  readonly paranoia: number;
  readonly pass: boolean;
  readonly reason: string;
  readonly desc: string;
}

export interface SuiteReport {
  readonly crsVersion: string;
  readonly transport: string;
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly passRate: number;
  readonly failures: TestOutcome[];
}

export async function runSuite(tests: readonly FtwTest[], ruleset: Ruleset, transport: Transport): Promise<TestOutcome[]> {
  const out: TestOutcome[] = [];
  for (const t of tests) {
    const paranoia = Math.max(1, ruleset.paranoiaOf(t.ruleId));
    let pass = true;
    const reasons: string[] = [];
    for (const s of t.stages) {
      const r = await transport.send(s.input, paranoia);
      const v = judge(s.output, r);
      if (!v.pass) { pass = false; reasons.push(v.reason); }
    }
    out.push({ id: `${t.ruleId}-${t.testId}`, ruleId: t.ruleId, paranoia, pass, reason: reasons.join(" / "), desc: t.desc });
  }
  return out;
}

export function summarise(outcomes: readonly TestOutcome[], crsVersion: string, transport: string): SuiteReport {
  const passed = outcomes.filter((o) => o.pass).length;
  return {
    crsVersion, transport, total: outcomes.length, passed, failed: outcomes.length - passed,
    passRate: outcomes.length ? passed / outcomes.length : 0, failures: outcomes.filter((o) => !o.pass),
  };
}

export function writeReport(path: string, r: SuiteReport): void {
  writeFileSync(path, JSON.stringify(r, null, 2));
}
