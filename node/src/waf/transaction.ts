/**
 * One request's evaluation through a Ruleset: builds the variables, runs the rules of each
 * phase in order (chains, skipAfter, skip, ctl, setvar, capture), accumulates matches and
 * decides the interruption. Holds all per-request state; the Ruleset is shared and immutable.
 */
import { parseBody, processorFor, type BodyProcessor, type ParsedBody } from "./body/index.js";
import { parseUrlEncoded } from "./body/urlencoded.js";
import type RE2 from "re2";
import { MEMO_BUDGET, MEMO_MAX_INPUT, Memo } from "./memo.js";
import { ValueFacts, type CompiledRule, type RegexGroup, type Ruleset } from "./ruleset.js";
import { expandIds } from "./seclang/parser.js";
import { parseVariable } from "./seclang/parser.js";
import type { OperatorContext } from "./operators.js";
import type {
  EngineLimits, Interruption, Phase, RuleMatch, VariableSpec, WafRequest, WafResponse,
} from "./types.js";

export type EngineMode = "detect" | "block";

/** A collection member: key, value and, once a rule has targeted it, the facts about its value. */
type Pair = [string, string, ValueFacts?];

/** A rule's targets: what Transaction.targets selects. */
interface TargetList {
  /** Each target's collection ("&ARGS" for a count). */
  readonly collections: readonly string[];
  /** Each target's member: key, value (its facts are looked up when a step needs them). */
  readonly members: readonly Pair[];
}

/** See Transaction.plan. */
interface TargetPlan extends TargetList {
  /** Each value after the transformation chain. */
  tvs?: string[];
  /** The regex group whose results `sets` holds. */
  group?: RegexGroup;
  /** Per value, the group's matching pattern indices (undefined: match the rule's own regex). */
  sets?: Array<readonly number[] | undefined>;
  /**
   * Union of `sets` over all values: the patterns that matched some value. Undefined when a
   * value has no set result, so a rule cannot be ruled out without its own regex.
   */
  hits?: readonly number[];
}

export interface TransactionOptions {
  readonly mode: EngineMode;
  readonly limits: EngineLimits;
  /** TX variables set before phase 1 (paranoia levels, thresholds). */
  readonly txInit?: Readonly<Record<string, string>>;
  readonly excludedIds?: readonly number[];
  readonly excludedTags?: readonly string[];
  readonly responseBodyInspection?: boolean;
}

/** The UTF-8 bytes of `s` as a binary (latin1) string, the form rules see; ASCII needs no copy. */
const NON_ASCII = /[^\x00-\x7f]/;
const bin = (s: string): string => (NON_ASCII.test(s) ? Buffer.from(s, "utf8").toString("latin1") : s);

function percentDecode(s: string): string {
  if (s.indexOf("%") < 0) return s;
  return s.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

export class Transaction {
  readonly matches: RuleMatch[] = [];
  interruption: Interruption | undefined;
  private readonly tx = new Map<string, string>();
  private readonly cols = new Map<string, Pair[]>();
  private readonly removedIds = new Set<number>();
  private removedIdPreds: Array<(id: number) => boolean> = [];
  private readonly removedTags = new Set<string>();
  private readonly removedTargets: Array<{ match: (r: CompiledRule) => boolean; spec: VariableSpec }> = [];
  private allowed = false;
  private bodyProcessor: BodyProcessor = "";
  private matchedVar = "";
  private matchedVarName = "";
  private matchedVars: Pair[] = NO_VARS;
  private currentRule: CompiledRule | undefined;
  private readonly opCtx: OperatorContext;
  private engineOff = false;
  private detectOnly: boolean;
  /** Set when the request body exceeded the limit. */
  bodyTooLarge = false;

  constructor(
    private readonly rules: Ruleset,
    private readonly req: WafRequest,
    private readonly opts: TransactionOptions,
  ) {
    this.detectOnly = opts.mode === "detect";
    for (const [k, v] of Object.entries(opts.txInit ?? {})) this.tx.set(k.toLowerCase(), v);
    for (const id of opts.excludedIds ?? []) this.removedIds.add(id);
    for (const t of opts.excludedTags ?? []) this.removedTags.add(t.toLowerCase());
    const self = this;
    this.opCtx = {
      expand: (s) => self.expand(s),
      captures: undefined,
      wantCapture: false,
    };
    this.buildRequestVariables();
  }

  // ---- variables -------------------------------------------------------------------------

  private set(name: string, pairs: Pair[]): void {
    this.cols.set(name, pairs);
    if (this.plans.length > 0) {
      this.plans = [];
      this.targetLists = [];
    }
  }
  private single(name: string, value: string): void {
    this.set(name, [["", value]]);
  }

  /**
   * The targets of rules sharing a planId, with their transformed values and regex-set
   * results filled in by the first rule that needs them. Valid until a collection changes.
   */
  private plans: Array<TargetPlan | undefined> = [];
  /** Target lists by CompiledRule.targetsId, shared by the plans of rules with different chains. */
  private targetLists: Array<TargetList | undefined> = [];
  private plan(cr: CompiledRule): TargetPlan {
    const id = cr.planId;
    if (id < 0 || (this.removedTargets.length > 0 && this.removedTargets.some((t) => t.match(cr)))) {
      return this.targets(cr);
    }
    let p = this.plans[id];
    if (!p) {
      const list = (this.targetLists[cr.targetsId] ??= this.targets(cr));
      this.plans[id] = p = { collections: list.collections, members: list.members };
    }
    return p;
  }

  private buildRequestVariables(): void {
    const r = this.req;
    const uri = bin(r.uri);
    const q = uri.indexOf("?");
    const path = q < 0 ? uri : uri.slice(0, q);
    const query = q < 0 ? "" : uri.slice(q + 1);
    const pathOnly = path.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/, "");
    const filename = percentDecode(pathOnly);
    this.single("REQUEST_METHOD", r.method);
    this.single("REQUEST_PROTOCOL", r.protocol);
    this.single("REQUEST_URI", uri);
    this.single("REQUEST_URI_RAW", uri);
    this.single("REQUEST_LINE", `${r.method} ${uri} ${r.protocol}`);
    this.single("QUERY_STRING", query);
    this.single("REQUEST_FILENAME", filename);
    this.single("PATH_INFO", filename);
    this.single("REQUEST_BASENAME", filename.slice(filename.lastIndexOf("/") + 1));
    this.single("REMOTE_ADDR", r.remoteAddr);
    this.single("REMOTE_HOST", r.remoteAddr);
    this.single("REMOTE_PORT", String(r.remotePort ?? 0));
    this.single("SERVER_NAME", r.serverName ?? "");
    this.single("SERVER_PORT", String(r.serverPort ?? 0));
    this.single("UNIQUE_ID", r.id);
    const now = Date.now();
    this.single("TIME_EPOCH", String(Math.floor(now / 1000)));
    this.single("DURATION", "0");
    const headers: Pair[] = [];
    const names: Pair[] = [];
    const cookies: Pair[] = [];
    for (const [n, v0] of r.headers) {
      const v = bin(v0);
      const ln = n.toLowerCase();
      headers.push([ln, v]);
      names.push([ln, n]);
      if (ln === "cookie") {
        for (const part of v.split(";")) {
          const t = part.trim();
          if (t === "") continue;
          const eq = t.indexOf("=");
          cookies.push(eq < 0 ? [t, ""] : [t.slice(0, eq).trim(), t.slice(eq + 1).trim()]);
        }
      }
    }
    this.set("REQUEST_HEADERS", headers);
    this.set("REQUEST_HEADERS_NAMES", names);
    this.set("REQUEST_COOKIES", cookies);
    this.set("REQUEST_COOKIES_NAMES", cookies.map(([k]) => [k, k]));
    const { pairs } = parseUrlEncoded(query, this.opts.limits.maxArgs);
    this.set("ARGS_GET", pairs);
    this.set("ARGS_GET_NAMES", pairs.map(([k]) => [k, k]));
    this.set("ARGS_POST", []);
    this.set("ARGS_POST_NAMES", []);
    this.refreshArgs();
    // The length of "METHOD URI PROTOCOL\r\n" + "name: value" lines joined by "\r\n", plus the body.
    let full = r.method.length + uri.length + r.protocol.length + 4;
    for (const [k, v] of headers) full += k.length + v.length + 2;
    if (headers.length > 0) full += 2 * (headers.length - 1);
    this.single("FULL_REQUEST_LENGTH", String(full + (r.body?.length ?? 0)));
    this.single("REQBODY_ERROR", "0");
    this.single("REQBODY_PROCESSOR_ERROR", "0");
    this.single("MULTIPART_STRICT_ERROR", "0");
    this.single("MULTIPART_UNMATCHED_BOUNDARY", "0");
    this.single("INBOUND_DATA_ERROR", "0");
    this.single("REQUEST_BODY_LENGTH", String(r.body?.length ?? 0));
    const ct = headers.find(([k]) => k === "content-type")?.[1] ?? "";
    this.bodyProcessor = processorFor(ct);
    this.single("REQBODY_PROCESSOR", this.bodyProcessor);
  }

  private refreshArgs(): void {
    const get = this.cols.get("ARGS_GET") ?? [];
    const post = this.cols.get("ARGS_POST") ?? [];
    const all = [...get, ...post];
    this.set("ARGS", all);
    this.set("ARGS_NAMES", all.map(([k]) => [k, k]));
    let size = 0;
    for (const [k, v] of all) size += k.length + v.length;
    this.single("ARGS_COMBINED_SIZE", String(size));
  }

  private processBody(): void {
    const body = this.req.body;
    if (!body || body.length === 0) return;
    if (body.length > this.opts.limits.requestBodyLimit) {
      this.bodyTooLarge = true;
      this.single("REQBODY_ERROR", "1");
      this.single("REQBODY_ERROR_MSG", "request body larger than the limit");
      this.single("INBOUND_DATA_ERROR", "1");
      return;
    }
    // Like ModSecurity, REQUEST_BODY holds the raw body for form posts and for bodies no
    // processor parses (CRS 901340 forces it then); JSON/XML/multipart are inspected parsed.
    if (this.bodyProcessor === "URLENCODED" || this.bodyProcessor === "") this.single("REQUEST_BODY", body.toString("latin1"));
    const ct = this.req.headers.find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "";
    const parsed: ParsedBody = parseBody(body, ct, this.bodyProcessor, this.opts.limits);
    this.single("REQBODY_PROCESSOR", parsed.processor);
    if (parsed.error) {
      this.single("REQBODY_ERROR", "1");
      this.single("REQBODY_PROCESSOR_ERROR", "1");
      this.single("REQBODY_ERROR_MSG", parsed.error);
    }
    this.set("ARGS_POST", parsed.args);
    this.set("ARGS_POST_NAMES", parsed.args.map(([k]) => [k, k]));
    this.set("FILES", parsed.files);
    this.set("FILES_NAMES", parsed.files.map(([k]) => [k, k]));
    this.set("MULTIPART_FILENAME", parsed.files.map(([k, v]) => [k, v]));
    this.set("MULTIPART_NAME", parsed.args.map(([k]) => [k, k]));
    this.set("FILES_SIZES", parsed.fileSizes);
    this.single("FILES_COMBINED_SIZE", String(parsed.fileSizes.reduce((a, [, s]) => a + Number(s), 0)));
    this.set("MULTIPART_PART_HEADERS", parsed.partHeaders);
    this.single("MULTIPART_STRICT_ERROR", parsed.multipartStrictError ? "1" : "0");
    this.single("MULTIPART_UNMATCHED_BOUNDARY", parsed.multipartUnmatchedBoundary ? "1" : "0");
    this.set("XML", parsed.xml.map((v) => ["/*", v]));
    this.refreshArgs();
  }

  private setResponse(res: WafResponse): void {
    const headers: Pair[] = res.headers.map(([k, v]) => [k.toLowerCase(), bin(v)]);
    this.set("RESPONSE_HEADERS", headers);
    this.set("RESPONSE_HEADERS_NAMES", res.headers.map(([k]) => [k.toLowerCase(), k]));
    this.single("RESPONSE_STATUS", String(res.status));
    this.single("RESPONSE_PROTOCOL", res.protocol);
    this.single("STATUS_LINE", `${res.protocol} ${res.status}`);
    const ct = headers.find(([k]) => k === "content-type")?.[1] ?? "";
    this.single("RESPONSE_CONTENT_TYPE", ct);
    this.single("RESPONSE_CONTENT_LENGTH", String(res.body?.length ?? 0));
    if (res.body && this.opts.responseBodyInspection && /^(text\/|application\/(json|xml|javascript))/i.test(ct)) {
      this.single("RESPONSE_BODY", res.body.subarray(0, this.opts.limits.responseBodyLimit).toString("latin1"));
    }
  }

  /** Members of a collection that a spec selects (before exclusions). */
  private select(spec: VariableSpec): Pair[] {
    const c = spec.collection;
    if (c === "TX" && spec.key !== undefined) {
      const v = this.tx.get(spec.key);
      return v === undefined ? [] : [[spec.key, v]];
    }
    if (c === "TX" && spec.keyRegex) {
      const out: Pair[] = [];
      for (const [k, v] of this.tx) if (keyMatches(spec.keyRegex, k)) out.push([k, v]);
      return out;
    }
    let pairs: Pair[];
    switch (c) {
      case "TX": pairs = [...this.tx.entries()]; break;
      case "MATCHED_VAR": pairs = [["", this.matchedVar]]; break;
      case "MATCHED_VAR_NAME": pairs = [["", this.matchedVarName]]; break;
      case "MATCHED_VARS": pairs = this.matchedVars; break;
      case "MATCHED_VARS_NAMES": pairs = this.matchedVars.map(([k]) => [k, k]); break;
      case "RULE": pairs = [["id", String(this.currentRule?.id ?? 0)]]; break;
      default: pairs = this.cols.get(c) ?? [];
    }
    if (spec.key !== undefined) {
      const k = spec.key;
      if (pairs.length === 0) return pairs;
      pairs = this.byKey(c, pairs).get(k) ?? [];
    } else if (spec.keyRegex) {
      const re = spec.keyRegex;
      pairs = pairs.filter(([n]) => keyMatches(re, n));
    }
    return pairs;
  }

  /** Members of a collection indexed by lower-cased key (built once per collection version). */
  private readonly keyIndex = new Map<Pair[], Map<string, Pair[]>>();
  private byKey(c: string, pairs: Pair[]): Map<string, Pair[]> {
    let idx = this.keyIndex.get(pairs);
    if (!idx) {
      idx = new Map();
      for (const p of pairs) {
        const k = c === "REQUEST_HEADERS" || c === "RESPONSE_HEADERS" ? p[0] : p[0].toLowerCase();
        const l = idx.get(k);
        if (l) l.push(p);
        else idx.set(k, [p]);
      }
      this.keyIndex.set(pairs, idx);
    }
    return idx;
  }

  /** The rule's targets: their collections and members. */
  private targets(cr: CompiledRule): TargetList {
    const collections: string[] = [];
    const members: Pair[] = [];
    let removed: VariableSpec[] | undefined;
    for (const t of this.removedTargets) if (t.match(cr)) (removed ??= []).push(t.spec);
    for (const { spec: s, excludes } of cr.targetSpecs) {
      if (s.count) {
        const count = String(this.select(s).length);
        collections.push("&" + s.collection);
        members.push([s.key ?? "", count]);
        continue;
      }
      const pairs = this.select(s);
      if (pairs.length === 0) continue;
      let mine = excludes;
      if (removed) for (const e of removed) if (e.collection === s.collection) mine = [...(mine ?? []), e];
      for (let i = 0; i < pairs.length; i++) {
        const p = pairs[i]!;
        if (mine && excluded(mine, p[0])) continue;
        collections.push(s.collection);
        members.push(p);
      }
    }
    return { collections, members };
  }

  private static targetName(col: string, key: string): string {
    if (key === "") return col;
    return col === "MATCHED_VARS" ? key : `${col}:${key}`;
  }

  // ---- macros and actions ----------------------------------------------------------------

  expand(s: string): string {
    if (s.indexOf("%{") < 0) return s;
    const parts = macroParts(s);
    let out = parts[0] as string;
    for (let i = 1; i < parts.length; i += 2) out += this.macro(parts[i] as MacroRef) + (parts[i + 1] as string);
    return out;
  }

  private macro({ col, key }: MacroRef): string {
    if (col === "TX" && key !== undefined) return this.tx.get(key) ?? "";
    if (col === "MATCHED_VAR") return this.matchedVar;
    if (col === "MATCHED_VAR_NAME") return this.matchedVarName;
    if (col === "RULE") {
      if (key === "id") return String(this.currentRule?.id ?? "");
      if (key === "msg") return this.currentRule?.rule.actions.msg ?? "";
      return "";
    }
    const pairs = this.cols.get(col) ?? [];
    if (key === undefined) return pairs[0]?.[1] ?? "";
    return pairs.find(([k]) => k.toLowerCase() === key)?.[1] ?? "";
  }

  private runSetvars(cr: CompiledRule): void {
    for (const sv of cr.rule.actions.setvars) {
      if (sv.collection !== "tx") continue; // ip/global/session persistence is not kept across requests
      const name = this.expand(sv.name).toLowerCase();
      if (sv.op === "delete") { this.tx.delete(name); continue; }
      const value = this.expand(sv.value);
      if (sv.op === "set") this.tx.set(name, value);
      else {
        const cur = parseInt(this.tx.get(name) ?? "0", 10) || 0;
        const d = parseInt(value, 10) || 0;
        this.tx.set(name, String(sv.op === "add" ? cur + d : cur - d));
      }
    }
  }

  private runCtls(cr: CompiledRule): void {
    for (const c of cr.rule.actions.ctls) {
      const name = c.name.toLowerCase();
      const value = this.expand(c.value);
      switch (name) {
        case "ruleremovebyid":
          for (const part of value.split(/[\s,]+/)) {
            if (/^\d+$/.test(part)) this.removedIds.add(Number(part));
            else if (part) this.removedIdPreds.push(expandIds([part]));
          }
          break;
        case "ruleremovebytag": this.removedTags.add(value.toLowerCase()); break;
        case "ruleremovetargetbyid": {
          const [ids, target] = splitCtlTarget(value);
          const pred = expandIds([ids]);
          this.removedTargets.push({ match: (r) => pred(r.id), spec: parseVariable("!" + target) });
          break;
        }
        case "ruleremovetargetbytag": {
          const [tag, target] = splitCtlTarget(value);
          const lt = tag.toLowerCase();
          this.removedTargets.push({ match: (r) => r.rule.actions.tags.some((t) => t.toLowerCase() === lt), spec: parseVariable("!" + target) });
          break;
        }
        case "requestbodyprocessor": this.bodyProcessor = value.toUpperCase() as BodyProcessor; break;
        case "ruleengine": {
          const v = value.toLowerCase();
          if (v === "off") this.engineOff = true;
          else if (v === "detectiononly") this.detectOnly = true;
          break;
        }
        default: break; // auditEngine, auditLogParts, forceRequestBodyVariable: no effect here
      }
    }
  }

  private removed(cr: CompiledRule): boolean {
    if (this.removedIds.has(cr.id)) return true;
    for (const p of this.removedIdPreds) if (p(cr.id)) return true;
    if (this.removedTags.size > 0) {
      for (const t of cr.rule.actions.tags) if (this.removedTags.has(t.toLowerCase())) return true;
    }
    return false;
  }

  /** Facts about `value`: shared across requests for short values, fresh for long ones. */
  private factsOf(value: string): ValueFacts {
    if (value.length > MEMO_MAX_INPUT) return new ValueFacts();
    const memo = this.rules.facts;
    let f = memo.get(value);
    if (f === undefined) memo.set(value, (f = new ValueFacts()));
    return f;
  }

  /** Facts about a member's value, looked up once per member. */
  private factsFor(m: Pair): ValueFacts {
    return (m[2] ??= this.factsOf(m[1]));
  }

  /**
   * `value` after the first `upto` transformations of the rule's chain (all of them by default),
   * kept in the value's facts per chain prefix, so "urlDecodeUni,lowercase" continues from
   * "urlDecodeUni".
   */
  private transform(cr: CompiledRule, m: Pair, upto = cr.transforms.length): string {
    const value = m[1];
    if (upto === 0) return value;
    const ids = cr.tfIds;
    const tv = this.factsFor(m).tv;
    const done = tv[ids[upto - 1]!];
    if (done !== undefined) return done;
    let start = upto - 1;
    let v = value;
    for (; start > 0; start--) {
      const prefix = tv[ids[start - 1]!];
      if (prefix !== undefined) { v = prefix; break; }
    }
    for (let i = start; i < upto; i++) tv[ids[i]!] = v = cr.transforms[i]!(v);
    return v;
  }

  /** Indices of a group's patterns matching `v` (the value of `m` after the group's chain); undefined when the set failed. */
  private setMatch(group: RegexGroup, v: string, m: Pair): readonly number[] | undefined {
    const facts = this.factsFor(m);
    let result = facts.sets[group.id];
    if (result === undefined) {
      try {
        const indices = group.set.match(v);
        result = indices.length === 0 ? NO_MATCH : indices;
      } catch {
        result = false; // RE2 DFA out of memory: fall back to the rules' own regexes
      }
      facts.sets[group.id] = result;
    }
    return result === false ? undefined : result;
  }

  /**
   * The rule's pure matcher on `v`, the value of `m` after k transformations (all by default),
   * kept in the value's facts; sets captures when wanted.
   */
  private pureMatch(cr: CompiledRule, v: string, m: Pair, k = cr.transforms.length): boolean {
    const ops = this.factsFor(m).ops;
    const at = cr.pureBase + k;
    let r = ops[at];
    if (r === undefined) ops[at] = r = cr.pure!(v);
    if (r === false) return cr.rule.operator.negated;
    if (this.opCtx.wantCapture) this.opCtx.captures = r as string[];
    return !cr.rule.operator.negated;
  }

  /** One matched target: MATCHED_VAR(S), captures, and the rule's setvars. */
  private recordMatch(cr: CompiledRule, collection: string, key: string, tv: string): void {
    const a = cr.rule.actions;
    const name = Transaction.targetName(collection, key);
    this.matchedVar = tv;
    this.matchedVarName = name;
    if (this.matchedVars === NO_VARS) this.matchedVars = [];
    this.matchedVars.push([name, tv]);
    if (a.capture && this.opCtx.captures) {
      for (let i = 0; i < 10; i++) {
        const g = this.opCtx.captures[i];
        if (g !== undefined) this.tx.set(String(i), g);
      }
    }
    // setvar runs once per matched variable (ModSecurity semantics; CRS relies on it,
    // e.g. 920450 records one TX entry per header name).
    if (a.setvars.length > 0) {
      const saved = this.currentRule;
      this.runSetvars(cr);
      this.currentRule = saved;
    }
  }

  /**
   * A rule whose only target is one TX variable (or its count) and that transforms nothing:
   * most of CRS's bookkeeping rules (paranoia-level gates, thresholds, initialization).
   */
  private evaluateTxKey(cr: CompiledRule, spec: VariableSpec): boolean {
    this.matchedVars = NO_VARS;
    this.opCtx.wantCapture = cr.rule.actions.capture;
    this.opCtx.captures = undefined;
    const v = this.tx.get(spec.key!);
    const value = spec.count ? (v === undefined ? "0" : "1") : v;
    if (value === undefined || !cr.op(value, this.opCtx)) return false;
    this.recordMatch(cr, spec.count ? "&TX" : "TX", spec.key!, value);
    return true;
  }

  /** Evaluates one rule (and its chain). Returns whether it matched. */
  private evaluate(cr: CompiledRule, isHead: boolean): boolean {
    const a = cr.rule.actions;
    let matched = false;
    if (cr.rule.kind === "action") {
      matched = true;
    } else if (cr.txKey && this.removedTargets.length === 0) {
      matched = this.evaluateTxKey(cr, cr.txKey);
    } else {
      const plan = this.plan(cr);
      const members = plan.members;
      const n = members.length;
      const slot = cr.setSlot;
      let tvs: string[] | undefined;
      let sets: Array<readonly number[] | undefined> | undefined;
      if (!a.multiMatch) {
        tvs = plan.tvs;
        if (!tvs) {
          tvs = plan.tvs = new Array<string>(n);
          for (let i = 0; i < n; i++) tvs[i] = this.transform(cr, members[i]!);
        }
        if (slot) {
          if (plan.group !== slot.group) {
            plan.group = slot.group;
            const results = (plan.sets = new Array<readonly number[] | undefined>(n));
            // The union is the first non-empty result until a second one needs a copy to grow.
            let hits: readonly number[] = NO_MATCH;
            let own: number[] | undefined;
            let complete = true;
            for (let i = 0; i < n; i++) {
              const r = (results[i] = this.setMatch(slot.group, tvs[i]!, members[i]!));
              if (r === undefined) complete = false;
              else if (r.length > 0) {
                if (hits.length === 0) hits = r;
                else {
                  if (!own) hits = own = hits.slice();
                  for (let k = 0; k < r.length; k++) own.push(r[k]!);
                }
              }
            }
            plan.hits = complete ? hits : undefined;
          }
          sets = plan.sets;
          // No value matched this rule's pattern: a plain (non-negated) rule cannot match.
          if (plan.hits && !plan.hits.includes(slot.index) && !cr.rule.operator.negated) {
            this.matchedVars = NO_VARS;
            return false;
          }
        }
      }
      this.matchedVars = NO_VARS;
      this.opCtx.wantCapture = a.capture;
      for (let i = 0; i < n; i++) {
        const value = members[i]![1];
        let hit = false;
        if (a.multiMatch) {
          // The operator sees the value before and after each transformation that changes it.
          this.opCtx.captures = undefined;
          const m = members[i]!;
          hit = cr.pure ? this.pureMatch(cr, value, m, 0) : cr.op(value, this.opCtx);
          let last = value;
          for (let k = 1; !hit && k <= cr.transforms.length; k++) {
            const t = this.transform(cr, m, k);
            if (t !== last) hit = cr.pure ? this.pureMatch(cr, (last = t), m, k) : cr.op((last = t), this.opCtx);
          }
        } else {
          this.opCtx.captures = undefined;
          const v = tvs![i]!;
          const inSet = sets?.[i];
          if (inSet !== undefined) {
            hit = inSet.includes(slot!.index) !== cr.rule.operator.negated;
            // The set says whether it matches; the rule's own regex supplies the captures.
            if (hit && a.capture && !cr.rule.operator.negated) this.pureMatch(cr, v, members[i]!);
          } else if (cr.pure) hit = this.pureMatch(cr, v, members[i]!);
          else hit = cr.op(v, this.opCtx);
        }
        if (!hit) continue;
        matched = true;
        this.recordMatch(cr, plan.collections[i]!, members[i]![0], tvs ? tvs[i]! : this.transform(cr, members[i]!));
      }
    }
    if (!matched) return false;
    // Non-disruptive actions of each chain member run as soon as that member matches (the
    // chained rule may read what its head just set, e.g. TX from capture + setvar).
    const saved = this.currentRule;
    if (cr.rule.kind === "action") this.runSetvars(cr);
    this.runCtls(cr);
    this.currentRule = saved;
    if (cr.chained && !this.evaluate(cr.chained, false)) return false;
    void isHead;
    return true;
  }

  /** Runs one phase. Returns the interruption, if any (only in block mode). */
  runPhase(phase: Phase, response?: WafResponse): Interruption | undefined {
    if (this.engineOff || this.allowed || this.interruption) return this.interruption;
    if (phase === 2) this.processBody();
    if (phase === 3 && response) this.setResponse(response);
    const list = this.rules.phaseRules(phase);
    for (let i = 0; i < list.length; i++) {
      const cr = list[i]!;
      if (!cr.runnable || this.removed(cr)) continue;
      this.currentRule = cr;
      if (!this.evaluate(cr, true)) continue;
      const a = cr.rule.actions;
      if (a.log || a.disruptive === "deny" || a.disruptive === "drop") {
        this.matches.push({
          id: cr.id, phase, msg: a.msg === undefined ? undefined : this.expand(a.msg),
          data: a.logdata === undefined ? undefined : this.expand(a.logdata), severity: a.severity,
          tags: a.tags, matchedVar: this.matchedVarName,
        });
      }
      const d = a.disruptive;
      if ((d === "deny" || d === "drop" || d === "redirect") && !this.detectOnly) {
        this.interruption = { ruleId: cr.id, status: a.status ?? 403, action: d };
        return this.interruption;
      }
      if (d === "allow" && !this.detectOnly) { this.allowed = true; return undefined; }
      if (cr.skipTo !== undefined) {
        i = cr.skipTo;
        continue;
      }
      if (a.skip > 0) i += a.skip;
    }
    return undefined;
  }

  tx_(name: string): string | undefined {
    return this.tx.get(name.toLowerCase());
  }
}

const NO_MATCH: readonly number[] = [];

/** A %{COLLECTION.key} reference in a macro string. */
interface MacroRef {
  readonly col: string;
  readonly key?: string;
}

/**
 * A macro string split once into literal, reference, literal, … (always odd length). Macro
 * strings come from the rule files; the cache stops growing at MACRO_CACHE_MAX all the same.
 */
const MACRO_CACHE_MAX = 10_000;
const macroCache = new Map<string, ReadonlyArray<string | MacroRef>>();
function macroParts(s: string): ReadonlyArray<string | MacroRef> {
  const parts = macroCache.get(s);
  if (parts) return parts;
  const out: Array<string | MacroRef> = [];
  let last = 0;
  for (const m of s.matchAll(/%\{([^}]+)\}/g)) {
    out.push(s.slice(last, m.index));
    const name = m[1]!;
    const dot = name.indexOf(".");
    out.push({ col: (dot < 0 ? name : name.slice(0, dot)).toUpperCase(), key: dot < 0 ? undefined : name.slice(dot + 1).toLowerCase() });
    last = m.index! + m[0].length;
  }
  out.push(s.slice(last));
  if (macroCache.size < MACRO_CACHE_MAX) macroCache.set(s, out);
  return out;
}
/** MATCHED_VARS of a rule that matched nothing (shared; replaced before the first push). */
const NO_VARS: Pair[] = [];

/** Whether `!COLLECTION:key` specs (all of one collection) remove the member named `key`. */
function excluded(specs: readonly VariableSpec[], key: string): boolean {
  let lower: string | undefined;
  for (const e of specs) {
    if (e.key !== undefined) {
      if (e.key === (lower ??= key.toLowerCase())) return true;
    } else if (e.keyRegex) {
      if (keyMatches(e.keyRegex, key)) return true;
    } else return true;
  }
  return false;
}

/** Key-regex results (`COLLECTION:/re/`) by key, shared across requests: keys repeat. */
const keyRegexMemos = new WeakMap<RE2, Memo<boolean>>();
function keyMatches(re: RE2, key: string): boolean {
  if (key.length > MEMO_MAX_INPUT) return re.test(key);
  let memo = keyRegexMemos.get(re);
  if (!memo) keyRegexMemos.set(re, (memo = new Memo(MEMO_BUDGET.keyRegex)));
  let r = memo.get(key);
  if (r === undefined) memo.set(key, (r = re.test(key)));
  return r;
}

function splitCtlTarget(v: string): [string, string] {
  const semi = v.indexOf(";");
  return semi < 0 ? [v, ""] : [v.slice(0, semi), v.slice(semi + 1)];
}
