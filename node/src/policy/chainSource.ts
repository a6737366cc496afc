/**
 * Policy source backed by the registry program's zone accounts.
 *
 * `load()`: the node's assignments (AssignmentV0, one getProgramAccounts with a memcmp on `node`
 * at offset 8), or a configured list of zone domains, then the zones' ZoneV0 accounts in one
 * getMultipleAccountsInfo; each is decoded with the IDL coder and mapped to the node's policy
 * shape with the SDK's `zonePolicyFromAccount`. The store validates it (zod) and keeps the
 * previous policy of any zone that fails.
 *
 * `subscribe()`: programSubscribe on ZoneV0 accounts (discriminator filter; notifications for
 * zones this node does not serve are dropped) and on this node's AssignmentV0 accounts (a change
 * there triggers a full load, so assignments and unassignments are seen at once). The store also
 * reconciles periodically, which repairs missed notifications and a reconnected websocket.
 *
 * A zone that cannot be decoded is left out of the snapshot and the snapshot is marked partial,
 * so that zone keeps its previous policy and no other zone is removed.
 */
import type { AccountsCoder, Provider } from "@coral-xyz/anchor";
import { Connection, PublicKey, type AccountInfo, type Commitment, type GetProgramAccountsFilter } from "@solana/web3.js";
import { REGISTRY_PROGRAM_ID, nodeKey, registryProgram, zoneKey, zonePolicyFromAccount, type ZoneAccountLike } from "../../../sdk/src/index.js";
import type { Logger } from "../logger.js";
import { PolicySourceUnavailableError, type PolicySnapshot, type PolicySource } from "./source.js";

/** The registry account names as the camelCased coder knows them. */
export const ACCOUNT = { zone: "zoneV0", assignment: "assignmentV0", module: "moduleV0" } as const;
/** AssignmentV0: `node` right after the 8-byte discriminator (see the IDL type's docs). */
const ASSIGNMENT_NODE_OFFSET = 8;
/** getMultipleAccounts takes at most 100 keys. */
const MULTIPLE_ACCOUNTS_MAX = 100;

/**
 * The IDL's account coder with Anchor's camelCase field names (the Program applies the same
 * conversion as `program.account.*.fetch`); decoding needs no connection.
 */
export const registryCoder: AccountsCoder = registryProgram({} as Provider).coder.accounts;

/** A getProgramAccounts / programSubscribe filter selecting one registry account type. */
export function accountTypeFilter(name: (typeof ACCOUNT)[keyof typeof ACCOUNT]): GetProgramAccountsFilter {
  return { memcmp: registryCoder.memcmp(name) as { offset: number; bytes: string } };
}

export class ChainDecodeError extends Error {
  readonly code = "AEGIS_ERR_CHAIN_DECODE";
  constructor(account: string, message: string, options?: { cause?: unknown }) {
    super(`${account}: ${message}`, options);
    this.name = "ChainDecodeError";
  }
}

export interface ChainPolicySourceOptions {
  readonly connection: Connection;
  readonly programId?: PublicKey;
  /** The node's identity key; its NodeV0 account is the `node` of its assignments. */
  readonly identity?: PublicKey;
  /** Instead of assignments: serve exactly these zones (domains). */
  readonly domains?: readonly string[];
  readonly commitment?: Commitment;
  readonly logger: Logger;
}

interface DecodedZone {
  readonly key: PublicKey;
  readonly owner: PublicKey;
  readonly policy: ReturnType<typeof zonePolicyFromAccount>;
}

export class ChainPolicySource implements PolicySource {
  readonly name = "chain";
  private readonly programId: PublicKey;
  private readonly node: PublicKey | undefined;
  private readonly commitment: Commitment;
  /** Zones served after the last full load (base58 key → owner), for filtering notifications. */
  private served = new Map<string, PublicKey>();
  private readonly ownerListeners = new Set<(owners: ReadonlyMap<string, PublicKey>) => void>();

  constructor(private readonly opts: ChainPolicySourceOptions) {
    this.programId = opts.programId ?? REGISTRY_PROGRAM_ID;
    this.commitment = opts.commitment ?? "confirmed";
    if (!opts.identity && !opts.domains) throw new Error("ChainPolicySource needs an identity or a list of domains");
    this.node = opts.identity ? nodeKey(opts.identity, this.programId)[0] : undefined;
  }

  /** Called after each full load with domain → zone owner (the chain module registry follows it). */
  onZoneOwners(listener: (owners: ReadonlyMap<string, PublicKey>) => void): () => void {
    this.ownerListeners.add(listener);
    return () => this.ownerListeners.delete(listener);
  }

  async load(): Promise<PolicySnapshot> {
    let keys: PublicKey[];
    let infos: (AccountInfo<Buffer> | null)[];
    let slot: number;
    try {
      keys = await this.zoneKeys();
      infos = [];
      slot = 0;
      for (let i = 0; i < keys.length; i += MULTIPLE_ACCOUNTS_MAX) {
        const res = await this.opts.connection.getMultipleAccountsInfoAndContext(keys.slice(i, i + MULTIPLE_ACCOUNTS_MAX), this.commitment);
        infos.push(...res.value);
        slot = Math.max(slot, res.context.slot);
      }
    } catch (err) {
      throw new PolicySourceUnavailableError(this.name, `cannot read zones from ${this.opts.connection.rpcEndpoint}: ${(err as Error).message}`, { cause: err });
    }
    const zones: unknown[] = [];
    const served = new Map<string, PublicKey>();
    const owners = new Map<string, PublicKey>();
    let complete = true;
    keys.forEach((key, i) => {
      const info = infos[i];
      if (!info) {
        // Closed, or not created yet: nothing to serve; a configured domain is still watched.
        if (this.opts.domains) served.set(key.toBase58(), PublicKey.default);
        return;
      }
      try {
        const z = this.decodeZone(key, info);
        zones.push(z.policy);
        served.set(key.toBase58(), z.owner);
        owners.set(z.policy.domain, z.owner);
      } catch (err) {
        complete = false; // keeps this zone's previous policy and every other zone
        served.set(key.toBase58(), this.served.get(key.toBase58()) ?? PublicKey.default);
        this.opts.logger.warn({ zone: key.toBase58(), err: (err as Error).message, slot }, "zone account rejected; previous policy kept");
      }
    });
    this.served = served;
    for (const l of this.ownerListeners) l(owners);
    return { zones, complete, revision: `slot:${slot}` };
  }

  subscribe(onChange: (snapshot: PolicySnapshot) => void, onError: (err: Error) => void): () => void {
    const conn = this.opts.connection;
    const subs: number[] = [];
    subs.push(
      conn.onProgramAccountChange(
        this.programId,
        (ev, ctx) => {
          const key = ev.accountId.toBase58();
          if (!this.served.has(key)) return;
          try {
            const z = this.decodeZone(ev.accountId, ev.accountInfo);
            onChange({ zones: [z.policy], complete: false, revision: `slot:${ctx.slot}` });
          } catch (err) {
            onError(err as Error);
          }
        },
        { commitment: this.commitment, filters: [accountTypeFilter(ACCOUNT.zone)] },
      ),
    );
    if (this.node) {
      subs.push(
        conn.onProgramAccountChange(
          this.programId,
          () => void this.load().then(onChange, onError),
          { commitment: this.commitment, filters: [accountTypeFilter(ACCOUNT.assignment), { memcmp: { offset: ASSIGNMENT_NODE_OFFSET, bytes: this.node.toBase58() } }] },
        ),
      );
    }
    return () => {
      for (const id of subs) void conn.removeProgramAccountChangeListener(id).catch(() => undefined);
    };
  }

  private async zoneKeys(): Promise<PublicKey[]> {
    if (this.opts.domains) return this.opts.domains.map((d) => zoneKey(d, this.programId)[0]);
    const assignments = await this.opts.connection.getProgramAccounts(this.programId, {
      commitment: this.commitment,
      filters: [accountTypeFilter(ACCOUNT.assignment), { memcmp: { offset: ASSIGNMENT_NODE_OFFSET, bytes: this.node!.toBase58() } }],
    });
    const keys: PublicKey[] = [];
    for (const a of assignments) {
      try {
        keys.push(registryCoder.decode<{ zone: PublicKey }>(ACCOUNT.assignment, a.account.data).zone);
      } catch (err) {
        this.opts.logger.warn({ assignment: a.pubkey.toBase58(), err: (err as Error).message }, "assignment account undecodable; ignored");
      }
    }
    return keys;
  }

  private decodeZone(key: PublicKey, info: AccountInfo<Buffer>): DecodedZone {
    if (!info.owner.equals(this.programId)) throw new ChainDecodeError(key.toBase58(), `owned by ${info.owner.toBase58()}, not the registry`);
    let account: ZoneAccountLike & { owner: PublicKey };
    try {
      account = registryCoder.decode(ACCOUNT.zone, info.data);
    } catch (err) {
      throw new ChainDecodeError(key.toBase58(), `not a ZoneV0 account: ${(err as Error).message}`, { cause: err });
    }
    try {
      return { key, owner: account.owner, policy: zonePolicyFromAccount(account) };
    } catch (err) {
      throw new ChainDecodeError(key.toBase58(), `zone ${account.domain} cannot be mapped: ${(err as Error).message}`, { cause: err });
    }
  }
}
