/** The SDK derives the same seeds, limits and Merkle leaves as the programs (read from their IDLs). */
import { expect } from "chai";
import { Keypair, PublicKey } from "@solana/web3.js";
import {
  AEGIS_TOKEN_PROGRAM_ID,
  GENESIS_ALLOCATION,
  IDLS,
  MAX_REPUTATION,
  MAX_SUPPLY,
  DEFAULTS,
  REGISTRY_PROGRAM_ID,
  REWARDS_PROGRAM_ID,
  RewardTree,
  SEEDS,
  STAKING_PROGRAM_ID,
  innerHash,
  leafHash,
  verifyProof,
} from "../../sdk/src/index.js";

type Idl = { address: string; constants?: Array<{ name: string; type: unknown; value: string }> };
const constants = (idl: Idl) => new Map((idl.constants ?? []).map((c) => [c.name, c.value]));
const seed = (idl: Idl, name: string): string => {
  const v = constants(idl).get(name);
  if (v === undefined) throw new Error(`${idl.address} has no constant ${name}`);
  return Buffer.from(JSON.parse(v) as number[]).toString("utf8");
};
const num = (idl: Idl, name: string): bigint => BigInt(constants(idl).get(name)!.replace(/_/g, ""));

describe("sdk: seeds, limits and Merkle encoding match the programs", () => {
  it("program ids match the IDLs", () => {
    expect(IDLS.registry.address).to.equal(REGISTRY_PROGRAM_ID.toBase58());
    expect(IDLS.token.address).to.equal(AEGIS_TOKEN_PROGRAM_ID.toBase58());
    expect(IDLS.staking.address).to.equal(STAKING_PROGRAM_ID.toBase58());
    expect(IDLS.rewards.address).to.equal(REWARDS_PROGRAM_ID.toBase58());
  });

  it("every seed in sdk/src/pdas.ts is the program's #[constant]", () => {
    const r = IDLS.registry as Idl, t = IDLS.token as Idl, s = IDLS.staking as Idl, w = IDLS.rewards as Idl;
    const expected: Record<keyof typeof SEEDS, string> = {
      registryConfig: seed(r, "CONFIG_SEED"),
      node: seed(r, "NODE_SEED"),
      zone: seed(r, "ZONE_SEED"),
      assignment: seed(r, "ASSIGNMENT_SEED"),
      module: seed(r, "MODULE_SEED"),
      tokenConfig: seed(t, "TOKEN_CONFIG_SEED"),
      mint: seed(t, "MINT_SEED"),
      treasury: seed(t, "TREASURY_SEED"),
      emission: seed(t, "EMISSION_SEED"),
      stakingConfig: seed(s, "STAKING_CONFIG_SEED"),
      stake: seed(s, "STAKE_SEED"),
      stakeVault: seed(s, "STAKE_VAULT_SEED"),
      stakeAuthority: seed(s, "STAKE_AUTHORITY_SEED"),
      bondVault: seed(s, "BOND_VAULT_SEED"),
      slash: seed(s, "SLASH_SEED"),
      voterWeight: seed(s, "VOTER_WEIGHT_SEED"),
      maxVoterWeight: seed(s, "MAX_VOTER_WEIGHT_SEED"),
      rewardsConfig: seed(w, "REWARDS_CONFIG_SEED"),
      rewardsVault: seed(w, "REWARDS_VAULT_SEED"),
      rewardEpoch: seed(w, "EPOCH_SEED"),
      claim: seed(w, "CLAIM_SEED"),
    };
    expect({ ...SEEDS }).to.deep.equal(expected);
  });

  it("limits and defaults are the programs' constants", () => {
    // usize bounds (MAX_ORACLES, MAX_ROUTES, …) are not IDL constants; the Rust account_sizes
    // tests and the lifecycle's size check pin them.
    const r = IDLS.registry as Idl, t = IDLS.token as Idl, s = IDLS.staking as Idl, w = IDLS.rewards as Idl;
    expect(num(r, "MAX_REPUTATION")).to.equal(BigInt(MAX_REPUTATION));
    expect(num(t, "MAX_SUPPLY")).to.equal(MAX_SUPPLY);
    expect(num(t, "GENESIS_ALLOCATION")).to.equal(GENESIS_ALLOCATION);
    expect(num(t, "DEFAULT_INITIAL_EMISSION")).to.equal(DEFAULTS.initialEmission);
    expect(num(t, "DEFAULT_DECAY_BPS")).to.equal(BigInt(DEFAULTS.decayBps));
    expect(num(t, "DEFAULT_DECAY_PERIOD_EPOCHS")).to.equal(BigInt(DEFAULTS.decayPeriodEpochs));
    expect(num(t, "DEFAULT_EPOCH_LENGTH_SECS")).to.equal(BigInt(DEFAULTS.epochLengthSecs));
    expect(num(t, "DEFAULT_BREAKER_MAX_PER_WINDOW")).to.equal(DEFAULTS.breakerMaxPerWindow);
    expect(num(s, "DEFAULT_MIN_STAKE")).to.equal(DEFAULTS.minStake);
    expect(num(s, "DEFAULT_COOLDOWN_SECS")).to.equal(BigInt(DEFAULTS.cooldownSecs));
    expect(num(s, "DEFAULT_CHALLENGE_SECS")).to.equal(BigInt(DEFAULTS.challengeSecs));
    expect(num(s, "DEFAULT_MAX_SLASH_BPS_PER_EPOCH")).to.equal(BigInt(DEFAULTS.maxSlashBpsPerEpoch));
    expect(num(s, "DEFAULT_COSIGN_THRESHOLD_BPS")).to.equal(BigInt(DEFAULTS.cosignThresholdBps));
    expect(num(s, "DEFAULT_DISPUTE_BOND")).to.equal(DEFAULTS.disputeBond);
    expect(num(w, "DEFAULT_CLAIM_HORIZON_SECS")).to.equal(BigInt(DEFAULTS.claimHorizonSecs));
  });

  it("Merkle leaves and inner nodes match the Rust vector (programs/rewards/src/merkle.rs known_vector)", () => {
    const leaf = leafHash({
      node: new PublicKey(Buffer.alloc(32, 1)),
      destination: new PublicKey(Buffer.alloc(32, 2)),
      amount: 5n,
      metricsHash: Buffer.alloc(32, 3),
    });
    expect(leaf.toString("hex")).to.equal(KNOWN_LEAF);
    expect(innerHash(leaf, Buffer.alloc(32)).toString("hex")).to.equal(KNOWN_INNER);
  });

  it("every proof of a tree verifies; a changed amount or another leaf's proof does not", () => {
    for (const n of [1, 2, 3, 7, 64, 100]) {
      const leaves = Array.from({ length: n }, (_, i) => ({
        node: Keypair.generate().publicKey,
        destination: Keypair.generate().publicKey,
        amount: BigInt(1_000 + i),
        metricsHash: Buffer.alloc(32, i),
      }));
      const tree = new RewardTree(leaves);
      for (let i = 0; i < n; i++) {
        expect(verifyProof(tree.proof(i), tree.root, leafHash(leaves[i]!))).to.equal(true);
        expect(verifyProof(tree.proof(i), tree.root, leafHash({ ...leaves[i]!, amount: leaves[i]!.amount + 1n }))).to.equal(false);
        if (n > 1) expect(verifyProof(tree.proof((i + 1) % n), tree.root, leafHash(leaves[i]!))).to.equal(false);
      }
      expect(Math.max(...leaves.map((_, i) => tree.proof(i).length))).to.equal(Math.ceil(Math.log2(n)));
    }
  });
});

const KNOWN_LEAF = "ca89f1932fa21db80840f9506d49166c75005eef0996c894f7b5307eacf5d28a";
const KNOWN_INNER = "7e158c0b0530e0114f511fea2826f4bddff53731e563b3699fdcaa06feab66d3";
