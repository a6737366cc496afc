/** Unsent instruction builders for the staking program. */
import BN from "bn.js";
import type { Program } from "@coral-xyz/anchor";
import { PublicKey } from "@solana/web3.js";
import { DEFAULTS } from "../constants.js";
import {
  bondVaultKey,
  maxVoterWeightRecordKey,
  mintKey,
  registryConfigKey,
  slashProposalKey,
  stakeAuthorityKey,
  stakeKey,
  stakeVaultKey,
  stakingConfigKey,
  tokenConfigKey,
  treasuryKey,
  voterWeightRecordKey,
} from "../pdas.js";
import type { Staking } from "../programs.js";

const bn = (x: bigint | number): BN => new BN(x.toString());

export interface StakingParams {
  minStake: bigint;
  cooldownSecs: number;
  challengeSecs: number;
  maxSlashBpsPerEpoch: number;
  slashEpochSecs: number;
  cosignThresholdBps: number;
  disputeBond: bigint;
  reputationPenalty: number;
}

export const DEFAULT_STAKING_PARAMS: StakingParams = {
  minStake: DEFAULTS.minStake,
  cooldownSecs: DEFAULTS.cooldownSecs,
  challengeSecs: DEFAULTS.challengeSecs,
  maxSlashBpsPerEpoch: DEFAULTS.maxSlashBpsPerEpoch,
  slashEpochSecs: DEFAULTS.slashEpochSecs,
  cosignThresholdBps: DEFAULTS.cosignThresholdBps,
  disputeBond: DEFAULTS.disputeBond,
  reputationPenalty: DEFAULTS.reputationPenalty,
};

export function initializeStaking(program: Program<Staking>, a: { payer: PublicKey; authority: PublicKey; realm?: PublicKey; params?: Partial<StakingParams> }) {
  const p = { ...DEFAULT_STAKING_PARAMS, ...a.params };
  return program.methods
    .initialize({
      authority: a.authority,
      realm: a.realm ?? PublicKey.default,
      params: {
        minStake: bn(p.minStake),
        cooldownSecs: bn(p.cooldownSecs),
        challengeSecs: bn(p.challengeSecs),
        maxSlashBpsPerEpoch: p.maxSlashBpsPerEpoch,
        slashEpochSecs: bn(p.slashEpochSecs),
        cosignThresholdBps: p.cosignThresholdBps,
        disputeBond: bn(p.disputeBond),
        reputationPenalty: p.reputationPenalty,
      },
    })
    .accountsPartial({
      payer: a.payer,
      config: stakingConfigKey()[0],
      stakeAuthority: stakeAuthorityKey()[0],
      tokenConfig: tokenConfigKey()[0],
      mint: mintKey()[0],
      treasury: treasuryKey()[0],
      bondVault: bondVaultKey()[0],
      maxVoterWeightRecord: maxVoterWeightRecordKey()[0],
    });
}

export function updateStakingConfig(
  program: Program<Staking>,
  a: { authority: PublicKey; newAuthority?: PublicKey; realm?: PublicKey; pauseAuthority?: PublicKey; params?: Partial<StakingParams> },
) {
  const p = a.params ?? {};
  const o = <T>(v: T | undefined, f: (x: T) => BN | number): BN | number | null => (v === undefined ? null : f(v));
  return program.methods
    .updateConfig({
      authority: a.newAuthority ?? null,
      realm: a.realm ?? null,
      pauseAuthority: a.pauseAuthority ?? null,
      minStake: o(p.minStake, bn) as BN | null,
      cooldownSecs: o(p.cooldownSecs, bn) as BN | null,
      challengeSecs: o(p.challengeSecs, bn) as BN | null,
      maxSlashBpsPerEpoch: p.maxSlashBpsPerEpoch ?? null,
      slashEpochSecs: o(p.slashEpochSecs, bn) as BN | null,
      cosignThresholdBps: p.cosignThresholdBps ?? null,
      disputeBond: o(p.disputeBond, bn) as BN | null,
      reputationPenalty: p.reputationPenalty ?? null,
    })
    .accountsPartial({ authority: a.authority, config: stakingConfigKey()[0], maxVoterWeightRecord: maxVoterWeightRecordKey()[0] });
}

/** Emergency switch: refuses stakes and slashing while set; withdrawals still work. */
export function setPaused(program: Program<Staking>, a: { pauseAuthority: PublicKey; paused: boolean }) {
  return program.methods.setPaused(a.paused).accountsPartial({ pauseAuthority: a.pauseAuthority, config: stakingConfigKey()[0] });
}

export function stake(program: Program<Staking>, a: { operator: PublicKey; source: PublicKey; amount: bigint }) {
  return program.methods.stake(bn(a.amount)).accountsPartial({
    operator: a.operator,
    config: stakingConfigKey()[0],
    mint: mintKey()[0],
    stake: stakeKey(a.operator)[0],
    vault: stakeVaultKey(a.operator)[0],
    source: a.source,
    voterWeightRecord: voterWeightRecordKey(a.operator)[0],
    maxVoterWeightRecord: maxVoterWeightRecordKey()[0],
  });
}

const nodeAccounts = (operator: PublicKey, node: PublicKey) => ({
  operator,
  config: stakingConfigKey()[0],
  stake: stakeKey(operator)[0],
  registryConfig: registryConfigKey()[0],
  node,
  stakeAuthority: stakeAuthorityKey()[0],
});

/** Registered | Jailed → Active. */
export function activateNode(program: Program<Staking>, a: { operator: PublicKey; node: PublicKey }) {
  return program.methods.activateNode().accountsPartial(nodeAccounts(a.operator, a.node));
}

export function beginExit(program: Program<Staking>, a: { operator: PublicKey; node: PublicKey }) {
  return program.methods.beginExit().accountsPartial(nodeAccounts(a.operator, a.node));
}

export function completeExit(program: Program<Staking>, a: { operator: PublicKey; node: PublicKey }) {
  return program.methods.completeExit().accountsPartial(nodeAccounts(a.operator, a.node));
}

export function requestUnstake(program: Program<Staking>, a: { operator: PublicKey; amount: bigint }) {
  return program.methods.requestUnstake(bn(a.amount)).accountsPartial({
    operator: a.operator,
    config: stakingConfigKey()[0],
    stake: stakeKey(a.operator)[0],
    voterWeightRecord: voterWeightRecordKey(a.operator)[0],
    maxVoterWeightRecord: maxVoterWeightRecordKey()[0],
  });
}

export function withdraw(program: Program<Staking>, a: { operator: PublicKey; destination: PublicKey }) {
  return program.methods.withdraw().accountsPartial({
    operator: a.operator,
    config: stakingConfigKey()[0],
    stake: stakeKey(a.operator)[0],
    vault: stakeVaultKey(a.operator)[0],
    destination: a.destination,
  });
}

export interface ProposeSlashArgs {
  proposer: PublicKey;
  node: PublicKey;
  operator: PublicKey;
  /** The stake's current `slashNonce` (fetch the StakeV0 account). */
  nonce: bigint | number;
  amount: bigint;
  reason: number;
  evidenceHash: Uint8Array;
  evidenceUri: string;
}

export function proposeSlash(program: Program<Staking>, a: ProposeSlashArgs) {
  const [stakeAddr] = stakeKey(a.operator);
  return program.methods
    .proposeSlash({ amount: bn(a.amount), reason: a.reason, evidenceHash: [...a.evidenceHash], evidenceUri: a.evidenceUri })
    .accountsPartial({
      proposer: a.proposer,
      config: stakingConfigKey()[0],
      registryConfig: registryConfigKey()[0],
      node: a.node,
      stake: stakeAddr,
      proposal: slashProposalKey(stakeAddr, a.nonce)[0],
    });
}

export function cosignSlash(program: Program<Staking>, a: { cosigner: PublicKey; proposal: PublicKey }) {
  return program.methods
    .cosignSlash()
    .accountsPartial({ cosigner: a.cosigner, config: stakingConfigKey()[0], registryConfig: registryConfigKey()[0], proposal: a.proposal });
}

export function disputeSlash(program: Program<Staking>, a: { operator: PublicKey; proposal: PublicKey; source: PublicKey }) {
  return program.methods.disputeSlash().accountsPartial({
    operator: a.operator,
    config: stakingConfigKey()[0],
    stake: stakeKey(a.operator)[0],
    proposal: a.proposal,
    source: a.source,
    bondVault: bondVaultKey()[0],
  });
}

const slashEffectAccounts = (operator: PublicKey, proposal: PublicKey, node: PublicKey) => ({
  config: stakingConfigKey()[0],
  proposal,
  stake: stakeKey(operator)[0],
  vault: stakeVaultKey(operator)[0],
  treasury: treasuryKey()[0],
  registryConfig: registryConfigKey()[0],
  node,
  stakeAuthority: stakeAuthorityKey()[0],
  voterWeightRecord: voterWeightRecordKey(operator)[0],
  maxVoterWeightRecord: maxVoterWeightRecordKey()[0],
});

/** Permissionless after the challenge window. */
export function executeSlash(program: Program<Staking>, a: { operator: PublicKey; proposal: PublicKey; node: PublicKey }) {
  return program.methods.executeSlash().accountsPartial(slashEffectAccounts(a.operator, a.proposal, a.node));
}

export function resolveDispute(
  program: Program<Staking>,
  a: { authority: PublicKey; operator: PublicKey; proposal: PublicKey; node: PublicKey; operatorTokenAccount: PublicKey; uphold: boolean },
) {
  return program.methods.resolveDispute(a.uphold).accountsPartial({
    ...slashEffectAccounts(a.operator, a.proposal, a.node),
    authority: a.authority,
    bondVault: bondVaultKey()[0],
    operatorTokenAccount: a.operatorTokenAccount,
  });
}

/** Permissionless: rewrites `operator`'s voter-weight record from its stake and the config's realm. */
export function updateVoterWeightRecord(program: Program<Staking>, a: { operator: PublicKey }) {
  return program.methods.updateVoterWeightRecord().accountsPartial({
    config: stakingConfigKey()[0],
    stake: stakeKey(a.operator)[0],
    voterWeightRecord: voterWeightRecordKey(a.operator)[0],
  });
}
