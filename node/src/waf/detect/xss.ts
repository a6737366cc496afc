/**
 * XSS detector in the spirit of libinjection's HTML5 tokenizer: the input is scanned as HTML
 * in the contexts a reflected value lands in (text, a double-quoted, single-quoted or unquoted
 * attribute value); a tag or attribute that executes script is an attack.
 */
export interface XssResult {
  readonly attack: boolean;
  readonly reason: string;
}

const BAD_TAGS = new Set(["script", "iframe", "frame", "frameset", "object", "embed", "applet", "meta", "base", "style", "link", "svg", "math", "xss", "import", "vmlframe", "xml", "isindex", "template", "portal", "animate", "set", "handler", "listener", "bgsound", "layer", "ilayer"]);
const URL_ATTRS = new Set(["href", "src", "action", "formaction", "data", "xlink:href", "background", "lowsrc", "dynsrc", "poster", "codebase", "srcdoc", "to", "from", "values", "by"]);
const BAD_SCHEMES = /^(?:javascript|vbscript|livescript|mocha|data:\s*text\/html|data:\s*image\/svg)/;

const decodeEntities = (s: string): string =>
  s
    .replace(/&#x([0-9a-f]+);?/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16) & 0xffff))
    .replace(/&#([0-9]+);?/g, (_m, d: string) => String.fromCharCode(Number(d) & 0xffff))
    .replace(/&(colon|tab|newline|lpar|rpar);?/gi, (_m, n: string) => ({ colon: ":", tab: "\t", newline: "\n", lpar: "(", rpar: ")" })[n.toLowerCase()] ?? "");

function schemeIsBad(value: string): boolean {
  const v = decodeEntities(value).replace(/[\x00-\x20]+/g, "").toLowerCase();
  return BAD_SCHEMES.test(v);
}

/** Scans attributes starting at `i` (just after a tag name); returns a reason or "". */
function scanAttributes(s: string, i: number): string {
  const n = s.length;
  while (i < n) {
    while (i < n && /[\s/]/.test(s[i]!)) i++;
    if (i >= n || s[i] === ">") return "";
    let j = i;
    while (j < n && !/[\s/>=]/.test(s[j]!)) j++;
    const name = s.slice(i, j).toLowerCase();
    i = j;
    while (i < n && /\s/.test(s[i]!)) i++;
    let value = "";
    let hasValue = false;
    if (s[i] === "=") {
      hasValue = true;
      i++;
      while (i < n && /\s/.test(s[i]!)) i++;
      const q = s[i];
      if (q === '"' || q === "'" || q === "`") {
        const end = s.indexOf(q, i + 1);
        value = s.slice(i + 1, end < 0 ? n : end);
        i = end < 0 ? n : end + 1;
      } else {
        let k = i;
        while (k < n && !/[\s>]/.test(s[k]!)) k++;
        value = s.slice(i, k);
        i = k;
      }
    }
    if (/^on[a-z]{3,}$/.test(name) && hasValue) return `event handler ${name}`;
    if (hasValue && URL_ATTRS.has(name) && schemeIsBad(value)) return `script URL in ${name}`;
    if (name === "style" && /expression\s*\(|url\s*\(\s*['"]?\s*javascript/i.test(decodeEntities(value))) return "script in style";
    if (name === "srcdoc" && hasValue) return "srcdoc";
  }
  return "";
}

function scan(s: string): string {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    if (s[i] !== "<") continue;
    let j = i + 1;
    if (s[j] === "/") j++;
    if (s.startsWith("!--", j)) continue;
    if (!/[a-zA-Z]/.test(s[j] ?? "")) continue;
    let k = j;
    while (k < n && /[a-zA-Z0-9:_-]/.test(s[k]!)) k++;
    const tag = s.slice(j, k).toLowerCase();
    if (BAD_TAGS.has(tag) || BAD_TAGS.has(tag.replace(/^.*:/, ""))) return `tag <${tag}>`;
    const r = scanAttributes(s, k);
    if (r) return r;
  }
  return "";
}

export function detectXss(input: string): XssResult {
  if (input.length === 0) return { attack: false, reason: "" };
  const contexts: Array<[string, boolean]> = [
    ["", true],
    ['<x a="', input.includes('"')],
    ["<x a='", input.includes("'")],
    ["<x a=", true],
  ];
  for (const [prefix, applies] of contexts) {
    if (!applies) continue;
    const reason = scan(prefix + input);
    if (reason) return { attack: true, reason };
  }
  return { attack: false, reason: "" };
}
