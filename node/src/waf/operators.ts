/**
 * SecLang operators. @rx and @pm run on RE2 (linear time, no backtracking); a pattern RE2
 * cannot compile makes compileOperator throw a WafError that the loader reports.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import RE2 from "re2";
import { WafError } from "./errors.js";
import { IpMatcher } from "./ipmatch.js";
import type { OperatorCall } from "./types.js";
import { detectSqli } from "./detect/sqli.js";
import { detectXss } from "./detect/xss.js";

export interface OperatorContext {
  /** Expands %{…} macros in operator arguments. */
  expand(s: string): string;
  /** When set by the engine, operators that can capture store groups here (TX:0…TX:9). */
  captures: string[] | undefined;
  wantCapture: boolean;
}

export type OperatorFn = (input: string, ctx: OperatorContext) => boolean;

const hasMacro = (s: string): boolean => s.includes("%{");

function escapeRe(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|\-/]/g, (c) => "\\" + c);
}

/** The RE2 pattern (case-insensitive alternation) equivalent to a phrase list, or undefined when empty. */
export function phrasePattern(phrases: readonly string[]): string | undefined {
  const uniq = [...new Set(phrases.filter((p) => p.length > 0).map((p) => p.toLowerCase()))];
  return uniq.length === 0 ? undefined : `(?i)(?:${uniq.map(escapeRe).join("|")})`;
}

/** The phrases of a @pm / @pmFromFile call. */
export function pmPhrases(call: OperatorCall, rulesDir: string): string[] {
  if (call.name === "pm") return call.arg.split(/\s+/);
  return call.arg.split(/\s+/).filter(Boolean).flatMap((f) => readDataFile(rulesDir, f));
}

/** A pure matcher's result: false, or the captures of the match (TX:0…TX:9). */
export type PureResult = readonly string[] | false;

/** A matcher whose result depends only on its input (before negation). */
export type PureMatcher = (input: string) => PureResult;

/** An operator from a pure matcher (the engine keeps pure results per value, see ValueFacts). */
function fromPure(run: PureMatcher): OperatorFn {
  return (input, ctx) => {
    const r = run(input);
    if (r === false) return false;
    if (ctx.wantCapture) ctx.captures = r as string[];
    return true;
  };
}

/** The result of a match whose captures nobody reads. */
const MATCHED: readonly string[] = Object.freeze([]);

/**
 * A regex as a pure matcher. Most inputs do not match: test() runs RE2's DFA only, and exec()
 * (which also extracts submatches) runs only on a match when the rule captures.
 */
function regexMatcher(re: RE2, capture: boolean, captures: (m: RegExpExecArray) => readonly string[]): PureMatcher {
  if (!capture) return (input) => (re.test(input) ? MATCHED : false);
  return (input) => {
    if (!re.test(input)) return false;
    const m = re.exec(input);
    return m ? captures(m) : false;
  };
}

/** Phrase matcher (case-insensitive, substring), built as one RE2 alternation. */
function phraseMatcher(phrases: string[], capture: boolean): PureMatcher {
  const pattern = phrasePattern(phrases);
  if (pattern === undefined) return () => false;
  return regexMatcher(new RE2(pattern, ""), capture, (m) => [m[0]]);
}

function readDataFile(rulesDir: string, name: string): string[] {
  const text = readFileSync(join(rulesDir, name), "latin1");
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
}

function byteRangeTable(spec: string): Uint8Array {
  const t = new Uint8Array(256);
  for (const part of spec.split(/[\s,]+/)) {
    if (!part) continue;
    const [a, b] = part.split("-");
    const lo = Number(a);
    const hi = b === undefined ? lo : Number(b);
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi > 255 || lo > hi) {
      throw new WafError("AEGIS_ERR_WAF_PARSE", `bad byte range ${part}`);
    }
    for (let i = lo; i <= hi; i++) t[i] = 1;
  }
  return t;
}

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** True when a % is not followed by two hex digits. */
export function invalidUrlEncoding(s: string): boolean {
  for (let i = s.indexOf("%"); i >= 0; i = s.indexOf("%", i + 3)) {
    if (i + 2 >= s.length) return true;
    if (!isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return true;
  }
  return false;
}

/** True when the binary string is not well-formed UTF-8 (overlongs and surrogates count as invalid). */
export function invalidUtf8(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const b = s.charCodeAt(i);
    if (b < 0x80) continue;
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) { need = 1; min = 0x80; cp = b & 0x1f; }
    else if (b >= 0xe0 && b <= 0xef) { need = 2; min = 0x800; cp = b & 0x0f; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; min = 0x10000; cp = b & 0x07; }
    else return true;
    if (i + need >= s.length) return true;
    for (let k = 1; k <= need; k++) {
      const c = s.charCodeAt(i + k);
      if ((c & 0xc0) !== 0x80) return true;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return true;
    i += need;
  }
  return false;
}

function withArg(arg: string, f: (a: string, input: string) => boolean): OperatorFn {
  if (!hasMacro(arg)) return (input) => f(arg, input);
  return (input, ctx) => f(ctx.expand(arg), input);
}

const num = (s: string): number => {
  const n = parseInt(s, 10);
  return Number.isNaN(n) ? 0 : n;
};

export function compileRegex(pattern: string): RE2 {
  try {
    return new RE2(pattern, "ms");
  } catch (e) {
    throw new WafError("AEGIS_ERR_WAF_UNSUPPORTED", `regex not supported by RE2: ${(e as Error).message}`);
  }
}

/**
 * An operator as a function (negation applied) and, when its result depends only on its input,
 * its pure matcher (negation not applied), whose results the engine keeps per value. Without
 * `capture` a match reports no captures (RE2 then only tests, which is much cheaper).
 */
export function compileOperator(call: OperatorCall, rulesDir: string, capture = true): { fn: OperatorFn; pure?: PureMatcher } {
  const pure = compilePure(call, rulesDir, capture);
  const f = pure ? fromPure(pure) : compileInner(call, rulesDir);
  return { fn: call.negated ? (i, c) => !f(i, c) : f, pure };
}

/**
 * The pure matcher of an operator whose result depends only on its input (@rx without macros,
 * @pm, @pmFromFile, @detectSQLi, @detectXSS), ignoring negation; undefined for the others.
 */
function compilePure(call: OperatorCall, rulesDir: string, capture: boolean): PureMatcher | undefined {
  switch (call.name) {
    case "rx": {
      if (hasMacro(call.arg)) return undefined;
      return regexMatcher(compileRegex(call.arg), capture, (m) => Array.from(m, (g) => g ?? ""));
    }
    case "pm":
    case "pmf":
    case "pmfromfile": return phraseMatcher(pmPhrases(call, rulesDir), capture);
    case "detectsqli": return (input) => {
      const r = detectSqli(input);
      return r.attack ? [r.fingerprint] : false;
    };
    case "detectxss": return (input) => (detectXss(input).attack ? [] : false);
    default: return undefined;
  }
}

function compileInner(call: OperatorCall, rulesDir: string): OperatorFn {
  const arg = call.arg;
  switch (call.name) {
    case "rx":
      return (input, ctx) => {
        try { return compileRegex(ctx.expand(arg)).test(input); } catch { return false; }
      };
    case "beginswith": return withArg(arg, (a, i) => i.startsWith(a));
    case "endswith": return withArg(arg, (a, i) => i.endsWith(a));
    case "contains": return withArg(arg, (a, i) => i.includes(a));
    case "containsword": return withArg(arg, (a, i) => new RegExp(`(^|\\W)${escapeRe(a)}($|\\W)`).test(i));
    case "within": return withArg(arg, (a, i) => a.includes(i));
    case "streq": return withArg(arg, (a, i) => a === i);
    case "strmatch": return withArg(arg, (a, i) => i.includes(a));
    case "eq": return withArg(arg, (a, i) => num(i) === num(a));
    case "ge": return withArg(arg, (a, i) => num(i) >= num(a));
    case "gt": return withArg(arg, (a, i) => num(i) > num(a));
    case "le": return withArg(arg, (a, i) => num(i) <= num(a));
    case "lt": return withArg(arg, (a, i) => num(i) < num(a));
    case "ipmatch": {
      const m = new IpMatcher(arg.split(/[\s,]+/));
      return (input) => m.match(input);
    }
    case "ipmatchfromfile":
    case "ipmatchf": {
      const m = new IpMatcher(readDataFile(rulesDir, arg));
      return (input) => m.match(input);
    }
    case "validatebyterange": {
      const t = byteRangeTable(arg);
      return (input) => {
        for (let i = 0; i < input.length; i++) if (!t[input.charCodeAt(i) & 0xff]) return true;
        return false;
      };
    }
    case "validateurlencoding": return (input) => invalidUrlEncoding(input);
    case "validateutf8encoding": return (input) => invalidUtf8(input);
    case "unconditionalmatch": return () => true;
    case "nomatch": return () => false;
    default:
      throw new WafError("AEGIS_ERR_WAF_UNSUPPORTED", `operator @${call.name} not supported`);
  }
}
