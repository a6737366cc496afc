/** Unsent instruction builders for the rewards program. */
import BN from "bn.js";
import type { Program } from "@coral-xyz/anchor";
import type { PublicKey } from "@solana/web3.js";
import { DEFAULTS } from "../constants.js";
import { claimMarkerKey, emissionKey, mintKey, registryConfigKey, rewardEpochKey, rewardsConfigKey, rewardsVaultKey, tokenConfigKey, treasuryKey } from "../pdas.js";
import type { Rewards } from "../programs.js";

const bn = (x: bigint | number): BN => new BN(x.toString());

export function initializeRewards(program: Program<Rewards>, a: { payer: PublicKey; authority: PublicKey; claimHorizonSecs?: number }) {
  return program.methods
    .initialize({ authority: a.authority, claimHorizonSecs: bn(a.claimHorizonSecs ?? DEFAULTS.claimHorizonSecs) })
    .accountsPartial({
      payer: a.payer,
      config: rewardsConfigKey()[0],
      tokenConfig: tokenConfigKey()[0],
      mint: mintKey()[0],
      treasury: treasuryKey()[0],
      vault: rewardsVaultKey()[0],
    });
}

export function updateRewardsConfig(
  program: Program<Rewards>,
  a: { authority: PublicKey; newAuthority?: PublicKey; claimHorizonSecs?: number; pauseAuthority?: PublicKey },
) {
  return program.methods
    .updateConfig({
      authority: a.newAuthority ?? null,
      claimHorizonSecs: a.claimHorizonSecs === undefined ? null : bn(a.claimHorizonSecs),
      pauseAuthority: a.pauseAuthority ?? null,
    })
    .accountsPartial({ authority: a.authority, config: rewardsConfigKey()[0] });
}

/** Emergency switch: refuses claims while set. */
export function setPaused(program: Program<Rewards>, a: { pauseAuthority: PublicKey; paused: boolean }) {
  return program.methods.setPaused(a.paused).accountsPartial({ pauseAuthority: a.pauseAuthority, config: rewardsConfigKey()[0] });
}

export function submitRoot(program: Program<Rewards>, a: { oracle: PublicKey; epoch: number | bigint; root: Uint8Array; total: bigint }) {
  return program.methods.submitRoot(bn(a.epoch), { root: [...a.root], total: bn(a.total) }).accountsPartial({
    oracle: a.oracle,
    registryConfig: registryConfigKey()[0],
    tokenConfig: tokenConfigKey()[0],
    emission: emissionKey(a.epoch)[0],
    rewardEpoch: rewardEpochKey(a.epoch)[0],
  });
}

export interface ClaimArgs {
  payer: PublicKey;
  epoch: number | bigint;
  node: PublicKey;
  destination: PublicKey;
  amount: bigint;
  metricsHash: Uint8Array;
  proof: Uint8Array[];
}

/** Anyone may claim on a node's behalf; the reward goes to the leaf's destination. */
export function claim(program: Program<Rewards>, a: ClaimArgs) {
  return program.methods
    .claim(bn(a.epoch), { amount: bn(a.amount), metricsHash: [...a.metricsHash], proof: a.proof.map((p) => [...p]) })
    .accountsPartial({
      payer: a.payer,
      config: rewardsConfigKey()[0],
      rewardEpoch: rewardEpochKey(a.epoch)[0],
      node: a.node,
      destination: a.destination,
      marker: claimMarkerKey(a.epoch, a.node)[0],
      vault: rewardsVaultKey()[0],
    });
}

export function sweepUnclaimed(program: Program<Rewards>, a: { payer: PublicKey; epoch: number | bigint }) {
  return program.methods.sweepUnclaimed(bn(a.epoch)).accountsPartial({
    payer: a.payer,
    config: rewardsConfigKey()[0],
    tokenConfig: tokenConfigKey()[0],
    emission: emissionKey(a.epoch)[0],
    rewardEpoch: rewardEpochKey(a.epoch)[0],
    vault: rewardsVaultKey()[0],
    treasury: treasuryKey()[0],
  });
}
