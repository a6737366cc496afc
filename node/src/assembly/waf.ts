/**
 * The WAF in the node: the OWASP CRS is compiled once per process, when the first zone turns
 * its WAF on (loading takes about a second, so nodes whose zones never use it never pay it).
 * A zone that asks for the WAF on a node that cannot load the CRS is answered 503 (fail closed).
 */
import type { Registry } from "prom-client";
import type { Logger } from "../logger.js";
import { CONTINUE, type EdgeRequest, type EdgeResponse, type RequestPhase, type ResponsePhase, type Verdict } from "../phase.js";
import type { ZonePolicy } from "../policy/schema.js";
import { loadCrs, locateCrs } from "../waf/crs.js";
import { WafRequestPhase, type WafResponsePhase } from "../waf/phase.js";
import type { Ruleset } from "../waf/ruleset.js";
import type { WafConfig } from "./config.js";

/** Compiled rule sets by CRS root: immutable and shared by every node in the process. */
const rulesets = new Map<string, { ruleset: Ruleset; version: string }>();

export class NodeWaf {
  readonly requestPhase: RequestPhase;
  readonly responsePhase: ResponsePhase;
  private request: WafRequestPhase | undefined;
  private response: WafResponsePhase | undefined;
  private failure: string | undefined;

  constructor(
    private readonly config: WafConfig,
    private readonly logger: Logger,
    private readonly registry: Registry,
  ) {
    this.requestPhase = { name: "waf", onRequest: (req, policy) => this.onRequest(req, policy) };
    this.responsePhase = { name: "waf-response", onResponse: (req, res, policy) => this.onResponse(req, res, policy) };
  }

  get loaded(): boolean {
    return this.request !== undefined;
  }

  /** Loads the CRS when some zone needs it (called at start and on every policy change). */
  ensureFor(zones: Iterable<ZonePolicy>): void {
    if (this.request || this.failure || !this.config.enabled) return;
    const needing = [...zones].filter((z) => z.waf.mode !== "off").map((z) => z.domain);
    if (needing.length === 0) return;
    try {
      const root = this.config.crsRoot ?? process.env.AEGIS_CRS_ROOT ?? "";
      let entry = rulesets.get(root);
      if (!entry) {
        const t0 = performance.now();
        const { ruleset, location } = loadCrs(root ? { location: locateCrs(root) } : {});
        entry = { ruleset, version: location.version };
        rulesets.set(root, entry);
        this.logger.info({ crs: location.version, rulesDir: location.rulesDir, ms: Math.round(performance.now() - t0) }, "waf: OWASP CRS loaded");
      }
      this.request = new WafRequestPhase({ ruleset: entry.ruleset, logger: this.logger.child({ component: "waf" }), registry: this.registry });
      this.response = this.request.responsePhase();
    } catch (err) {
      this.failure = (err as Error).message;
      this.logger.error({ err: this.failure, zones: needing }, "waf: rule set could not be loaded; requests to zones with the WAF on are refused (503)");
    }
  }

  private onRequest(req: EdgeRequest, policy: ZonePolicy): Verdict {
    if (policy.waf.mode === "off") return CONTINUE;
    if (this.request) return this.request.onRequest(req, policy);
    if (!this.config.enabled) return CONTINUE; // the operator turned the WAF off on this node
    return {
      kind: "respond",
      reason: "waf:unavailable",
      response: {
        status: 503,
        headers: { "content-type": "application/json", "cache-control": "no-store", "retry-after": "30" },
        body: Buffer.from(JSON.stringify({ error: { status: 503, code: "AEGIS_ERR_WAF_UNAVAILABLE", message: "the web application firewall is not available on this node", requestId: req.id } })),
      },
    };
  }

  private onResponse(req: EdgeRequest, res: EdgeResponse, policy: ZonePolicy): EdgeResponse {
    return this.response ? this.response.onResponse(req, res, policy) : res;
  }
}
