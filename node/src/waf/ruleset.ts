/**
 * A compiled rule set: the SecLang files parsed, every operator and transformation compiled
 * once, rules split by phase with marker positions resolved. Rules that cannot run on our
 * engine (e.g. a regex RE2 rejects) stay listed in `issues` and are never evaluated; nothing is
 * dropped without a report.
 */
import { readFileSync } from "node:fs";
import RE2 from "re2";
import { WafError } from "./errors.js";
import { FACTS_ENTRY_COST, MEMO_BUDGET, Memo } from "./memo.js";
import { compileOperator, phrasePattern, pmPhrases, type OperatorFn, type PureMatcher, type PureResult } from "./operators.js";
import { newParsedRuleset, parseSecLang, type ParsedRuleset } from "./seclang/parser.js";
import { TRANSFORMS, type Transform } from "./transforms.js";
import type { LoadIssue, Phase, Rule, VariableSpec } from "./types.js";

/**
 * All plain @rx patterns evaluated after the same transformation chain, compiled into one
 * RE2.Set: a transformed value is matched against every pattern of the group in one pass, and
 * each rule then reads its own bit (the per-rule regex still runs for captures).
 */
export interface RegexGroup {
  /** Index among the rule set's groups (ValueFacts.sets). */
  readonly id: number;
  readonly set: { match(s: string): number[] };
  readonly size: number;
}

/**
 * What the engine has worked out about one input value, shared by every rule and (for short
 * values, through Ruleset.facts) by every request that carries the value: the value after each
 * transformation chain the rules use, and each regex group's matching pattern indices.
 */
export class ValueFacts {
  /** By chain prefix id (CompiledRule.tfIds): the value after that chain. */
  readonly tv: string[] = [];
  /** By regex group id: matching pattern indices of the value after the group's chain (false: RE2 gave up). */
  readonly sets: Array<readonly number[] | false> = [];
  /** At CompiledRule.pureBase + k: the rule's pure matcher on the value after k transformations. */
  readonly ops: PureResult[] = [];
}

export interface CompiledRule {
  /** Slot in a RegexGroup, when this rule's @rx is part of one. */
  setSlot?: { readonly group: RegexGroup; readonly index: number };
  readonly rule: Rule;
  readonly id: number;
  /** The rule's only target when that is one TX variable or its count and the rule transforms nothing. */
  readonly txKey?: VariableSpec;
  /** The rule's target specs (exclusions left out), each with the rule's exclusions of its collection. */
  readonly targetSpecs: ReadonlyArray<{ readonly spec: VariableSpec; readonly excludes?: readonly VariableSpec[] }>;
  readonly op: OperatorFn;
  /** The operator's pure matcher (negation not applied), when it has one. */
  readonly pure?: PureMatcher;
  /**
   * Results of the pure matcher on the value after k transformations are kept in ValueFacts.ops
   * at pureBase + k: for every k with multiMatch, else only k = transforms.length.
   */
  readonly pureBase: number;
  readonly transforms: readonly Transform[];
  /** Identifies the transformation chain (for the per-request cache). */
  readonly tfKey: string;
  /** Index of each chain prefix among the rule set's chains: tfIds[i] names transforms[0..i] (ValueFacts.tv). */
  readonly tfIds: readonly number[];
  /**
   * Rules with the same targets and transformation chain (CRS has dozens per target list) share
   * one per-request TargetPlan under this index; -1 when a target is computed while the phase
   * runs (TX, MATCHED_VAR…, RULE).
   */
  readonly planId: number;
  /** Rules with the same target list (whatever their chains) share its members under this index; -1 as planId. */
  readonly targetsId: number;
  readonly chained?: CompiledRule;
  /**
   * With skipAfter: the index in the phase's list after which evaluation continues (the rule
   * before the marker, the rule with that id, or this rule itself when neither exists).
   */
  skipTo?: number;
  /** False when the rule could not be compiled (reported in issues). */
  readonly runnable: boolean;
}

export interface RuleSource {
  readonly name: string;
  readonly text: string;
}

export class Ruleset {
  readonly phases: CompiledRule[][] = [[], [], [], [], [], []];
  /** marker name → index in each phase list where evaluation continues. */
  readonly markers: Array<Map<string, number>> = [new Map(), new Map(), new Map(), new Map(), new Map(), new Map()];
  readonly issues: LoadIssue[];
  readonly ruleCount: number;
  readonly unsupported: ReadonlyArray<{ id: number; reason: string }>;
  private readonly tfIds = new Map<string, number>();
  private readonly planIds = new Map<string, number>();
  private readonly targetsIds = new Map<string, number>();
  private groupCount = 0;
  private pureCount = 0;
  /** Facts about short values (up to MEMO_MAX_INPUT characters), shared across requests. */
  readonly facts = new Memo<ValueFacts>(MEMO_BUDGET.values, FACTS_ENTRY_COST);

  constructor(parsed: ParsedRuleset, rulesDir: string) {
    this.issues = [...parsed.issues];
    const unsupported: Array<{ id: number; reason: string }> = [];
    let count = 0;
    for (const r of parsed.rules) {
      if (r.kind === "marker") {
        for (let p = 1; p <= 5; p++) this.markers[p]!.set(r.marker ?? "", this.phases[p]!.length);
        continue;
      }
      count++;
      const compiled = this.compile(r, rulesDir, r.actions.id, unsupported);
      this.phases[r.actions.phase]!.push(compiled);
    }
    this.ruleCount = count;
    this.unsupported = unsupported;
    this.buildRegexGroups(rulesDir);
    this.resolveSkips();
  }

  private resolveSkips(): void {
    for (let p = 1; p <= 5; p++) {
      const list = this.phases[p]!;
      list.forEach((cr, i) => {
        const target = cr.rule.actions.skipAfter;
        if (target === undefined) return;
        const at = this.markers[p]!.get(target);
        if (at !== undefined) cr.skipTo = at - 1;
        else {
          const idx = list.findIndex((x, j) => j > i && x.id === Number(target));
          cr.skipTo = idx >= 0 ? idx : i;
        }
      });
    }
  }

  private buildRegexGroups(rulesDir: string): void {
    const byChain = new Map<string, Array<{ rule: CompiledRule; pattern: string }>>();
    for (const list of this.phases) {
      for (const head of list) {
        for (let r: CompiledRule | undefined = head; r; r = r.chained) {
          const op = r.rule.operator;
          if (!r.runnable || r.rule.actions.multiMatch) continue;
          let pattern: string | undefined;
          if (op.name === "rx" && !op.arg.includes("%{")) pattern = op.arg;
          else if (op.name === "pm" || op.name === "pmf" || op.name === "pmfromfile") {
            try { pattern = phrasePattern(pmPhrases(op, rulesDir)); } catch { pattern = undefined; }
          }
          if (pattern === undefined) continue;
          const l = byChain.get(r.tfKey) ?? [];
          l.push({ rule: r, pattern });
          byChain.set(r.tfKey, l);
        }
      }
    }
    for (const members of byChain.values()) {
      if (members.length < 2) continue;
      try {
        const group: RegexGroup = { id: this.groupCount, set: new RE2.Set(members.map((m) => m.pattern), "ms"), size: members.length };
        this.groupCount++;
        members.forEach((m, index) => (m.rule.setSlot = { group, index }));
      } catch {
        // Too large or otherwise refused as a set: these rules keep matching one by one.
      }
    }
  }

  private compile(r: Rule, rulesDir: string, headId: number, unsupported: Array<{ id: number; reason: string }>): CompiledRule {
    let runnable = true;
    let op: OperatorFn = () => false;
    let pure: PureMatcher | undefined;
    try {
      ({ fn: op, pure } = compileOperator(r.operator, rulesDir, r.actions.capture));
    } catch (e) {
      runnable = false;
      const reason = e instanceof WafError ? e.message : String(e);
      unsupported.push({ id: headId, reason });
      this.issues.push({ file: r.file, line: r.line, ruleId: headId, code: "AEGIS_ERR_WAF_UNSUPPORTED", message: reason });
    }
    const transforms: Transform[] = [];
    const names: string[] = [];
    for (const t of r.actions.transforms) {
      const n = t.toLowerCase();
      if (n === "none") { transforms.length = 0; names.length = 0; continue; }
      const f = TRANSFORMS[n];
      if (!f) {
        runnable = false;
        unsupported.push({ id: headId, reason: `transformation t:${t} not supported` });
        this.issues.push({ file: r.file, line: r.line, ruleId: headId, code: "AEGIS_ERR_WAF_UNSUPPORTED", message: `t:${t}` });
        continue;
      }
      transforms.push(f);
      names.push(n);
    }
    for (const v of r.variables) {
      if (!KNOWN_VARIABLES.has(v.collection)) {
        this.issues.push({ file: r.file, line: r.line, ruleId: headId, code: "AEGIS_ERR_WAF_UNSUPPORTED", message: `variable ${v.collection} is always empty here` });
      }
    }
    const chained = r.chained ? this.compile(r.chained, rulesDir, headId, unsupported) : undefined;
    const tfPrefixKeys = names.map((_n, i) => names.slice(0, i + 1).join(","));
    const tfKey = names.join(",");
    let planId = -1;
    let targetsId = -1;
    if (!r.variables.some((v) => PER_RULE_VARIABLES.has(v.collection))) {
      const targetsKey = r.variables.map((v) => v.text).join("|");
      const planKey = `${targetsKey}\n${tfKey}`;
      planId = this.planIds.get(planKey) ?? this.planIds.size;
      this.planIds.set(planKey, planId);
      targetsId = this.targetsIds.get(targetsKey) ?? this.targetsIds.size;
      this.targetsIds.set(targetsKey, targetsId);
    }
    const tfIds = tfPrefixKeys.map((k) => {
      let id = this.tfIds.get(k);
      if (id === undefined) this.tfIds.set(k, (id = this.tfIds.size));
      return id;
    });
    let pureBase = -1;
    if (pure && r.actions.multiMatch) {
      pureBase = this.pureCount;
      this.pureCount += transforms.length + 1;
    } else if (pure) pureBase = this.pureCount++ - transforms.length;
    const targetSpecs = r.variables.filter((v) => !v.exclude).map((spec) => {
      const excludes = r.variables.filter((e) => e.exclude && e.collection === spec.collection);
      return excludes.length > 0 ? { spec, excludes } : { spec };
    });
    const only = r.variables.length === 1 ? r.variables[0]! : undefined;
    const txKey = only && only.collection === "TX" && only.key !== undefined && !only.exclude && transforms.length === 0 ? only : undefined;
    return { rule: r, id: headId, txKey, targetSpecs, op, pure, pureBase, transforms, tfKey, tfIds, planId, targetsId, chained, runnable: runnable && (chained?.runnable ?? true) };
  }

  static fromSources(sources: readonly RuleSource[], rulesDir: string): Ruleset {
    const parsed = newParsedRuleset();
    for (const s of sources) parseSecLang(s.text, s.name, parsed);
    return new Ruleset(parsed, rulesDir);
  }

  static fromFiles(files: readonly string[], rulesDir: string, extra: readonly RuleSource[] = []): Ruleset {
    const sources: RuleSource[] = [...extra.filter((e) => e.name.startsWith("pre:"))];
    for (const f of files) sources.push({ name: f, text: readFileSync(f, "latin1") });
    sources.push(...extra.filter((e) => !e.name.startsWith("pre:")));
    return Ruleset.fromSources(sources, rulesDir);
  }

  /** Paranoia level of a rule (from its paranoia-level/N tag), 0 when untagged or unknown. */
  paranoiaOf(id: number): number {
    for (const list of this.phases) for (const r of list) if (r.id === id) return r.rule.paranoia;
    return 0;
  }

  phaseRules(p: Phase): readonly CompiledRule[] {
    return this.phases[p]!;
  }
}

/** Variables whose members change while a phase runs (setvar, each match, each rule). */
const PER_RULE_VARIABLES = new Set(["TX", "MATCHED_VAR", "MATCHED_VARS", "MATCHED_VAR_NAME", "MATCHED_VARS_NAMES", "RULE"]);

export const KNOWN_VARIABLES = new Set([
  "ARGS", "ARGS_GET", "ARGS_POST", "ARGS_NAMES", "ARGS_GET_NAMES", "ARGS_POST_NAMES", "ARGS_COMBINED_SIZE",
  "REQUEST_HEADERS", "REQUEST_HEADERS_NAMES", "REQUEST_COOKIES", "REQUEST_COOKIES_NAMES", "REQUEST_URI",
  "REQUEST_URI_RAW", "REQUEST_FILENAME", "REQUEST_BASENAME", "REQUEST_LINE", "REQUEST_METHOD",
  "REQUEST_PROTOCOL", "QUERY_STRING", "REQUEST_BODY", "REQUEST_BODY_LENGTH", "REQBODY_PROCESSOR",
  "REQBODY_ERROR", "REQBODY_ERROR_MSG", "REQBODY_PROCESSOR_ERROR", "MULTIPART_STRICT_ERROR",
  "MULTIPART_UNMATCHED_BOUNDARY", "MULTIPART_PART_HEADERS", "MULTIPART_FILENAME", "MULTIPART_NAME",
  "FILES", "FILES_NAMES", "FILES_SIZES", "FILES_COMBINED_SIZE", "XML", "TX", "REMOTE_ADDR", "REMOTE_PORT",
  "REMOTE_HOST", "SERVER_NAME", "SERVER_PORT", "SERVER_ADDR", "UNIQUE_ID", "RESPONSE_BODY",
  "RESPONSE_HEADERS", "RESPONSE_HEADERS_NAMES", "RESPONSE_STATUS", "RESPONSE_PROTOCOL",
  "RESPONSE_CONTENT_TYPE", "RESPONSE_CONTENT_LENGTH", "MATCHED_VAR", "MATCHED_VARS", "MATCHED_VAR_NAME",
  "MATCHED_VARS_NAMES", "ENV", "IP", "GLOBAL", "SESSION", "USER", "RESOURCE", "DURATION", "TIME",
  "TIME_EPOCH", "FULL_REQUEST", "FULL_REQUEST_LENGTH", "INBOUND_DATA_ERROR", "OUTBOUND_DATA_ERROR",
  "STATUS_LINE", "AUTH_TYPE", "WEBSERVER_ERROR_LOG", "RULE", "GEO", "HIGHEST_SEVERITY", "STREAM_INPUT_BODY",
  "PATH_INFO", "REQUEST_FILENAME",
]);
