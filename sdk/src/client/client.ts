/**
 * AegisClient: what a site owner does with AEGIS, in a few calls. Zones and edge-function
 * modules live in the registry program (signed by the owner's wallet); purges go to the edge
 * nodes' admin endpoints.
 *
 * ```ts
 * const client = new AegisClient({ connection, wallet: ownerKeypair });
 * await client.configureDomain({ domain: "shop.example.com", cdn: { origins: ["https://origin.shop.example.com"] }, waf: "block" });
 * ```
 */
import { AnchorProvider, Wallet, type Program } from "@coral-xyz/anchor";
import { Keypair, PublicKey, type Commitment, type Connection, type Transaction } from "@solana/web3.js";
import { MAX_ROUTES } from "../constants.js";
import { moduleKey, zoneKey } from "../pdas.js";
import { registryProgram, type Registry } from "../programs.js";
import { publishModule, registerZone, rollbackModule, setZoneRoute, updateZonePolicy, type ZonePolicyArgs } from "../functions/registry.js";
import { routeToArgs, zonePolicyFromAccount } from "../zone.js";
import { assertWasm, moduleCid } from "./cid.js";
import { AegisClientError } from "./errors.js";
import { sendAndConfirm } from "./send.js";
import { checkDomain, toZonePolicyArgs } from "./policy.js";
import type { ConfigureResult, DeployEdgeFunctionArgs, DeployResult, DomainConfig, PurgeArgs, PurgeNodeResult } from "./types.js";

export interface AegisClientOptions {
  connection: Connection;
  /** The zone owner's wallet: a Keypair, or an Anchor wallet (e.g. a browser wallet adapter). Omit for reads and purges only. */
  wallet?: Keypair | Wallet;
  commitment?: Commitment;
  /** Admin endpoints (`http://host:9090`) of the edge nodes that `purge` reaches by default. */
  purgeEndpoints?: string[];
}

export interface DomainInfo {
  zone: PublicKey;
  owner: PublicKey;
  policyVersion: number;
  /** The policy in the edge node's shape (node/src/policy/schema.ts input). */
  policy: ReturnType<typeof zonePolicyFromAccount>;
}

export interface ModuleInfo {
  address: PublicKey;
  name: string;
  cid: string;
  previousCid: string;
  version: number;
}

const MODULE_NAME_MAX = 32;

function readOnlyWallet(): Wallet {
  const refuse = () => Promise.reject(new AegisClientError("AEGIS_ERR_CLIENT_INPUT", "this client has no wallet: pass `wallet` to sign"));
  return { publicKey: PublicKey.default, payer: undefined, signTransaction: refuse, signAllTransactions: refuse } as unknown as Wallet;
}

export class AegisClient {
  readonly registry: Program<Registry>;
  private readonly wallet: Wallet | undefined;
  private readonly purgeEndpoints: string[];
  private readonly commitment: Commitment;

  constructor(opts: AegisClientOptions) {
    const wallet = opts.wallet instanceof Keypair ? new Wallet(opts.wallet) : (opts.wallet ?? readOnlyWallet());
    const commitment = opts.commitment ?? "confirmed";
    const provider = new AnchorProvider(opts.connection, wallet, { commitment, preflightCommitment: commitment });
    this.registry = registryProgram(provider);
    this.wallet = opts.wallet ? wallet : undefined;
    this.commitment = commitment;
    this.purgeEndpoints = opts.purgeEndpoints ?? [];
  }

  /** The signing wallet's key (throws for a client built without a wallet). */
  get owner(): PublicKey {
    if (!this.wallet) throw new AegisClientError("AEGIS_ERR_CLIENT_INPUT", "this client has no wallet: pass `wallet` to sign");
    return this.wallet.publicKey;
  }

  /** The zone of `domain`, or undefined when it is not registered. */
  async getDomain(domain: string): Promise<DomainInfo | undefined> {
    const [zone] = zoneKey(checkDomain(domain));
    const account = await this.registry.account.zoneV0.fetchNullable(zone);
    if (!account) return undefined;
    return { zone, owner: account.owner, policyVersion: account.policyVersion.toNumber(), policy: zonePolicyFromAccount(account) };
  }

  /**
   * Creates the zone of `domain` or updates its policy. Sections left out keep their current
   * values (a new zone gets the node defaults; `cdn.origins` is required then).
   */
  async configureDomain(config: DomainConfig): Promise<ConfigureResult> {
    const domain = checkDomain(config.domain);
    const [zone] = zoneKey(domain);
    const current = await this.registry.account.zoneV0.fetchNullable(zone);
    if (current && !current.owner.equals(this.owner)) {
      throw new AegisClientError("AEGIS_ERR_NOT_ZONE_OWNER", `${domain} belongs to ${current.owner.toBase58()}, not to ${this.owner.toBase58()}`);
    }
    const policy = toZonePolicyArgs(config, current?.policy as ZonePolicyArgs | undefined);
    const signature = current
      ? await this.send(updateZonePolicy(this.registry, { owner: this.owner, zone, policy }))
      : await this.send(registerZone(this.registry, { owner: this.owner, domain, policy }));
    const after = await this.registry.account.zoneV0.fetch(zone);
    return { zone, created: !current, policyVersion: after.policyVersion.toNumber(), signature };
  }

  /**
   * Publishes `wasm` as a module of the owner (new version if the name exists) and points the
   * given routes of `domain` at it. The CID is computed locally; `store` puts the bytes where
   * the nodes fetch them from before anything goes on chain.
   */
  async deployEdgeFunction(args: DeployEdgeFunctionArgs): Promise<DeployResult> {
    assertWasm(args.wasm);
    const domain = checkDomain(args.domain);
    if (args.routes.length === 0) throw new AegisClientError("AEGIS_ERR_CLIENT_INPUT", "give at least one route");
    const cid = await moduleCid(args.wasm);
    const name = args.name ?? `fn-${cid.slice(-12)}`;
    if (name.length < 1 || name.length > MODULE_NAME_MAX) throw new AegisClientError("AEGIS_ERR_CLIENT_INPUT", `module name must be 1..${MODULE_NAME_MAX} bytes`);
    const [zone] = zoneKey(domain);
    const account = await this.registry.account.zoneV0.fetchNullable(zone);
    if (!account) throw new AegisClientError("AEGIS_ERR_ZONE_NOT_FOUND", `${domain} is not registered: configureDomain first`);
    if (!account.owner.equals(this.owner)) throw new AegisClientError("AEGIS_ERR_NOT_ZONE_OWNER", `${domain} belongs to ${account.owner.toBase58()}`);
    const routeArgs = args.routes.map((r) => routeToArgs({ ...r, modules: [name] }));

    await args.store?.(cid, args.wasm);
    const signatures: string[] = [];
    const [module] = moduleKey(this.owner, name);
    const existing = await this.registry.account.moduleV0.fetchNullable(module);
    if (existing?.cid !== cid) signatures.push(await this.send(publishModule(this.registry, { owner: this.owner, name, cid })));

    // Replace routes with the same pattern, append the others.
    let patterns = account.routes.map((r) => r.pattern);
    for (const route of routeArgs) {
      const at = patterns.indexOf(route.pattern);
      if (at >= 0) {
        signatures.push(await this.send(setZoneRoute(this.registry, { owner: this.owner, zone, index: at, route: null })));
        signatures.push(await this.send(setZoneRoute(this.registry, { owner: this.owner, zone, index: at, route })));
      } else {
        if (patterns.length >= MAX_ROUTES) throw new AegisClientError("AEGIS_ERR_CLIENT_INPUT", `${domain} already has ${MAX_ROUTES} routes`);
        signatures.push(await this.send(setZoneRoute(this.registry, { owner: this.owner, zone, index: patterns.length, route })));
        patterns = [...patterns, route.pattern];
      }
    }
    const published = await this.registry.account.moduleV0.fetch(module);
    return { cid, name, module, version: published.version, signatures };
  }

  /** The owner's modules (one getProgramAccounts, memcmp on the owner). */
  async listEdgeFunctions(owner?: PublicKey): Promise<ModuleInfo[]> {
    const all = await this.registry.account.moduleV0.all([{ memcmp: { offset: 8, bytes: (owner ?? this.owner).toBase58() } }]);
    return all
      .map(({ publicKey, account: m }) => ({ address: publicKey, name: m.name, cid: m.cid, previousCid: m.previousCid, version: m.version }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Swaps module `name` back to its previous CID (nodes reload it under a new version). */
  async rollbackEdgeFunction(name: string): Promise<ModuleInfo> {
    const [module] = moduleKey(this.owner, name);
    await this.send(rollbackModule(this.registry, { owner: this.owner, module }));
    const m = await this.registry.account.moduleV0.fetch(module);
    return { address: module, name: m.name, cid: m.cid, previousCid: m.previousCid, version: m.version };
  }

  /** Signs with the owner's wallet, sends, and polls until confirmed. */
  private send(builder: { transaction(): Promise<Transaction> }): Promise<string> {
    const wallet = this.wallet;
    if (!wallet) throw new AegisClientError("AEGIS_ERR_CLIENT_INPUT", "this client has no wallet: pass `wallet` to sign");
    return sendAndConfirm(this.registry.provider.connection, wallet, builder, this.commitment);
  }

  /**
   * Purges cached objects of `domain` on each node endpoint (`POST /purge` on the node's admin
   * listener). Resolves with one result per endpoint; rejects when no endpoint accepted it.
   */
  async purge(args: PurgeArgs): Promise<PurgeNodeResult[]> {
    const domain = checkDomain(args.domain);
    const endpoints = args.endpoints ?? this.purgeEndpoints;
    if (endpoints.length === 0) throw new AegisClientError("AEGIS_ERR_CLIENT_INPUT", "no node endpoints to purge: pass endpoints or purgeEndpoints");
    const body: Record<string, unknown> = { zone: domain, soft: args.soft ?? false };
    if ("url" in args) body.url = args.url;
    else if ("prefix" in args) body.prefix = args.prefix;
    else body.tag = args.tag;
    const results = await Promise.all(
      endpoints.map(async (endpoint): Promise<PurgeNodeResult> => {
        try {
          const res = await fetch(new URL("/purge", endpoint), {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(10_000),
          });
          const result: unknown = await res.json().catch(() => undefined);
          return res.ok ? { endpoint, ok: true, result } : { endpoint, ok: false, result, error: `HTTP ${res.status}` };
        } catch (err) {
          return { endpoint, ok: false, error: (err as Error).message };
        }
      }),
    );
    if (!results.some((r) => r.ok)) {
      throw new AegisClientError("AEGIS_ERR_PURGE_FAILED", `no node accepted the purge: ${results.map((r) => `${r.endpoint}: ${r.error}`).join("; ")}`);
    }
    return results;
  }
}
