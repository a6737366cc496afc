/**
 * Minimal, non-validating XML reader for inspection: collects text nodes, CDATA and attribute
 * values (what XML:/* and XML://@* select). Never resolves entities or DTDs.
 */
import type { ParsedBody } from "./types.js";

export function parseXml(s: string, maxDepth: number, out: ParsedBody): void {
  out.processor = "XML";
  let depth = 0;
  let sawRoot = false;
  let i = 0;
  const n = s.length;
  while (i < n) {
    const lt = s.indexOf("<", i);
    const text = s.slice(i, lt < 0 ? n : lt);
    if (text.trim() !== "") {
      if (depth === 0) { out.error = "xml: text outside the root element"; return; }
      out.xml.push(text);
    }
    if (lt < 0) break;
    if (s.startsWith("<!--", lt)) {
      const e = s.indexOf("-->", lt + 4);
      if (e < 0) { out.error = "xml: unterminated comment"; return; }
      i = e + 3;
      continue;
    }
    if (s.startsWith("<![CDATA[", lt)) {
      const e = s.indexOf("]]>", lt + 9);
      if (e < 0) { out.error = "xml: unterminated CDATA"; return; }
      out.xml.push(s.slice(lt + 9, e));
      i = e + 3;
      continue;
    }
    if (s.startsWith("<?", lt) || s.startsWith("<!", lt)) {
      // Processing instructions and DOCTYPE (with a possible internal subset) are skipped, not resolved.
      let e = s.indexOf(">", lt);
      if (s.startsWith("<!DOCTYPE", lt)) {
        const bracket = s.indexOf("[", lt);
        if (bracket >= 0 && bracket < e) {
          const close = s.indexOf("]>", bracket);
          e = close < 0 ? -1 : close + 1;
        }
      }
      if (e < 0) { out.error = "xml: unterminated declaration"; return; }
      i = e + 1;
      continue;
    }
    const gt = findTagEnd(s, lt + 1);
    if (gt < 0) { out.error = "xml: unterminated tag"; return; }
    const inner = s.slice(lt + 1, gt);
    if (inner.startsWith("/")) {
      depth--;
      if (depth < 0) { out.error = "xml: unbalanced end tag"; return; }
    } else {
      const selfClose = inner.endsWith("/");
      if (depth === 0 && sawRoot) { out.error = "xml: more than one root element"; return; }
      sawRoot = true;
      const attrRe = /[\s]([^\s=/>]+)\s*=\s*("([^"]*)"|'([^']*)')/g;
      let m: RegExpExecArray | null;
      while ((m = attrRe.exec(inner)) !== null) out.xml.push(m[3] ?? m[4] ?? "");
      if (!selfClose) {
        depth++;
        if (depth > maxDepth) { out.error = `xml: nesting deeper than ${maxDepth}`; return; }
      }
    }
    i = gt + 1;
  }
  if (depth !== 0 || !sawRoot) out.error = "xml: document not well-formed";
}

function findTagEnd(s: string, from: number): number {
  let q = "";
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (q) { if (c === q) q = ""; continue; }
    if (c === '"' || c === "'") q = c;
    else if (c === ">") return i;
  }
  return -1;
}
