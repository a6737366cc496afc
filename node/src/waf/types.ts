/**
 * Types of the SecLang engine. Values flowing through variables, transformations and operators
 * are "binary strings": one JS char per byte (latin1), like ModSecurity's byte strings, so
 * transformations such as urlDecode produce exactly the bytes ModSecurity would.
 */
import type RE2 from "re2";

export type Phase = 1 | 2 | 3 | 4 | 5;

export interface VariableSpec {
  /** Upper-case collection or variable name, e.g. ARGS, REQUEST_HEADERS, TX. */
  readonly collection: string;
  /** Literal key (lower-cased) when the spec selects one member, e.g. REQUEST_HEADERS:User-Agent. */
  readonly key?: string;
  /** Key regex when written as COLLECTION:/re/. */
  readonly keyRegex?: RE2;
  /** `&COLLECTION` — the count of members instead of the members. */
  readonly count: boolean;
  /** `!COLLECTION:key` — removes members from the rule's targets. */
  readonly exclude: boolean;
  /** Original text, for reports. */
  readonly text: string;
}

export interface SetVarAction {
  readonly collection: string;
  /** May contain macros. */
  readonly name: string;
  readonly op: "set" | "add" | "sub" | "delete";
  readonly value: string;
}

export interface CtlAction {
  readonly name: string;
  readonly value: string;
}

export type Disruptive = "pass" | "deny" | "block" | "drop" | "allow" | "redirect";

export interface RuleActions {
  id: number;
  phase: Phase;
  chain: boolean;
  disruptive?: Disruptive;
  status?: number;
  msg?: string;
  logdata?: string;
  tags: string[];
  severity?: string;
  /** Transformation names in order; `none` resets what came before. */
  transforms: string[];
  setvars: SetVarAction[];
  ctls: CtlAction[];
  capture: boolean;
  multiMatch: boolean;
  skipAfter?: string;
  skip: number;
  log: boolean;
  /** Actions the engine understands but ignores (auditlog, ver, …) are not kept. */
}

export interface OperatorCall {
  readonly name: string;
  readonly negated: boolean;
  /** Argument as written (macros expanded per request when it contains %{…}). */
  readonly arg: string;
}

export interface Rule {
  readonly kind: "rule" | "action" | "marker";
  readonly actions: RuleActions;
  readonly variables: readonly VariableSpec[];
  readonly operator: OperatorCall;
  /** Next rule of the chain, if this rule has `chain`. */
  chained?: Rule;
  /** SecMarker name for markers. */
  readonly marker?: string;
  readonly file: string;
  readonly line: number;
  /** Paranoia level from the `paranoia-level/N` tag (0 if none). */
  readonly paranoia: number;
}

export interface LoadIssue {
  readonly file: string;
  readonly line: number;
  readonly ruleId?: number;
  readonly code: string;
  readonly message: string;
}

/** The request as the engine sees it. */
export interface WafRequest {
  readonly id: string;
  readonly method: string;
  /** Path and query exactly as received. */
  readonly uri: string;
  /** e.g. "HTTP/1.1" */
  readonly protocol: string;
  /** Header names as received (case kept) with their values, in order. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly remoteAddr: string;
  readonly remotePort?: number;
  readonly serverName?: string;
  readonly serverPort?: number;
  readonly body?: Buffer;
}

export interface WafResponse {
  readonly status: number;
  readonly protocol: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: Buffer;
}

export interface RuleMatch {
  readonly id: number;
  readonly phase: Phase;
  readonly msg?: string;
  readonly data?: string;
  readonly severity?: string;
  readonly tags: readonly string[];
  readonly matchedVar?: string;
}

export interface Interruption {
  readonly ruleId: number;
  readonly status: number;
  readonly action: Disruptive;
}

export interface EngineLimits {
  /** Largest request body inspected; larger bodies set REQBODY_ERROR (and are rejected in block mode). */
  readonly requestBodyLimit: number;
  readonly responseBodyLimit: number;
  readonly maxArgs: number;
  readonly jsonDepth: number;
  readonly xmlDepth: number;
}

export const DEFAULT_LIMITS: EngineLimits = Object.freeze({
  requestBodyLimit: 1024 * 1024,
  responseBodyLimit: 512 * 1024,
  maxArgs: 1000,
  jsonDepth: 64,
  xmlDepth: 64,
});
