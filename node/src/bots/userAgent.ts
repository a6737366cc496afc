/** User-agent classification: what the client claims to be. */
import type { UaInfo } from "./types.js";

const SCANNERS = /(sqlmap|nikto|nmap|masscan|zgrab|nuclei|acunetix|netsparker|wpscan|dirbuster|gobuster|ffuf|havij|w3af|openvas|nessus|zmeu|jorgee)/i;
const TOOLS = /(curl|wget|python-requests|python-urllib|aiohttp|httpx|go-http-client|java\/|okhttp|apache-httpclient|libwww-perl|lwp::|axios|node-fetch|undici|got \(|postmanruntime|insomnia|httpie|guzzlehttp|ruby|php\/|powershell|winhttp|scrapy|headlesschrome|phantomjs)/i;
const CRAWLERS = /(googlebot|bingbot|duckduckbot|baiduspider|yandexbot|applebot|facebookexternalhit|twitterbot|linkedinbot|slurp|ahrefsbot|semrushbot|mj12bot|petalbot|bytespider|gptbot|ccbot|claudebot|amazonbot|[a-z]*bot\b|crawler|spider)/i;
const BROWSERS: Array<[RegExp, string]> = [
  [/edg(?:e|a|ios)?\/\d/i, "edge"],
  [/opr\/\d|opera/i, "opera"],
  [/firefox\/\d|fxios\/\d/i, "firefox"],
  [/chrome\/\d|crios\/\d|chromium\/\d/i, "chrome"],
  [/version\/[\d.]+ .*safari\/\d/i, "safari"],
];

export function classifyUserAgent(ua: string | undefined): UaInfo {
  const s = (ua ?? "").trim();
  if (s === "") return { cls: "empty", product: "" };
  let m = SCANNERS.exec(s);
  if (m) return { cls: "scanner", product: m[1]!.toLowerCase() };
  m = TOOLS.exec(s);
  if (m) return { cls: "tool", product: m[1]!.toLowerCase().replace(/[\/ (]+$/, "") };
  m = CRAWLERS.exec(s);
  if (m) return { cls: "crawler", product: m[1]!.toLowerCase() };
  if (/^mozilla\/5\.0 \(/i.test(s)) {
    for (const [re, name] of BROWSERS) if (re.test(s)) return { cls: "browser", product: name };
    return { cls: "browser", product: "mozilla" };
  }
  return { cls: "other", product: s.split(/[\/\s]/)[0]!.toLowerCase().slice(0, 32) };
}
