/** `aegis zone create|update|show|purge` (site owners; registry + the nodes' purge API). */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parse as parseYaml } from "yaml";
import { AegisClient } from "../../../sdk/src/client/index.js";
import type { DomainConfig } from "../../../sdk/src/client/index.js";
import { checkDomain } from "../../../sdk/src/client/policy.js";
import { zoneKey } from "../../../sdk/src/index.js";
import type { Context } from "../context.js";
import { CliError, EXIT, notFound, refused, usageError } from "../errors.js";
import { table } from "../output.js";
import { run } from "../run.js";

interface PolicyFlags {
  origin?: string[];
  policy?: string;
  ttl?: string;
  cache?: boolean;
  waf?: string;
  ddos?: string;
  rateLimit?: string;
  bots?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

function policyOptions(cmd: Command): Command {
  return cmd
    .option("--origin <url>", "origin base URL (repeat for up to 4)", collect)
    .option("--policy <file>", "YAML/JSON with { cdn, waf, ddos, rateLimit, bots } (docs/sdk.md)")
    .option("--ttl <secs>", "default cache TTL when the origin sends none")
    .option("--no-cache", "do not cache at the edge")
    .option("--waf <mode>", "off | detect | block")
    .option("--ddos <0-5>", "DDoS sensitivity (0 = off)")
    .option("--rate-limit <n/secs>", "requests per window per client, e.g. 600/60 (0 = off)")
    .option("--bots <mode>", "off | detect | enforce");
}

const intFlag = (name: string, v: string): number => {
  if (!/^\d+$/.test(v)) throw usageError(`${name} must be a non-negative integer, got "${v}"`);
  return Number(v);
};

/** Flags (over an optional policy file) → the SDK's DomainConfig. */
export function domainConfigFrom(domain: string, o: PolicyFlags): DomainConfig {
  let base: Partial<DomainConfig> = {};
  if (o.policy) {
    try {
      base = (parseYaml(readFileSync(o.policy, "utf8")) ?? {}) as Partial<DomainConfig>;
    } catch (err) {
      throw new CliError("AEGIS_ERR_POLICY_FILE", `${o.policy}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : (err as Error).message}`, EXIT.localFile);
    }
    if (typeof base !== "object" || Array.isArray(base)) throw new CliError("AEGIS_ERR_POLICY_FILE", `${o.policy}: expected a mapping`, EXIT.localFile);
  }
  const cfg: DomainConfig = { ...base, domain };
  if (o.origin || o.ttl !== undefined || o.cache === false) {
    const cdn = { ...(base.cdn ?? { origins: [] }) };
    if (o.origin) cdn.origins = o.origin;
    if (o.ttl !== undefined) cdn.defaultTtlSecs = intFlag("--ttl", o.ttl);
    if (o.cache === false) cdn.cache = false;
    cfg.cdn = cdn;
  }
  if (o.waf !== undefined) cfg.waf = o.waf as DomainConfig["waf"] & string;
  if (o.ddos !== undefined) cfg.ddos = intFlag("--ddos", o.ddos);
  if (o.rateLimit !== undefined) {
    const m = /^(\d+)(?:\/(\d+))?$/.exec(o.rateLimit);
    if (!m) throw usageError(`--rate-limit takes <requests>/<secs>, e.g. 600/60, got "${o.rateLimit}"`);
    cfg.rateLimit = Number(m[1]) === 0 ? false : { requests: Number(m[1]), windowSecs: Number(m[2] ?? 60) };
  }
  if (o.bots !== undefined) cfg.bots = o.bots as DomainConfig["bots"] & string;
  return cfg;
}

const client = (c: Context) => new AegisClient({ connection: c.connection, wallet: c.wallet, commitment: c.commitment, purgeEndpoints: c.config.nodeUrls ?? [] });

export function registerZoneCommands(program: Command, ctx: () => Context): void {
  const zone = program.command("zone").description("your sites: create, update, show, purge (site owners)");

  policyOptions(zone.command("create").argument("<domain>").description("register a zone for a domain with its policy"))
    .action(
      run(ctx, async (c, domain: string, o: PolicyFlags) => {
        const cfg = domainConfigFrom(checkDomain(domain), o);
        if (!cfg.cdn?.origins?.length) throw usageError("a zone needs an origin: --origin <url> (or cdn.origins in --policy)");
        const existing = await c.registry(true).account.zoneV0.fetchNullable(zoneKey(domain)[0]);
        if (existing) throw refused(`${domain} is already registered (owner ${existing.owner.toBase58()})`, "use `aegis zone update`");
        const r = await c.out.wait(`registering ${domain}`, () => client(c).configureDomain(cfg));
        c.out.result({ domain, ...r }, (d) => `zone ${d.zone.toBase58()} for ${domain} created (policy version ${d.policyVersion})`);
      }),
    );

  policyOptions(zone.command("update").argument("<domain>").description("change a zone's policy; unset flags keep their value"))
    .action(
      run(ctx, async (c, domain: string, o: PolicyFlags) => {
        const existing = await c.registry(true).account.zoneV0.fetchNullable(zoneKey(checkDomain(domain))[0]);
        if (!existing) throw notFound(`${domain} is not registered`, "create it with `aegis zone create`");
        if (!existing.owner.equals(c.walletKey)) throw refused(`${domain} is owned by ${existing.owner.toBase58()}, not by ${c.walletKey.toBase58()}`, "pass --keypair with the owner's key");
        const r = await c.out.wait(`updating ${domain}`, () => client(c).configureDomain(domainConfigFrom(domain, o)));
        c.out.result({ domain, ...r }, (d) => `zone ${domain} updated (policy version ${d.policyVersion})`);
      }),
    );

  zone
    .command("show")
    .argument("<domain>")
    .description("a zone's owner, policy and assigned nodes")
    .action(
      run(ctx, async (c, domain: string) => {
        const reg = c.registry(true);
        const info = await c.out.wait(`reading ${domain}`, async () => {
          const z = await new AegisClient({ connection: c.connection }).getDomain(domain);
          if (!z) return undefined;
          // AssignmentV0: node at 8, zone at 40.
          const assigned = await reg.account.assignmentV0.all([{ memcmp: { offset: 40, bytes: z.zone.toBase58() } }]);
          return { ...z, nodes: assigned.map((a) => a.account.node) };
        });
        if (!info) throw notFound(`${domain} is not registered`);
        c.out.result(info, (d) => [
          ...table([
            ["zone", d.zone.toBase58()],
            ["owner", d.owner.toBase58()],
            ["policy version", d.policyVersion],
            ["origins", d.policy.origins.map((x) => `${x.url} (w${x.weight})`).join(", ")],
            ["cache", `${d.policy.cache.enabled ? "on" : "off"}, default TTL ${d.policy.cache.defaultTtlSecs}s`],
            ["waf", `${d.policy.waf.mode} (paranoia ${d.policy.waf.paranoia})`],
            ["ddos", `sensitivity ${d.policy.ddos.sensitivity}`],
            ["rate limit", d.policy.rateLimit.requests ? `${d.policy.rateLimit.requests}/${d.policy.rateLimit.windowSecs}s` : "off"],
            ["bots", d.policy.bots.mode],
            ["routes", d.policy.functions.map((f) => `${f.pattern} → ${f.modules.join("+")}`).join("; ") || "none"],
            ["nodes", d.nodes.map((n) => n.toBase58()).join(", ") || "none assigned"],
          ]),
        ]);
      }),
    );

  zone
    .command("purge")
    .argument("<domain>")
    .description("purge cached objects on the edge nodes (their admin endpoint: POST /purge)")
    .option("--url <path>", "one URL path, e.g. /index.html")
    .option("--prefix <path>", "every URL under a path prefix")
    .option("--tag <tag>", "every object tagged (Surrogate-Key / Cache-Tag)")
    .option("--soft", "mark stale instead of removing")
    .option("--node-url <url>", "node admin endpoint (repeat; default: config nodeUrls)", collect)
    .action(
      run(ctx, async (c, domain: string, o: { url?: string; prefix?: string; tag?: string; soft?: boolean; nodeUrl?: string[] }) => {
        checkDomain(domain);
        const given = [o.url, o.prefix, o.tag].filter((x) => x !== undefined);
        if (given.length !== 1) throw usageError("give exactly one of --url, --prefix, --tag");
        for (const p of [o.url, o.prefix]) if (p !== undefined && !p.startsWith("/")) throw usageError(`paths start with "/": ${p}`);
        const endpoints = o.nodeUrl ?? c.config.nodeUrls ?? [];
        if (endpoints.length === 0) throw usageError("no node to purge on: pass --node-url <admin url> or `aegis config set nodeUrls <url,...>`");
        const what = o.url !== undefined ? { url: o.url } : o.prefix !== undefined ? { prefix: o.prefix } : { tag: o.tag! };
        // Purging needs no signature: no keypair is loaded.
        const cl = new AegisClient({ connection: c.connection });
        const results = await c.out.wait(`purging ${domain}`, () => cl.purge({ domain, soft: o.soft ?? false, endpoints, ...what }));
        const failed = results.filter((r) => !r.ok);
        c.out.result({ domain, results }, (d) => d.results.map((r) => `${r.endpoint}: ${r.ok ? `ok ${JSON.stringify(r.result)}` : `failed: ${r.error}`}`));
        if (failed.length) throw new CliError("AEGIS_ERR_PURGE_PARTIAL", `${failed.length} of ${results.length} nodes did not purge`, EXIT.network);
      }),
    );
}
