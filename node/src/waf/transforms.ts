/**
 * SecLang transformations on binary strings (one char per byte). Each is a pure function,
 * linear in its input, and never throws: malformed escapes are kept as they are.
 */
import { createHash } from "node:crypto";

export type Transform = (s: string) => string;

const HEX = /^[0-9a-fA-F]$/;
const isHex = (c: string | undefined): boolean => c !== undefined && HEX.test(c);
const hexVal = (s: string): number => parseInt(s, 16);
const chr = (n: number): string => String.fromCharCode(n & 0xff);
/** Full-width ASCII (U+FF01–U+FF5E) maps to ASCII like ModSecurity; other code points keep their low byte. */
const uniByte = (code: number): string => chr(code >= 0xff01 && code <= 0xff5e ? code - 0xfee0 : code);
const isWs = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 0xa0;

const UPPER = /[A-Z]/;
const NON_ASCII = /[^\x00-\x7f]/;
/** A–Z to a–z only (like C's tolower); other letters, e.g. latin1 bytes, stay. */
export function lowercase(s: string): string {
  if (!UPPER.test(s)) return s;
  if (!NON_ASCII.test(s)) return s.toLowerCase();
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

function urlDecodeWith(s: string, uni: boolean): string {
  if (s.indexOf("%") < 0 && s.indexOf("+") < 0) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "+") { out += " "; continue; }
    if (c === "%") {
      if (uni && (s[i + 1] === "u" || s[i + 1] === "U") && isHex(s[i + 2]) && isHex(s[i + 3]) && isHex(s[i + 4]) && isHex(s[i + 5])) {
        out += uniByte(hexVal(s.slice(i + 2, i + 6)));
        i += 5;
        continue;
      }
      if (isHex(s[i + 1]) && isHex(s[i + 2])) {
        out += chr(hexVal(s.slice(i + 1, i + 3)));
        i += 2;
        continue;
      }
    }
    out += c;
  }
  return out;
}
export const urlDecode: Transform = (s) => urlDecodeWith(s, false);
export const urlDecodeUni: Transform = (s) => urlDecodeWith(s, true);

const ENTITIES: Record<string, string> = { quot: '"', amp: "&", lt: "<", gt: ">", nbsp: "\xa0", apos: "'" };

export function htmlEntityDecode(s: string): string {
  if (s.indexOf("&") < 0) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== "&") { out += c; continue; }
    if (s[i + 1] === "#") {
      let j = i + 2;
      let hex = false;
      if (s[j] === "x" || s[j] === "X") { hex = true; j++; }
      const st = j;
      while (j < s.length && (hex ? isHex(s[j]) : s[j]! >= "0" && s[j]! <= "9") && j - st < 8) j++;
      if (j > st) {
        out += chr(parseInt(s.slice(st, j), hex ? 16 : 10));
        i = s[j] === ";" ? j : j - 1;
        continue;
      }
    } else {
      let j = i + 1;
      while (j < s.length && j - i <= 5 && /[a-zA-Z]/.test(s[j]!)) j++;
      const name = s.slice(i + 1, j).toLowerCase();
      const v = ENTITIES[name];
      if (v !== undefined) {
        out += v;
        i = s[j] === ";" ? j : j - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}

const C_ESC: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

export function jsDecode(s: string): string {
  if (s.indexOf("\\") < 0) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== "\\" || i + 1 >= s.length) { out += c; continue; }
    const n = s[i + 1]!;
    if ((n === "u" || n === "U") && isHex(s[i + 2]) && isHex(s[i + 3]) && isHex(s[i + 4]) && isHex(s[i + 5])) {
      out += uniByte(hexVal(s.slice(i + 2, i + 6)));
      i += 5;
    } else if ((n === "x" || n === "X") && isHex(s[i + 2]) && isHex(s[i + 3])) {
      out += chr(hexVal(s.slice(i + 2, i + 4)));
      i += 3;
    } else if (n >= "0" && n <= "7") {
      let j = i + 1;
      while (j < s.length && j - i <= 3 && s[j]! >= "0" && s[j]! <= "7") j++;
      out += chr(parseInt(s.slice(i + 1, j), 8));
      i = j - 1;
    } else {
      out += C_ESC[n] ?? n;
      i++;
    }
  }
  return out;
}

export function escapeSeqDecode(s: string): string {
  if (s.indexOf("\\") < 0) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== "\\" || i + 1 >= s.length) { out += c; continue; }
    const n = s[i + 1]!;
    if (C_ESC[n] !== undefined) { out += C_ESC[n]; i++; }
    else if (n === "\\" || n === "?" || n === "'" || n === '"') { out += n; i++; }
    else if ((n === "x" || n === "X") && isHex(s[i + 2]) && isHex(s[i + 3])) { out += chr(hexVal(s.slice(i + 2, i + 4))); i += 3; }
    else if (n >= "0" && n <= "7") {
      let j = i + 1;
      while (j < s.length && j - i <= 3 && s[j]! >= "0" && s[j]! <= "7") j++;
      out += chr(parseInt(s.slice(i + 1, j), 8));
      i = j - 1;
    } else out += c;
  }
  return out;
}

export function cssDecode(s: string): string {
  if (s.indexOf("\\") < 0) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== "\\") { out += c; continue; }
    if (i + 1 >= s.length) break;
    let j = i + 1;
    while (j < s.length && j - i <= 6 && isHex(s[j])) j++;
    if (j > i + 1) {
      out += uniByte(hexVal(s.slice(i + 1, j)));
      if (j < s.length && isWs(s.charCodeAt(j))) j++;
      i = j - 1;
    } else if (s[i + 1] === "\n") {
      i++;
    } else {
      out += s[i + 1];
      i++;
    }
  }
  return out;
}

const CMD_DROPPED = /[\\"'^]/g;
const CMD_SEPARATORS_BEFORE_SLASH_OR_PAREN = /[,;\t\n\v\f\r \xa0]+(?=[/(])/g;
const CMD_SEPARATORS = /[,;\t\n\v\f\r \xa0]+/g;
/**
 * ModSecurity's t:cmdLine: drops \ " ' ^, turns each run of , ; and whitespace into one space
 * (none before / or (), then lower-cases.
 */
export function cmdLine(s: string): string {
  return lowercase(
    s.replace(CMD_DROPPED, "").replace(CMD_SEPARATORS_BEFORE_SLASH_OR_PAREN, "").replace(CMD_SEPARATORS, " "),
  );
}

export const compressWhitespace: Transform = (s) => s.replace(/[\t\n\v\f\r \xa0]+/g, " ");

export const removeWhitespace: Transform = (s) => s.replace(/[\t\n\v\f\r \xa0]+/g, "");
export const removeNulls: Transform = (s) => (s.indexOf("\0") < 0 ? s : s.replace(/\0/g, ""));
export const replaceNulls: Transform = (s) => (s.indexOf("\0") < 0 ? s : s.replace(/\0/g, " "));
export const trim: Transform = (s) => s.replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, "");
export const trimLeft: Transform = (s) => s.replace(/^[\t\n\v\f\r ]+/, "");
export const trimRight: Transform = (s) => s.replace(/[\t\n\v\f\r ]+$/, "");

export function replaceComments(s: string): string {
  let out = "";
  let i = 0;
  while (i < s.length) {
    if (s[i] === "/" && s[i + 1] === "*") {
      const end = s.indexOf("*/", i + 2);
      out += " ";
      if (end < 0) return out;
      i = end + 2;
    } else out += s[i++];
  }
  return out;
}

export function removeComments(s: string): string {
  let out = "";
  let i = 0;
  while (i < s.length) {
    if (s[i] === "/" && s[i + 1] === "*") {
      const end = s.indexOf("*/", i + 2);
      if (end < 0) return out;
      i = end + 2;
    } else if (s.startsWith("<!--", i)) {
      const end = s.indexOf("-->", i + 4);
      if (end < 0) return out;
      i = end + 3;
    } else if ((s[i] === "-" && s[i + 1] === "-") || s[i] === "#") {
      const end = s.indexOf("\n", i);
      if (end < 0) return out;
      i = end;
    } else out += s[i++];
  }
  return out;
}

export const removeCommentsChar: Transform = (s) => s.replace(/\/\*|\*\/|<!--|-->|--|#/g, "");

export function normalizePath(s: string): string {
  if (s === "") return s;
  const abs = s.startsWith("/");
  const trailing = s.endsWith("/") || s.endsWith("/.") || s.endsWith("/..");
  const parts: string[] = [];
  for (const seg of s.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
      else if (!abs) parts.push("..");
      continue;
    }
    parts.push(seg);
  }
  let out = (abs ? "/" : "") + parts.join("/");
  if (trailing && parts.length > 0) out += "/";
  return out;
}
export const normalizePathWin: Transform = (s) => normalizePath(s.replace(/\\/g, "/"));

export function base64Decode(s: string): string {
  const m = /^[A-Za-z0-9+/]*={0,2}/.exec(s.trim());
  return Buffer.from(m ? m[0] : "", "base64").toString("latin1");
}
export const base64DecodeExt: Transform = (s) => Buffer.from(s.replace(/[^A-Za-z0-9+/]/g, ""), "base64").toString("latin1");
export const base64Encode: Transform = (s) => Buffer.from(s, "latin1").toString("base64");
export const hexEncode: Transform = (s) => Buffer.from(s, "latin1").toString("hex");
export const hexDecode: Transform = (s) => Buffer.from(s.length % 2 ? s.slice(0, -1) : s, "hex").toString("latin1");
export const length: Transform = (s) => String(s.length);
export const sha1: Transform = (s) => createHash("sha1").update(s, "latin1").digest().toString("latin1");
export const md5: Transform = (s) => createHash("md5").update(s, "latin1").digest().toString("latin1");
export const urlEncode: Transform = (s) =>
  s.replace(/[^A-Za-z0-9\-_.~*]/g, (c) => (c === " " ? "+" : "%" + c.charCodeAt(0).toString(16).padStart(2, "0")));
export const sqlHexDecode: Transform = (s) =>
  s.replace(/0x((?:[0-9a-fA-F]{2})+)/g, (_m, h: string) => Buffer.from(h, "hex").toString("latin1"));

/** UTF-8 multi-byte sequences become %uXXXX (ModSecurity's utf8toUnicode). */
export function utf8toUnicode(s: string): string {
  if (!/[\x80-\xff]/.test(s)) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const b = s.charCodeAt(i);
    let need = 0;
    let cp = 0;
    if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; }
    else if (b >= 0xe0 && b <= 0xef) { need = 2; cp = b & 0x0f; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; cp = b & 0x07; }
    let ok = need > 0 && i + need < s.length + 0;
    for (let k = 1; ok && k <= need; k++) {
      const c = s.charCodeAt(i + k);
      if (Number.isNaN(c) || (c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    if (!ok) { out += s[i]; continue; }
    out += "%u" + (cp & 0xffff).toString(16).padStart(4, "0");
    i += need;
  }
  return out;
}

export const TRANSFORMS: Readonly<Record<string, Transform>> = {
  lowercase, uppercase: (s) => s.replace(/[a-z]+/g, (m) => m.toUpperCase()),
  urldecode: urlDecode, urldecodeuni: urlDecodeUni, htmlentitydecode: htmlEntityDecode,
  jsdecode: jsDecode, cssdecode: cssDecode, cmdline: cmdLine, compresswhitespace: compressWhitespace,
  removewhitespace: removeWhitespace, removenulls: removeNulls, replacenulls: replaceNulls,
  removecomments: removeComments, removecommentschar: removeCommentsChar, replacecomments: replaceComments,
  normalizepath: normalizePath, normalisepath: normalizePath, normalizepathwin: normalizePathWin,
  normalisepathwin: normalizePathWin, base64decode: base64Decode, base64decodeext: base64DecodeExt,
  base64encode: base64Encode, hexencode: hexEncode, hexdecode: hexDecode, length, sha1, md5,
  utf8tounicode: utf8toUnicode, escapeseqdecode: escapeSeqDecode, trim, trimleft: trimLeft,
  trimright: trimRight, urlencode: urlEncode, sqlhexdecode: sqlHexDecode,
};
