/** Bootstraps the four AEGIS programs on a fresh localnet with the deploy script (migrations/bootstrap.ts). */
import { expect } from "chai";
import { AnchorError } from "@coral-xyz/anchor";
import { Keypair, PublicKey } from "@solana/web3.js";
import { getAccount, getOrCreateAssociatedTokenAccount, transfer } from "@solana/spl-token";
import { IDLS, ONE_AEGIS, mintKey, treasuryKey } from "../../sdk/src/index.js";
import type { StakingParams } from "../../sdk/src/functions/staking.js";
import type { InitializeTokenArgs } from "../../sdk/src/functions/token.js";
import type { Localnet } from "../helpers/localnet.js";
import { initProtocol } from "../../migrations/bootstrap.js";

export interface Protocol {
  net: Localnet;
  admin: Keypair;
  oracles: Keypair[];
  mint: PublicKey;
  treasury: PublicKey;
  /** Creates `owner`'s associated $AEGIS account and moves `amount` into it from the treasury. */
  fund(owner: PublicKey, amount: bigint): Promise<PublicKey>;
  /** Creates (or returns) `owner`'s associated $AEGIS account. */
  ata(owner: PublicKey): Promise<PublicKey>;
  balance(account: PublicKey): Promise<bigint>;
}

export interface BootstrapOptions {
  token?: Partial<InitializeTokenArgs>;
  staking?: Partial<StakingParams>;
  quorum?: number;
}

export const aegis = (n: number): bigint => BigInt(Math.round(n * 1_000_000)) * (ONE_AEGIS / 1_000_000n);

export async function bootstrapProtocol(net: Localnet, opts: BootstrapOptions = {}): Promise<Protocol> {
  const admin = await net.fundedKeypair(100);
  const oracles = [await net.fundedKeypair(5), await net.fundedKeypair(5), await net.fundedKeypair(5)];
  await initProtocol(net.connection, admin, {
    oracles: oracles.map((o) => o.publicKey),
    quorum: opts.quorum ?? 2,
    token: opts.token,
    staking: opts.staking,
    genesisAmount: aegis(10_000_000),
  });

  const mint = mintKey()[0];
  const treasury = treasuryKey()[0];
  const ata = async (owner: PublicKey): Promise<PublicKey> =>
    (await getOrCreateAssociatedTokenAccount(net.connection, admin, mint, owner, true)).address;
  return {
    net,
    admin,
    oracles,
    mint,
    treasury,
    ata,
    async fund(owner, amount) {
      const dest = await ata(owner);
      await transfer(net.connection, admin, treasury, dest, admin, amount);
      return dest;
    },
    async balance(account) {
      return (await getAccount(net.connection, account)).amount;
    },
  };
}

type ProgramName = keyof typeof IDLS;

/**
 * Awaits `p` and asserts it failed with error `code` of program `program`: the name, the number
 * the program's IDL gives it, and the program that raised it.
 */
export async function expectError(p: Promise<unknown>, program: ProgramName, code: string): Promise<void> {
  const idl = IDLS[program];
  const def = (idl.errors as Array<{ code: number; name: string }>).find((e) => e.name.toLowerCase() === code.toLowerCase());
  if (!def) throw new Error(`${program} has no error ${code}`);
  try {
    await p;
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(AnchorError);
    const err = e as AnchorError;
    expect(err.error.errorCode.code, String(e)).to.equal(code);
    expect(err.error.errorCode.number).to.equal(def.code);
    expect(err.program.toBase58()).to.equal(idl.address);
    return;
  }
  expect.fail(`expected ${program}::${code} (${def.code})`);
}
