/**
 * Module registry over the registry program's ModuleV0 accounts (owner, name, CID, version,
 * previous CID). A zone's named module is the module of that name published by the zone's
 * owner, so the registry is told which zones it serves and who owns them (`setZones`; the chain
 * policy source reports it after every load). Modules are read with one getProgramAccounts per
 * owner (memcmp on `owner` at offset 8) and followed with programSubscribe on ModuleV0 accounts,
 * plus `refresh()` on a timer to repair missed notifications.
 *
 * The chain keeps one previous CID: `previous` holds it as version `version - 1`, and a
 * rollback on chain (the previous CID becomes current under a new version) reaches the node as
 * an ordinary change.
 */
import type { Commitment, Connection, PublicKey } from "@solana/web3.js";
import { REGISTRY_PROGRAM_ID } from "../../../sdk/src/index.js";
import type { Logger } from "../logger.js";
import { ACCOUNT, ChainDecodeError, accountTypeFilter, registryCoder } from "../policy/chainSource.js";
import { parseModuleCid } from "./cid.js";
import type { ModuleRecord, ModuleRegistry, RegistryListener } from "./registry.js";

/** ModuleV0: `owner` right after the 8-byte discriminator. */
const MODULE_OWNER_OFFSET = 8;

interface ModuleAccount {
  owner: PublicKey;
  name: string;
  cid: string;
  previousCid: string;
  version: number;
}

export interface ChainModuleRegistryOptions {
  readonly connection: Connection;
  readonly programId?: PublicKey;
  readonly commitment?: Commitment;
  readonly logger: Logger;
}

const keyOf = (zone: string, name: string): string => `${zone}/${name}`;

export class ChainModuleRegistry implements ModuleRegistry {
  private readonly programId: PublicKey;
  private readonly commitment: Commitment;
  /** domain → zone owner (base58). */
  private zones = new Map<string, string>();
  /** owner (base58) → name → decoded module. */
  private modules = new Map<string, Map<string, ModuleAccount>>();
  private records = new Map<string, ModuleRecord>();
  private readonly listeners = new Set<RegistryListener>();
  private subscription: number | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly opts: ChainModuleRegistryOptions) {
    this.programId = opts.programId ?? REGISTRY_PROGRAM_ID;
    this.commitment = opts.commitment ?? "confirmed";
  }

  get(zone: string, name: string): ModuleRecord | undefined {
    return this.records.get(keyOf(zone, name));
  }

  list(): readonly ModuleRecord[] {
    return [...this.records.values()];
  }

  onChange(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The zones served and their owners; modules of owners no longer listed are dropped. */
  setZones(owners: ReadonlyMap<string, PublicKey>): void {
    const next = new Map([...owners].map(([d, o]) => [d, o.toBase58()]));
    const newOwner = [...next.values()].some((o) => !this.modules.has(o));
    this.zones = next;
    for (const o of [...this.modules.keys()]) if (![...next.values()].includes(o)) this.modules.delete(o);
    this.rebuild();
    if (newOwner) void this.refresh().catch((err: Error) => this.opts.logger.warn({ err: err.message }, "module registry refresh failed; keeping current modules"));
  }

  /** Re-reads every served owner's modules. Throws when the chain is unreachable (nothing changes then). */
  refresh(): Promise<void> {
    this.refreshing ??= this.readAll().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Follows ModuleV0 changes until `close()`. */
  start(): void {
    this.subscription ??= this.opts.connection.onProgramAccountChange(
      this.programId,
      (ev) => {
        try {
          const m = this.decode(ev.accountId.toBase58(), ev.accountInfo.data);
          const owner = m.owner.toBase58();
          const byName = this.modules.get(owner);
          if (!byName) return; // no zone of ours is owned by this key
          byName.set(m.name, m);
          this.rebuild();
        } catch (err) {
          this.opts.logger.warn({ module: ev.accountId.toBase58(), err: (err as Error).message }, "module account rejected; previous kept");
        }
      },
      { commitment: this.commitment, filters: [accountTypeFilter(ACCOUNT.module)] },
    );
  }

  async close(): Promise<void> {
    if (this.subscription !== undefined) await this.opts.connection.removeProgramAccountChangeListener(this.subscription).catch(() => undefined);
    this.subscription = undefined;
  }

  private async readAll(): Promise<void> {
    const owners = [...new Set(this.zones.values())];
    const read = await Promise.all(
      owners.map(async (owner) => {
        const accounts = await this.opts.connection.getProgramAccounts(this.programId, {
          commitment: this.commitment,
          filters: [accountTypeFilter(ACCOUNT.module), { memcmp: { offset: MODULE_OWNER_OFFSET, bytes: owner } }],
        });
        const byName = new Map<string, ModuleAccount>();
        let failed = false;
        for (const a of accounts) {
          try {
            const m = this.decode(a.pubkey.toBase58(), a.account.data);
            byName.set(m.name, m);
          } catch (err) {
            failed = true;
            this.opts.logger.warn({ module: a.pubkey.toBase58(), err: (err as Error).message }, "module account rejected; previous kept");
          }
        }
        // An undecodable account's name is unknown: then no known module of this owner is dropped.
        if (failed) for (const [name, m] of this.modules.get(owner) ?? []) if (!byName.has(name)) byName.set(name, m);
        return [owner, byName] as const;
      }),
    );
    for (const [owner, byName] of read) if ([...this.zones.values()].includes(owner)) this.modules.set(owner, byName);
    this.rebuild();
  }

  private decode(address: string, data: Buffer): ModuleAccount {
    let m: ModuleAccount;
    try {
      m = registryCoder.decode(ACCOUNT.module, data);
    } catch (err) {
      throw new ChainDecodeError(address, `not a ModuleV0 account: ${(err as Error).message}`, { cause: err });
    }
    try {
      parseModuleCid(m.cid);
      if (m.previousCid !== "") parseModuleCid(m.previousCid);
    } catch (err) {
      throw new ChainDecodeError(address, `module ${m.name}: ${(err as Error).message}`, { cause: err });
    }
    return m;
  }

  private rebuild(): void {
    const next = new Map<string, ModuleRecord>();
    for (const [zone, owner] of this.zones) {
      for (const m of this.modules.get(owner)?.values() ?? []) {
        next.set(keyOf(zone, m.name), {
          zone,
          name: m.name,
          owner,
          current: { version: m.version, cid: m.cid },
          previous: m.previousCid !== "" && m.version > 1 ? [{ version: m.version - 1, cid: m.previousCid }] : [],
        });
      }
    }
    const before = this.records;
    this.records = next;
    for (const k of new Set([...before.keys(), ...next.keys()])) {
      const a = before.get(k);
      const b = next.get(k);
      if (JSON.stringify(a) === JSON.stringify(b)) continue;
      const rec = (b ?? a)!;
      for (const l of this.listeners) l(rec.zone, rec.name, b);
    }
  }
}
