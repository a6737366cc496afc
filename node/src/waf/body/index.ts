/**
 * Picks the body processor from Content-Type (or a ctl:requestBodyProcessor override) and
 * runs it. Never throws: a body that cannot be parsed sets `error` (REQBODY_ERROR).
 */
import { parseJson } from "./json.js";
import { parseMultipart } from "./multipart.js";
import { emptyBody, type BodyLimits, type ParsedBody } from "./types.js";
import { parseUrlEncoded } from "./urlencoded.js";
import { parseXml } from "./xml.js";

export type BodyProcessor = ParsedBody["processor"];

export function processorFor(contentType: string): BodyProcessor {
  const ct = contentType.toLowerCase();
  if (ct.startsWith("application/x-www-form-urlencoded")) return "URLENCODED";
  if (ct.startsWith("multipart/form-data")) return "MULTIPART";
  if (/^application\/(?:[a-z0-9.-]+\+)?json/.test(ct)) return "JSON";
  if (/^(?:application(?:\/soap\+|\/)|text\/)xml/.test(ct)) return "XML";
  return "";
}

export function parseBody(body: Buffer, contentType: string, processor: BodyProcessor, limits: BodyLimits): ParsedBody {
  const out = emptyBody();
  try {
    switch (processor) {
      case "URLENCODED": {
        out.processor = "URLENCODED";
        const { pairs, truncated } = parseUrlEncoded(body.toString("latin1"), limits.maxArgs);
        out.args = pairs;
        if (truncated) out.error = "urlencoded: too many arguments";
        break;
      }
      case "MULTIPART": parseMultipart(body.toString("latin1"), contentType, limits.maxArgs, out); break;
      case "JSON": parseJson(body, limits.jsonDepth, limits.maxArgs, out); break;
      case "XML": parseXml(body.toString("latin1"), limits.xmlDepth, out); break;
      default: break;
    }
  } catch (e) {
    out.error = `body: ${(e as Error).message}`;
  }
  return out;
}

export { emptyBody };
export type { ParsedBody, BodyLimits };
