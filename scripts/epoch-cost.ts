/**
 * What one reward epoch costs on chain, for the keepers (constant) and for the claimants (one
 * claim per node), at 10 / 1,000 / 100,000 nodes. Fees come from the chain itself
 * (getFeeForMessage on the real instructions, built with the SDK) and rents from
 * getMinimumBalanceForRentExemption on the programs' account sizes.
 *   node --import tsx scripts/epoch-cost.ts [--rpc http://127.0.0.1:8899] [--oracles 3]
 * Without --rpc it starts target/debug/aegis-localnet on free ports.
 */
import { randomBytes } from "node:crypto";
import { AnchorProvider, Wallet } from "@coral-xyz/anchor";
import { Connection, Keypair, TransactionMessage, VersionedTransaction, type TransactionInstruction } from "@solana/web3.js";
import { ACCOUNT_SIZES, RewardTree, rewards, rewardsProgram, token, tokenProgram } from "../sdk/src/index.js";
import { startLocalnet, type Localnet } from "../tests/helpers/localnet.js";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const NODE_COUNTS = [10, 1_000, 100_000];
const ORACLES = Number(arg("--oracles") ?? 3);

async function main(): Promise<void> {
  let net: Localnet | undefined;
  let connection: Connection;
  const rpc = arg("--rpc");
  if (rpc) connection = new Connection(rpc, "confirmed");
  else {
    net = await startLocalnet();
    connection = net.connection;
  }
  try {
    const payer = Keypair.generate();
    const provider = new AnchorProvider(connection, new Wallet(payer), {});
    const { blockhash } = await connection.getLatestBlockhash();
    const cost = async (ixs: TransactionInstruction[], signers = 1): Promise<{ fee: number; bytes: number }> => {
      const msg = new TransactionMessage({ payerKey: payer.publicKey, recentBlockhash: blockhash, instructions: ixs }).compileToLegacyMessage();
      const fee = (await connection.getFeeForMessage(msg)).value ?? 5_000 * signers;
      const bytes = new VersionedTransaction(msg).serialize().length;
      return { fee, bytes };
    };
    const rent = (size: number): Promise<number> => connection.getMinimumBalanceForRentExemption(size);

    const mint = await cost([await token.mintEpochEmission(tokenProgram(provider), { payer: payer.publicKey, epoch: 7 }).instruction()]);
    const submit = await cost([
      await rewards.submitRoot(rewardsProgram(provider), { oracle: payer.publicKey, epoch: 7, root: randomBytes(32), total: 1n }).instruction(),
    ]);
    const sweep = await cost([await rewards.sweepUnclaimed(rewardsProgram(provider), { payer: payer.publicKey, epoch: 7 }).instruction()]);
    const emissionRent = await rent(ACCOUNT_SIZES.emissionV0);
    const epochRent = await rent(ACCOUNT_SIZES.rewardEpochV0);
    const markerRent = await rent(ACCOUNT_SIZES.claimMarkerV0);
    const keeperTx = 1 + ORACLES + 1;
    const keeperLamports = mint.fee + emissionRent + ORACLES * submit.fee + epochRent + sweep.fee;

    console.log("Account sizes and rent-exempt minimums (getMinimumBalanceForRentExemption):");
    for (const [name, size] of Object.entries(ACCOUNT_SIZES)) {
      const lamports = await rent(size);
      console.log(`  ${name.padEnd(18)} ${String(size).padStart(5)} B  ${String(lamports).padStart(10)} lamports  (${(lamports / 1e9).toFixed(6)} SOL)`);
    }
    console.log("");
    console.log(`AEGIS reward epoch cost (${ORACLES} oracles; fees from getFeeForMessage, rent from getMinimumBalanceForRentExemption)`);
    console.log(`  mint_epoch_emission: fee ${mint.fee}, EmissionV0 rent ${emissionRent} (${ACCOUNT_SIZES.emissionV0} B), tx ${mint.bytes} B`);
    console.log(`  submit_root:         fee ${submit.fee} each, RewardEpochV0 rent ${epochRent} (${ACCOUNT_SIZES.rewardEpochV0} B, first oracle), tx ${submit.bytes} B`);
    console.log(`  sweep_unclaimed:     fee ${sweep.fee}, tx ${sweep.bytes} B`);
    console.log(`  claim:               ClaimMarkerV0 rent ${markerRent} (${ACCOUNT_SIZES.claimMarkerV0} B) per node`);
    console.log("");
    console.log("nodes     | keeper tx | keeper lamports | claim tx | claim tx bytes | claimant lamports total | per node");
    for (const n of NODE_COUNTS) {
      // A claim's size grows with the proof: ceil(log2 n) siblings.
      const depth = Math.ceil(Math.log2(n));
      const leaves = Array.from({ length: Math.min(n, 2 ** Math.min(depth, 17)) }, () => ({
        node: Keypair.generate().publicKey,
        destination: Keypair.generate().publicKey,
        amount: 1n,
        metricsHash: randomBytes(32),
      }));
      // Trees above 2^17 leaves are not built here; a proof of `depth` siblings is padded instead.
      const tree = new RewardTree(leaves);
      const proof = tree.proof(0);
      while (proof.length < depth) proof.push(randomBytes(32));
      const leaf = leaves[0]!;
      const claim = await cost([
        await rewards
          .claim(rewardsProgram(provider), { payer: payer.publicKey, epoch: 7, node: leaf.node, destination: leaf.destination, amount: 1n, metricsHash: leaf.metricsHash, proof })
          .instruction(),
      ]);
      const perNode = claim.fee + markerRent;
      console.log(
        `${String(n).padEnd(9)} | ${String(keeperTx).padEnd(9)} | ${String(keeperLamports).padEnd(15)} | ${String(n).padEnd(8)} | ${String(claim.bytes).padEnd(14)} | ${String(perNode * n).padEnd(23)} | ${perNode}`,
      );
    }
    console.log("");
    console.log("keeper side: constant in the number of nodes (1 mint + oracles root submissions + 1 sweep).");
  } finally {
    await net?.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
