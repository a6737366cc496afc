/**
 * SecLang parser: directives → rules. Understands what the OWASP CRS files use (SecRule,
 * SecAction, SecMarker, SecDefaultAction, SecComponentSignature, SecRuleRemoveBy*,
 * SecRuleUpdateTargetBy*) and records every problem as a LoadIssue instead of dropping a rule
 * silently.
 */
import RE2 from "re2";
import type { LoadIssue, OperatorCall, Phase, Rule, RuleActions, VariableSpec } from "../types.js";
import { lexDirectives, splitActions, splitVariables } from "./lexer.js";

/** Directives that configure a web server module; meaningless or fixed for us, accepted silently. */
const IGNORED = new Set(
  [
    "SecComponentSignature", "SecRuleEngine", "SecRequestBodyAccess", "SecResponseBodyAccess",
    "SecRequestBodyLimit", "SecRequestBodyNoFilesLimit", "SecRequestBodyInMemoryLimit",
    "SecRequestBodyLimitAction", "SecRequestBodyJsonDepthLimit", "SecResponseBodyMimeType",
    "SecResponseBodyLimit", "SecResponseBodyLimitAction", "SecTmpDir", "SecDataDir",
    "SecAuditEngine", "SecAuditLog", "SecAuditLogParts", "SecAuditLogType", "SecAuditLogFormat",
    "SecAuditLogRelevantStatus", "SecAuditLogStorageDir", "SecArgumentSeparator",
    "SecCookieFormat", "SecUnicodeMapFile", "SecStatusEngine", "SecCollectionTimeout",
    "SecPcreMatchLimit", "SecPcreMatchLimitRecursion", "SecDebugLog", "SecDebugLogLevel",
    "SecArgumentsLimit", "SecUploadDir", "SecUploadKeepFiles", "SecTmpSaveUploadedFiles",
  ].map((s) => s.toLowerCase()),
);

const KNOWN_ACTIONS = new Set([
  "id", "phase", "chain", "pass", "deny", "block", "drop", "allow", "redirect", "status", "msg",
  "logdata", "tag", "severity", "t", "setvar", "ctl", "capture", "multimatch", "skipafter", "skip",
  "log", "nolog", "auditlog", "noauditlog", "ver", "rev", "maturity", "accuracy", "expirevar",
  "initcol", "setenv", "setuid", "setsid", "sanitisematched", "sanitisearg", "exec", "append",
  "prepend", "deprecatevar",
]);

export interface ParsedRuleset {
  rules: Rule[];
  issues: LoadIssue[];
  /** Default disruptive action per phase (SecDefaultAction). */
  defaultDisruptive: Map<Phase, RuleActions["disruptive"]>;
}

export function newParsedRuleset(): ParsedRuleset {
  return { rules: [], issues: [], defaultDisruptive: new Map() };
}

const PHASE_NAMES: Record<string, Phase> = { request: 2, response: 4, logging: 5 };

function parsePhase(v: string): Phase | undefined {
  const n = PHASE_NAMES[v.toLowerCase()] ?? Number(v);
  return n >= 1 && n <= 5 ? (n as Phase) : undefined;
}

export function parseActions(text: string, issues: LoadIssue[], file: string, line: number): RuleActions {
  const a: RuleActions = {
    id: 0, phase: 2, chain: false, tags: [], transforms: [], setvars: [], ctls: [],
    capture: false, multiMatch: false, skip: 0, log: true,
  };
  for (const { name, value } of splitActions(text)) {
    const n = name.toLowerCase();
    if (!KNOWN_ACTIONS.has(n)) {
      issues.push({ file, line, code: "AEGIS_ERR_WAF_UNSUPPORTED", message: `unknown action ${name}` });
      continue;
    }
    switch (n) {
      case "id": a.id = Number(value); break;
      case "phase": {
        const p = parsePhase(value);
        if (p) a.phase = p;
        else issues.push({ file, line, code: "AEGIS_ERR_WAF_PARSE", message: `bad phase ${value}` });
        break;
      }
      case "chain": a.chain = true; break;
      case "pass": case "deny": case "block": case "drop": case "allow": case "redirect":
        a.disruptive = n; break;
      case "status": a.status = Number(value); break;
      case "msg": a.msg = value; break;
      case "logdata": a.logdata = value; break;
      case "tag": a.tags.push(value); break;
      case "severity": a.severity = value; break;
      case "t": a.transforms.push(value); break;
      case "capture": a.capture = true; break;
      case "multimatch": a.multiMatch = true; break;
      case "skipafter": a.skipAfter = value; break;
      case "skip": a.skip = Number(value) || 0; break;
      case "log": a.log = true; break;
      case "nolog": a.log = false; break;
      case "ctl": {
        const eq = value.indexOf("=");
        a.ctls.push({ name: (eq < 0 ? value : value.slice(0, eq)).trim(), value: eq < 0 ? "" : value.slice(eq + 1).trim() });
        break;
      }
      case "setvar": {
        let v = value;
        if (v.startsWith("!")) {
          const [col, ...rest] = v.slice(1).split(".");
          a.setvars.push({ collection: (col ?? "").toLowerCase(), name: rest.join("."), op: "delete", value: "" });
          break;
        }
        const eq = v.indexOf("=");
        const lhs = eq < 0 ? v : v.slice(0, eq);
        let rhs = eq < 0 ? "1" : v.slice(eq + 1);
        let op: "set" | "add" | "sub" = "set";
        if (rhs.startsWith("+")) { op = "add"; rhs = rhs.slice(1); }
        else if (rhs.startsWith("-")) { op = "sub"; rhs = rhs.slice(1); }
        const dot = lhs.indexOf(".");
        a.setvars.push({
          collection: (dot < 0 ? lhs : lhs.slice(0, dot)).toLowerCase(),
          name: dot < 0 ? "" : lhs.slice(dot + 1),
          op, value: rhs,
        });
        break;
      }
      default: break;
    }
  }
  return a;
}

export function parseVariable(text: string): VariableSpec {
  let t = text;
  let exclude = false;
  let count = false;
  if (t.startsWith("!")) { exclude = true; t = t.slice(1); }
  if (t.startsWith("&")) { count = true; t = t.slice(1); }
  const colon = t.indexOf(":");
  const collection = (colon < 0 ? t : t.slice(0, colon)).toUpperCase();
  if (colon < 0) return { collection, count, exclude, text };
  const key = t.slice(colon + 1);
  if (collection !== "XML" && key.length >= 2 && key.startsWith("/") && key.endsWith("/")) {
    return { collection, keyRegex: new RE2(key.slice(1, -1), "i"), count, exclude, text };
  }
  return { collection, key: key.toLowerCase(), count, exclude, text };
}

export function parseOperator(text: string): OperatorCall {
  let t = text;
  let negated = false;
  if (t.startsWith("!")) { negated = true; t = t.slice(1); }
  if (!t.startsWith("@")) return { name: "rx", negated, arg: t };
  const sp = t.search(/\s/);
  if (sp < 0) return { name: t.slice(1).toLowerCase(), negated, arg: "" };
  return { name: t.slice(1, sp).toLowerCase(), negated, arg: t.slice(sp + 1).replace(/^\s+/, "") };
}

function paranoiaOf(tags: readonly string[]): number {
  for (const t of tags) {
    const m = /^paranoia-level\/(\d)$/.exec(t);
    if (m) return Number(m[1]);
  }
  return 0;
}

const NO_OP: OperatorCall = Object.freeze({ name: "unconditionalmatch", negated: false, arg: "" });

/** Parses one file's text into `into`, in order. Chain members attach to their head rule. */
export function parseSecLang(text: string, file: string, into: ParsedRuleset): void {
  let chainTail: Rule | undefined;
  for (const d of lexDirectives(text)) {
    const dn = d.name.toLowerCase();
    try {
      if (dn === "secrule" || dn === "secaction") {
        const isRule = dn === "secrule";
        const [vars, op, acts] = isRule ? [d.args[0], d.args[1], d.args[2]] : [undefined, undefined, d.args[0]];
        if (isRule && (vars === undefined || op === undefined)) {
          into.issues.push({ file, line: d.line, code: "AEGIS_ERR_WAF_PARSE", message: "SecRule needs variables and an operator" });
          continue;
        }
        const actions = parseActions(acts ?? "", into.issues, file, d.line);
        const variables = vars === undefined ? [] : splitVariables(vars).map(parseVariable);
        const rule: Rule = {
          kind: isRule ? "rule" : "action",
          actions,
          variables,
          operator: op === undefined ? NO_OP : parseOperator(op),
          file,
          line: d.line,
          paranoia: 0,
        };
        if (chainTail) {
          // A chain member runs in its head's phase and reports the head's id.
          actions.phase = rootOf(into, chainTail).actions.phase;
          chainTail.chained = rule;
        } else {
          (rule as { paranoia: number }).paranoia = paranoiaOf(actions.tags);
          into.rules.push(rule);
        }
        chainTail = actions.chain ? rule : undefined;
      } else if (dn === "secmarker") {
        chainTail = undefined;
        into.rules.push({
          kind: "marker", actions: parseActions("", into.issues, file, d.line), variables: [],
          operator: NO_OP, marker: d.args[0] ?? "", file, line: d.line, paranoia: 0,
        });
      } else if (dn === "secdefaultaction") {
        const a = parseActions(d.args[0] ?? "", into.issues, file, d.line);
        into.defaultDisruptive.set(a.phase, a.disruptive);
      } else if (dn === "secruleremovebyid") {
        const ids = expandIds(d.args);
        into.rules = into.rules.filter((r) => !ids(r.actions.id));
      } else if (dn === "secruleremovebytag") {
        const re = new RE2(d.args[0] ?? "", "i");
        into.rules = into.rules.filter((r) => !r.actions.tags.some((t) => re.test(t)));
      } else if (dn === "secruleupdatetargetbyid" || dn === "secruleupdatetargetbytag") {
        const add = splitVariables(d.args[1] ?? "").map(parseVariable);
        const match = dn === "secruleupdatetargetbyid"
          ? ((ids) => (r: Rule) => ids(r.actions.id))(expandIds([d.args[0] ?? ""]))
          : ((re) => (r: Rule) => r.actions.tags.some((t) => re.test(t)))(new RE2(d.args[0] ?? "", "i"));
        for (const r of into.rules) if (match(r)) (r.variables as VariableSpec[]).push(...add);
      } else if (!IGNORED.has(dn) && dn !== "include") {
        into.issues.push({ file, line: d.line, code: "AEGIS_ERR_WAF_UNSUPPORTED", message: `directive ${d.name} ignored` });
      }
    } catch (e) {
      into.issues.push({ file, line: d.line, code: "AEGIS_ERR_WAF_PARSE", message: (e as Error).message });
    }
  }
}

function rootOf(set: ParsedRuleset, tail: Rule): Rule {
  for (let i = set.rules.length - 1; i >= 0; i--) {
    let r: Rule | undefined = set.rules[i];
    while (r) {
      if (r === tail) return set.rules[i]!;
      r = r.chained;
    }
  }
  return tail;
}

/** "942100 942200-942299" → predicate on rule ids. */
export function expandIds(args: readonly string[]): (id: number) => boolean {
  const singles = new Set<number>();
  const ranges: Array<[number, number]> = [];
  for (const a of args.join(" ").split(/[\s,]+/)) {
    if (!a) continue;
    const m = /^(\d+)-(\d+)$/.exec(a);
    if (m) ranges.push([Number(m[1]), Number(m[2])]);
    else singles.add(Number(a));
  }
  return (id) => singles.has(id) || ranges.some(([lo, hi]) => id >= lo && id <= hi);
}
