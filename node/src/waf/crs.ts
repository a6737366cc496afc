/**
 * Locates and loads the OWASP Core Rule Set installed by scripts/setup/waf.sh. The CRS files
 * are read as shipped (crs-setup.conf.example + rules/*.conf); the only rules we add are the
 * engine's own base rules (body parse errors), as a ModSecurity deployment's modsecurity.conf would.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { WafError } from "./errors.js";
import { Ruleset, type RuleSource } from "./ruleset.js";

export const DEFAULT_CRS_ROOT = "/var/lib/aegis/crs/current";

export interface CrsLocation {
  /** Directory with REQUEST-*.conf / RESPONSE-*.conf and the .data files. */
  readonly rulesDir: string;
  /** crs-setup.conf(.example). */
  readonly setupFile: string;
  /** Regression tests directory, when installed. */
  readonly testsDir?: string;
  readonly version: string;
}

/** Debian's modsecurity-crs package (CRS 3.3.x): the rule set Debian's libmodsecurity3 can load. */
export const DEBIAN_CRS: CrsLocation = Object.freeze({
  rulesDir: "/usr/share/modsecurity-crs/rules",
  setupFile: "/etc/modsecurity/crs/crs-setup.conf",
  version: "3.3 (Debian modsecurity-crs)",
});

export function locateCrs(root = process.env.AEGIS_CRS_ROOT ?? DEFAULT_CRS_ROOT): CrsLocation {
  const candidates: Array<[string, string]> = [
    [join(root, "rules", "@owasp_crs"), join(root, "rules", "@crs-setup.conf.example")],
    [join(root, "rules"), join(root, "crs-setup.conf.example")],
    ["/usr/share/modsecurity-crs/rules", "/etc/modsecurity/crs/crs-setup.conf"],
  ];
  for (const [rulesDir, setupFile] of candidates) {
    if (existsSync(join(rulesDir, "REQUEST-901-INITIALIZATION.conf")) && existsSync(setupFile)) {
      const testsDir = existsSync(join(root, "tests")) ? join(root, "tests") : undefined;
      return { rulesDir, setupFile, testsDir, version: crsVersion(rulesDir) };
    }
  }
  throw new WafError("AEGIS_ERR_WAF_RULESET_MISSING", `no OWASP CRS found under ${root}; run scripts/setup/waf.sh`);
}

function crsVersion(rulesDir: string): string {
  try {
    const text = readdirSync(rulesDir).includes("REQUEST-901-INITIALIZATION.conf")
      ? (require_text(join(rulesDir, "REQUEST-901-INITIALIZATION.conf")))
      : "";
    const m = /SecComponentSignature\s+"OWASP_CRS\/([0-9.]+)"/.exec(text);
    return m?.[1] ?? "unknown";
  } catch {
    return "unknown";
  }
}

import { readFileSync } from "node:fs";
function require_text(p: string): string {
  return readFileSync(p, "latin1");
}

/** Base rules of the engine (not CRS): reject bodies that cannot be parsed, like modsecurity.conf does. */
export const ENGINE_BASE_RULES = `
SecRule REQBODY_ERROR "!@eq 0" "id:200002,phase:2,t:none,log,deny,status:400,msg:'Failed to parse request body',logdata:'%{reqbody_error_msg}',severity:2"
`;

export function crsRuleFiles(loc: CrsLocation, opts: { response: boolean } = { response: true }): string[] {
  return readdirSync(loc.rulesDir)
    .filter((f) => f.endsWith(".conf") && (f.startsWith("REQUEST-") || (opts.response && f.startsWith("RESPONSE-"))))
    .sort()
    .map((f) => join(loc.rulesDir, f));
}

export interface LoadCrsOptions {
  readonly location?: CrsLocation;
  /** Extra SecLang placed after crs-setup and before the rules (like a site's crs-setup additions). */
  readonly setupExtra?: string;
}

export function loadCrs(opts: LoadCrsOptions = {}): { ruleset: Ruleset; location: CrsLocation } {
  const location = opts.location ?? locateCrs();
  const sources: RuleSource[] = [
    { name: "pre:engine-base", text: ENGINE_BASE_RULES },
    { name: `pre:${location.setupFile}`, text: readFileSync(location.setupFile, "latin1") },
  ];
  if (opts.setupExtra) sources.push({ name: "pre:setup-extra", text: opts.setupExtra });
  const ruleset = Ruleset.fromFiles(crsRuleFiles(location), location.rulesDir, sources);
  return { ruleset, location };
}
