/**
 * SecLang lexer: turns a configuration file into directives (name + arguments), joining
 * backslash-continued lines and unquoting arguments the way ModSecurity does (inside double
 * quotes only `\"` is an escape; every other backslash is kept for the regex engine).
 */
export interface Directive {
  readonly name: string;
  readonly args: string[];
  readonly line: number;
}

export function lexDirectives(text: string): Directive[] {
  const out: Directive[] = [];
  const lines = text.split(/\r?\n/);
  let i = 0;
  while (i < lines.length) {
    const start = i + 1;
    let logical = lines[i] ?? "";
    i++;
    while (logical.endsWith("\\") && i < lines.length) {
      logical = logical.slice(0, -1) + (lines[i] ?? "");
      i++;
    }
    const trimmed = logical.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const words = splitArgs(trimmed);
    const name = words.shift();
    if (name) out.push({ name, args: words, line: start });
  }
  return out;
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && (s[i] === " " || s[i] === "\t")) i++;
    if (i >= s.length) break;
    const q = s[i];
    if (q === '"' || q === "'") {
      i++;
      let cur = "";
      while (i < s.length && s[i] !== q) {
        if (s[i] === "\\" && s[i + 1] === q) {
          cur += q;
          i += 2;
          continue;
        }
        cur += s[i];
        i++;
      }
      i++;
      out.push(cur);
    } else {
      let cur = "";
      while (i < s.length && s[i] !== " " && s[i] !== "\t") cur += s[i++];
      out.push(cur);
    }
  }
  return out;
}

/** Splits an action list on commas outside single quotes; values lose their quotes. */
export function splitActions(s: string): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /[\s,]/.test(s[i] ?? "")) i++;
    if (i >= s.length) break;
    let name = "";
    while (i < s.length && s[i] !== ":" && s[i] !== ",") name += s[i++];
    let value = "";
    if (s[i] === ":") {
      i++;
      while (s[i] === " ") i++;
      if (s[i] === "'") {
        i++;
        while (i < s.length && s[i] !== "'") {
          if (s[i] === "\\" && s[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          value += s[i++];
        }
        i++;
        while (i < s.length && s[i] !== ",") i++;
      } else {
        while (i < s.length && s[i] !== ",") value += s[i++];
        value = value.trim();
      }
    }
    out.push({ name: name.trim(), value });
  }
  return out;
}

/** Splits `A|!B:x|&C:/re|x/` into single variable texts. */
export function splitVariables(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  let i = 0;
  let afterColon = false;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "|" ) {
      out.push(cur.trim());
      cur = "";
      afterColon = false;
      i++;
      continue;
    }
    if (c === ":" && !afterColon) {
      afterColon = true;
      cur += c;
      i++;
      if (s[i] === "/" && !/^[!&]*XML:$/i.test(cur)) {
        cur += "/";
        i++;
        while (i < s.length && s[i] !== "/") {
          if (s[i] === "\\" && i + 1 < s.length) {
            cur += s[i]! + s[i + 1]!;
            i += 2;
            continue;
          }
          cur += s[i++];
        }
        cur += "/";
        i++;
      } else if (s[i] === "'") {
        i++;
        while (i < s.length && s[i] !== "'") cur += s[i++];
        i++;
      }
      continue;
    }
    cur += c;
    i++;
  }
  if (cur.trim() !== "") out.push(cur.trim());
  return out;
}
