/**
 * Bench launcher: an AEGIS edge node with the CRS WAF phase (PL1, block) in N cluster workers
 * sharing one port. Each worker loads the rule set itself.
 *   node --import tsx bench/waf/node.ts <port> <originUrl> <workers> [debian|installed|none]
 */
import cluster from "node:cluster";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { stringify } from "smol-toml";
import pino from "pino";
import { startEdgeNode } from "../../node/src/server.js";
import { DEBIAN_CRS, loadCrs } from "../../node/src/waf/crs.js";
import { WafRequestPhase } from "../../node/src/waf/phase.js";

const [portText = "8080", origin = "http://127.0.0.1:8081", workersText = "2", crs = "installed"] = process.argv.slice(2);
const workers = Number(workersText);

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  const stop = () => { for (const w of Object.values(cluster.workers ?? {})) w?.kill(); process.exit(0); };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
} else {
  const dir = mkdtempSync(join(tmpdir(), "aegis-waf-bench-"));
  const policyFile = join(dir, "zones.toml");
  writeFileSync(policyFile, stringify({
    zones: [{
      domain: "bench.test", policyVersion: 1, origins: [{ url: origin }], cache: { enabled: false },
      // With "none" the zone turns the WAF off, or the node would assemble its own CRS phase.
      waf: { mode: crs === "none" ? "off" : "block", paranoia: 1, inboundThreshold: 5 },
    }],
  }));
  // "debian": Debian's modsecurity-crs (the CRS ModSecurity v3 from Debian loads); else the installed CRS 4.
  // "none": the same node without the WAF phase (proxy cost alone).
  const requestPhases = crs === "none" ? [] : [new WafRequestPhase({ ruleset: loadCrs(crs === "debian" ? { location: DEBIAN_CRS } : {}).ruleset })];
  await startEdgeNode(
    {
      dataDir: dir,
      listen: { http: `127.0.0.1:${portText}`, metrics: "127.0.0.1:0" },
      policy: { file: policyFile },
      analytics: { intervalSecs: 3600 },
      requestPhases,
    },
    { logger: pino({ level: "warn" }), metricsListener: false, analyticsTimer: false },
  );
}
