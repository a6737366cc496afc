/** Unsent instruction builders for the $AEGIS token program. */
import BN from "bn.js";
import type { Program } from "@coral-xyz/anchor";
import { PublicKey } from "@solana/web3.js";
import { DEFAULTS, TOKEN_METADATA_PROGRAM_ID } from "../constants.js";
import { emissionKey, mintKey, rewardsVaultKey, tokenConfigKey, treasuryKey } from "../pdas.js";
import type { Token } from "../programs.js";

export interface InitializeTokenArgs {
  payer: PublicKey;
  authority: PublicKey;
  treasuryOwner: PublicKey;
  /** Unix seconds of epoch 0; 0 = now. */
  genesisTs?: number;
  epochLengthSecs?: number;
  initialEmission?: bigint;
  decayBps?: number;
  decayPeriodEpochs?: number;
  breakerWindowSecs?: number;
  breakerMaxPerWindow?: bigint;
}

const bn = (x: bigint | number): BN => new BN(x.toString());

export function initializeToken(program: Program<Token>, a: InitializeTokenArgs) {
  return program.methods
    .initialize({
      authority: a.authority,
      treasuryOwner: a.treasuryOwner,
      rewardsVault: rewardsVaultKey()[0],
      genesisTs: bn(a.genesisTs ?? 0),
      epochLengthSecs: bn(a.epochLengthSecs ?? DEFAULTS.epochLengthSecs),
      initialEmission: bn(a.initialEmission ?? DEFAULTS.initialEmission),
      decayBps: a.decayBps ?? DEFAULTS.decayBps,
      decayPeriodEpochs: a.decayPeriodEpochs ?? DEFAULTS.decayPeriodEpochs,
      breakerWindowSecs: bn(a.breakerWindowSecs ?? DEFAULTS.breakerWindowSecs),
      breakerMaxPerWindow: bn(a.breakerMaxPerWindow ?? DEFAULTS.breakerMaxPerWindow),
    })
    .accountsPartial({
      payer: a.payer,
      config: tokenConfigKey()[0],
      mint: mintKey()[0],
      treasuryOwner: a.treasuryOwner,
      treasury: treasuryKey()[0],
    });
}

export interface UpdateTokenConfigArgs {
  authority: PublicKey;
  newAuthority?: PublicKey;
  rewardsVault?: PublicKey;
  epochLengthSecs?: number;
  initialEmission?: bigint;
  decayBps?: number;
  decayPeriodEpochs?: number;
  breakerWindowSecs?: number;
  breakerMaxPerWindow?: bigint;
}

export function updateTokenConfig(program: Program<Token>, a: UpdateTokenConfigArgs) {
  const opt = <T, U>(v: T | undefined, f: (x: T) => U): U | null => (v === undefined ? null : f(v));
  return program.methods
    .updateConfig({
      authority: a.newAuthority ?? null,
      rewardsVault: a.rewardsVault ?? null,
      epochLengthSecs: opt(a.epochLengthSecs, bn),
      initialEmission: opt(a.initialEmission, bn),
      decayBps: a.decayBps ?? null,
      decayPeriodEpochs: a.decayPeriodEpochs ?? null,
      breakerWindowSecs: opt(a.breakerWindowSecs, bn),
      breakerMaxPerWindow: opt(a.breakerMaxPerWindow, bn),
    })
    .accountsPartial({ authority: a.authority, config: tokenConfigKey()[0] });
}

export function mintGenesis(program: Program<Token>, a: { authority: PublicKey; amount: bigint }) {
  return program.methods
    .mintGenesis(bn(a.amount))
    .accountsPartial({ authority: a.authority, config: tokenConfigKey()[0], mint: mintKey()[0], treasury: treasuryKey()[0] });
}

/** Permissionless (a keeper): mints epoch `epoch`'s scheduled emission into the rewards vault. */
export function mintEpochEmission(program: Program<Token>, a: { payer: PublicKey; epoch: number | bigint; rewardsVault?: PublicKey }) {
  return program.methods.mintEpochEmission(bn(a.epoch)).accountsPartial({
    payer: a.payer,
    config: tokenConfigKey()[0],
    mint: mintKey()[0],
    rewardsVault: a.rewardsVault ?? rewardsVaultKey()[0],
    emission: emissionKey(a.epoch)[0],
  });
}

/** The $AEGIS Metaplex metadata account: `["metadata", TOKEN_METADATA_PROGRAM_ID, mint]` under Metaplex. */
export function metadataKey(mint: PublicKey = mintKey()[0]): PublicKey {
  return PublicKey.findProgramAddressSync([Buffer.from("metadata"), TOKEN_METADATA_PROGRAM_ID.toBuffer(), mint.toBuffer()], TOKEN_METADATA_PROGRAM_ID)[0];
}

/** Config authority: creates the mint's Metaplex metadata by CPI (fails with `MetadataProgramMissing` where Metaplex is absent). */
export function createMetadata(program: Program<Token>, a: { payer: PublicKey; authority: PublicKey; name: string; symbol: string; uri: string }) {
  return program.methods.createMetadata({ name: a.name, symbol: a.symbol, uri: a.uri }).accountsPartial({
    payer: a.payer,
    authority: a.authority,
    config: tokenConfigKey()[0],
    mint: mintKey()[0],
    metadata: metadataKey(),
    metadataProgram: TOKEN_METADATA_PROGRAM_ID,
  });
}
