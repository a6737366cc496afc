/**
 * SQL injection detector in the spirit of libinjection: the input is tokenized as SQL three
 * times — as it is, as if it started inside a '…' string and inside a "…" string — and the
 * sequence of token kinds (the fingerprint) is judged by a small set of patterns that describe
 * breaking out of a value into SQL syntax. No regex over the raw input.
 *
 * Token kinds: s string, n number/bareword, k keyword, E statement (select/insert/…), U union,
 * & logic (and/or/xor/&&/||), o operator, f function (name followed by "("), v variable
 * (@x, @@x), c comment, ( ) , ;
 */
export interface SqliResult {
  readonly attack: boolean;
  readonly fingerprint: string;
}

interface Token {
  readonly kind: string;
  readonly value: string;
}

const STATEMENTS = new Set(["select", "insert", "update", "delete", "drop", "create", "alter", "truncate", "exec", "execute", "declare", "replace", "merge", "shutdown", "grant", "revoke", "handler", "call"]);
const KEYWORDS = new Set(["from", "where", "having", "group", "order", "by", "limit", "offset", "into", "values", "set", "table", "database", "like", "rlike", "regexp", "between", "is", "in", "not", "null", "case", "when", "then", "else", "end", "as", "all", "distinct", "waitfor", "delay", "procedure", "outfile", "dumpfile", "information_schema", "sysobjects", "syscolumns", "collate", "escape", "top", "join", "desc", "asc"]);
const LOGIC = new Set(["and", "or", "xor", "div", "mod"]);
/** Functions whose call is itself a strong signal (timing, file access, error-based extraction). */
const DANGEROUS_FUNCTIONS = new Set(["sleep", "benchmark", "pg_sleep", "load_file", "extractvalue", "updatexml", "dbms_pipe.receive_message", "utl_inaddr.get_host_address", "xp_cmdshell", "sys_eval", "sys_exec", "name_const", "exp", "geometrycollection", "polygon", "multipoint", "randomblob", "waitfor", "dbms_lock.sleep", "ctxsys.drithsx.sn", "version", "database", "user", "current_user", "system_user", "schema", "concat", "concat_ws", "group_concat", "char", "chr", "ascii", "substring", "substr", "mid", "hex", "unhex", "cast", "convert", "count", "if", "ifnull", "elt", "make_set", "row", "floor", "rand"]);
const STRONG_FUNCTIONS = new Set(["sleep", "benchmark", "pg_sleep", "load_file", "extractvalue", "updatexml", "dbms_pipe.receive_message", "utl_inaddr.get_host_address", "xp_cmdshell", "sys_eval", "sys_exec", "name_const", "randomblob", "dbms_lock.sleep"]);

const SQL_OPERATORS = new Set(["=", "<", ">", "<>", "!=", "<=", ">=", "<=>", "||", "&&", "+", "-", "*", "/", "%", "^", "|", "&", ":="]);
const isWordChar = (c: string): boolean => /[A-Za-z0-9_$.\x80-\xff]/.test(c);
const MAX_TOKENS = 12;

function tokenize(input: string, quote: string): Token[] {
  const s = quote + input;
  const out: Token[] = [];
  let i = 0;
  while (i < s.length && out.length < MAX_TOKENS) {
    const c = s[i]!;
    if (/\s/.test(c) || c === "\0" || c === "\xa0") { i++; continue; }
    if (c === "'" || c === '"' || c === "`") {
      let j = i + 1;
      while (j < s.length) {
        if (s[j] === "\\") { j += 2; continue; }
        if (s[j] === c) {
          if (s[j + 1] === c) { j += 2; continue; }
          break;
        }
        j++;
      }
      out.push({ kind: c === "`" ? "n" : "s", value: s.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    if (c === "/" && s[i + 1] === "*") {
      const end = s.indexOf("*/", i + 2);
      // MySQL executable comments /*! … */ are code, not comments.
      if (s[i + 2] === "!") { i += 3; while (i < s.length && /[0-9]/.test(s[i]!)) i++; continue; }
      out.push({ kind: "c", value: "/*" });
      i = end < 0 ? s.length : end + 2;
      continue;
    }
    if ((c === "-" && s[i + 1] === "-") || c === "#") {
      out.push({ kind: "c", value: c });
      const nl = s.indexOf("\n", i);
      i = nl < 0 ? s.length : nl + 1;
      continue;
    }
    if (c === "(" || c === ")" || c === "," || c === ";") { out.push({ kind: c, value: c }); i++; continue; }
    if (c === "@") {
      let j = i + 1;
      if (s[j] === "@") j++;
      while (j < s.length && isWordChar(s[j]!)) j++;
      out.push({ kind: "v", value: s.slice(i, j) });
      i = j;
      continue;
    }
    if ((c === "&" && s[i + 1] === "&") || (c === "|" && s[i + 1] === "|")) { out.push({ kind: "&", value: c + c }); i += 2; continue; }
    if ("=<>!+-*/%^|&~:".includes(c)) {
      let j = i + 1;
      while (j < s.length && "=<>!|&:".includes(s[j]!) && j - i < 3) j++;
      out.push({ kind: "o", value: s.slice(i, j) });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(s[i + 1] ?? ""))) {
      let j = i + 1;
      while (j < s.length && /[0-9a-fA-FxX.]/.test(s[j]!)) j++;
      out.push({ kind: "n", value: s.slice(i, j) });
      i = j;
      continue;
    }
    if (isWordChar(c)) {
      let j = i + 1;
      while (j < s.length && isWordChar(s[j]!)) j++;
      const word = s.slice(i, j).toLowerCase();
      let k = j;
      while (k < s.length && /\s/.test(s[k]!)) k++;
      let kind = "n";
      if (s[k] === "(" && (DANGEROUS_FUNCTIONS.has(word) || STATEMENTS.has(word))) kind = "f";
      else if (word === "union") kind = "U";
      else if (STATEMENTS.has(word)) kind = "E";
      else if (LOGIC.has(word)) kind = "&";
      else if (KEYWORDS.has(word)) kind = "k";
      out.push({ kind, value: word });
      i = j;
      continue;
    }
    out.push({ kind: "?", value: c });
    i++;
  }
  return out;
}

/** Folds runs that do not change meaning: "((" → "(", "oo" → "o". */
function fingerprintOf(tokens: readonly Token[]): string {
  let fp = "";
  for (const t of tokens) {
    const last = fp[fp.length - 1];
    if (t.kind === last && (t.kind === "(" || t.kind === "o" || t.kind === ")")) continue;
    fp += t.kind;
  }
  return fp.slice(0, 8);
}

function judge(tokens: readonly Token[], fp: string, quoted: boolean): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "f" && STRONG_FUNCTIONS.has(t.value)) return true;
    if (t.kind === "U" && /^(E|\(+E|k+E|kE)/.test(fp.slice(i + 1))) return true;
    if (t.kind === ";" && tokens[i + 1]?.kind === "E") return true;
    if (t.kind === "k" && t.value === "waitfor" && tokens[i + 1]?.value === "delay") return true;
    if (t.kind === "v" && t.value.startsWith("@@") && i > 0) return true;
  }
  if (quoted) {
    // The value closed the string it was placed in, then continued as SQL. Only SQL
    // comparison/arithmetic operators count ("x': y" is prose, "x' = 'x" is not).
    const firstOp = tokens.find((t, idx) => idx > 0 && t.kind === "o");
    const sqlOp = firstOp !== undefined && SQL_OPERATORS.has(firstOp.value);
    if (/^s\)*o[nsvf(]/.test(fp) && !sqlOp) return false;
    if (/^s\)*(&[nsvf(k]|o[nsvf(]|[&o]?U|;|c|E|k[nsvf(])/.test(fp)) {
      // "s k" is a break only for keywords that continue a query.
      const second = fp.replace(/^s\)*/, "");
      if (second.startsWith("k")) {
        const kw = tokens.find((t, idx) => idx > 0 && t.kind === "k")?.value ?? "";
        return ["like", "rlike", "regexp", "between", "is", "in", "having", "order", "group", "limit", "into", "collate", "procedure"].includes(kw);
      }
      return true;
    }
    return false;
  }
  if (/^n\)*&[nsvf(]+o/.test(fp) || /^n\)*&f/.test(fp) || /^n\)*[&o]?U/.test(fp) || /^n\)*;E/.test(fp)) return true;
  if (/^n\)+c/.test(fp) || /^-?n\)*o?&\(?n[o&]/.test(fp)) return true;
  if (fp.startsWith("E")) {
    // "select a, b from t [where …]": FROM/INTO/TABLE followed by one name and then the end of
    // the input, a keyword, a comment or a statement end — prose has more words after it.
    const at = tokens.findIndex((t) => t.kind === "k" && (t.value === "from" || t.value === "into" || t.value === "table"));
    if (at >= 2 && tokens[at + 1]?.kind === "n") {
      const after = tokens[at + 2];
      if (after === undefined || ["k", "c", ";", ")", "&", "U", "o", ","].includes(after.kind)) return true;
    }
  }
  return false;
}

export function detectSqli(input: string): SqliResult {
  if (input.length === 0) return { attack: false, fingerprint: "" };
  for (const q of ["", "'", '"']) {
    if (q !== "" && !input.includes(q)) continue;
    const tokens = tokenize(input, q);
    const fp = fingerprintOf(tokens);
    if (judge(tokens, fp, q !== "")) return { attack: true, fingerprint: fp };
  }
  return { attack: false, fingerprint: "" };
}
