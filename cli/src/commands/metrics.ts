/**
 * `aegis metrics`: the latest signed analytics reports of a node, verified here with the node's
 * own report code (node/src/analytics/report.ts): signature, hash chain, and that the signing key
 * is the identity registered on chain.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { PublicKey } from "@solana/web3.js";
import bs58 from "bs58";
import { checkChain, decodeReport, verifyReport } from "../../../node/src/analytics/report.js";
import { nodeKey } from "../../../sdk/src/index.js";
import { variantName } from "../chain.js";
import type { Context } from "../context.js";
import { CliError, EXIT, usageError } from "../errors.js";
import { run } from "../run.js";

async function fetchReports(url: string, count: number): Promise<string[]> {
  const res = await fetch(new URL(`/dashboard/api/reports?limit=${count}`, url), { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new CliError("AEGIS_ERR_NODE_HTTP", `${url} answered HTTP ${res.status} for its reports`, EXIT.network);
  const body = (await res.json()) as { reports?: unknown };
  if (!Array.isArray(body.reports) || !body.reports.every((r) => typeof r === "string")) throw new CliError("AEGIS_ERR_NODE_HTTP", `${url}: unexpected reports answer`, EXIT.network);
  return body.reports as string[];
}

export function registerMetricsCommand(program: Command, ctx: () => Context): void {
  program
    .command("metrics")
    .description("a node's latest signed usage reports, verified (signature, hash chain, on-chain identity)")
    .option("--node-url <url>", "the node's admin endpoint (default: first of config nodeUrls)")
    .option("--reports <file>", "read a report log (<dataDir>/reports/<identity>.log) instead")
    .option("--count <n>", "how many of the latest reports", "5")
    .option("--offline", "do not look the identity up on chain")
    .action(
      run(ctx, async (c, o: { nodeUrl?: string; reports?: string; count: string; offline?: boolean }) => {
        const count = Number(o.count);
        if (!Number.isInteger(count) || count < 1 || count > 1000) throw usageError("--count must be 1..1000");
        let lines: string[];
        if (o.reports) {
          try {
            lines = readFileSync(o.reports, "utf8").split("\n").filter(Boolean).slice(-count);
          } catch (err) {
            throw new CliError("AEGIS_ERR_REPORTS_FILE", `cannot read ${o.reports}: ${(err as Error).message}`, EXIT.localFile);
          }
        } else {
          const url = o.nodeUrl ?? c.config.nodeUrls?.[0];
          if (!url) throw usageError("pass --node-url <admin url> or --reports <file>");
          lines = await c.out.wait(`fetching reports from ${url}`, () => fetchReports(url, count));
        }
        if (lines.length === 0) throw new CliError("AEGIS_ERR_NO_REPORTS", "the node has not closed a report yet", EXIT.notFound, "reports close every analytics.intervalSecs");
        const bytes = lines.map((l) => new Uint8Array(Buffer.from(l, "base64")));
        const rows = bytes.map((b) => {
          const valid = verifyReport(b);
          if (!valid) return { valid, sequence: null, identity: null } as const;
          const { report } = decodeReport(b);
          let requests = 0n;
          let bytesOut = 0n;
          let hits = 0n;
          let lookups = 0n;
          for (const z of report.zones.values()) {
            requests += z.requests;
            bytesOut += z.bytesOut;
            hits += z.cacheHit;
            lookups += z.cacheHit + z.cacheMiss + z.cacheStale;
          }
          return {
            valid,
            sequence: report.sequence.toString(),
            identity: bs58.encode(report.nodePublicKey),
            start: new Date(Number(report.intervalStartMs)).toISOString(),
            end: new Date(Number(report.intervalEndMs)).toISOString(),
            zones: [...report.zones.keys()],
            requests: requests.toString(),
            bytesOut: bytesOut.toString(),
            cacheHitRatio: lookups > 0n ? Number((hits * 10_000n) / lookups) / 10_000 : null,
          };
        });
        const chain = checkChain(bytes);
        const identities = [...new Set(rows.map((r) => r.identity).filter((x): x is string => x !== null))];
        let onChain: { node: string; status: string } | { error: string } | undefined;
        if (!o.offline && identities.length === 1) {
          const [addr] = nodeKey(new PublicKey(identities[0]!));
          const acc = await c.registry(true).account.nodeV0.fetchNullable(addr);
          onChain = acc ? { node: addr.toBase58(), status: variantName(acc.status as Record<string, unknown>) } : { error: `identity ${identities[0]} is not registered on chain` };
        }
        const ok = rows.every((r) => r.valid) && chain.ok && identities.length === 1 && !(onChain && "error" in onChain);
        c.out.result({ verified: ok, chain: chain.ok ? "ok" : `${chain.problem} at ${chain.index}: ${chain.detail}`, identity: identities[0] ?? null, onChain: onChain ?? null, reports: rows }, (d) => [
          `node identity ${d.identity ?? "?"}${d.onChain ? ("error" in d.onChain ? ` — ${d.onChain.error}` : ` — node ${d.onChain.node} (${d.onChain.status})`) : ""}`,
          `hash chain: ${d.chain}`,
          ...d.reports.map((r) =>
            r.valid && "start" in r
              ? `#${r.sequence} ${r.start} → ${r.end}  requests ${r.requests}  bytes ${r.bytesOut}  hit ratio ${r.cacheHitRatio === null ? "-" : (r.cacheHitRatio * 100).toFixed(1) + "%"}  ✔ signature`
              : `✖ a report does not parse or its signature fails`,
          ),
        ]);
        if (!ok) throw new CliError("AEGIS_ERR_REPORT_INVALID", "report verification failed", EXIT.verification, "the node's reports do not verify: do not trust its counters", { reported: true });
      }),
    );
}
