import { expect } from "chai";
import {
  Keypair,
  LAMPORTS_PER_SOL,
  SystemProgram,
  Transaction,
  sendAndConfirmTransaction,
} from "@solana/web3.js";
import { createMint, getAccount, getOrCreateAssociatedTokenAccount, mintTo, transfer } from "@solana/spl-token";
import { startLocalnet, type Localnet } from "../helpers/localnet.js";

describe("localnet: plain @solana/web3.js and @solana/spl-token", function () {
  let net: Localnet;
  before(async () => {
    net = await startLocalnet();
  });
  after(async () => {
    await net?.stop();
  });

  it("answers the cluster methods clients call first", async () => {
    const c = net.connection;
    expect(await c.getVersion()).to.have.property("solana-core", "1.18.26");
    expect(await c.getGenesisHash()).to.match(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
    const s1 = await c.getSlot();
    await new Promise((r) => setTimeout(r, 350));
    expect(await c.getSlot()).to.be.greaterThan(s1);
    const info = await c.getEpochInfo();
    expect(info.absoluteSlot).to.be.at.least(s1);
    expect((await c.getEpochSchedule()).slotsPerEpoch).to.equal(432000);
    expect(await c.getMinimumBalanceForRentExemption(0)).to.equal(890880);
    const { blockhash, lastValidBlockHeight } = await c.getLatestBlockhash();
    expect(lastValidBlockHeight).to.be.greaterThan(await c.getBlockHeight());
    expect((await c.isBlockhashValid(blockhash)).value).to.equal(true);
    expect(Array.isArray(await c.getRecentPrioritizationFees())).to.equal(true);
  });

  it("airdrops, transfers SOL with sendAndConfirmTransaction and reads the transaction back", async () => {
    const c = net.connection;
    const alice = Keypair.generate();
    const bob = Keypair.generate();
    const airdrop = await c.requestAirdrop(alice.publicKey, 2 * LAMPORTS_PER_SOL);
    await c.confirmTransaction({ signature: airdrop, ...(await c.getLatestBlockhash()) });
    expect(await c.getBalance(alice.publicKey)).to.equal(2 * LAMPORTS_PER_SOL);

    const tx = new Transaction().add(
      SystemProgram.transfer({ fromPubkey: alice.publicKey, toPubkey: bob.publicKey, lamports: 1_234_567 }),
    );
    const sig = await sendAndConfirmTransaction(c, tx, [alice]);
    expect(await c.getBalance(bob.publicKey)).to.equal(1_234_567);
    expect(await c.getBalance(alice.publicKey)).to.equal(2 * LAMPORTS_PER_SOL - 1_234_567 - 5000);

    const got = await c.getTransaction(sig, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
    expect(got?.meta?.err).to.equal(null);
    expect(got?.meta?.fee).to.equal(5000);
    expect(got?.meta?.preBalances[0]).to.equal(2 * LAMPORTS_PER_SOL);
    expect(got?.meta?.postBalances[1]).to.equal(1_234_567);
    expect(got?.meta?.logMessages).to.include("Program 11111111111111111111111111111111 success");
    const sigs = await c.getSignaturesForAddress(bob.publicKey);
    expect(sigs.map((s) => s.signature)).to.deep.equal([sig]);
    const statuses = await c.getSignatureStatuses([sig, airdrop]);
    expect(statuses.value.map((s) => s?.confirmationStatus)).to.deep.equal(["finalized", "finalized"]);
  });

  it("pushes signature, account, logs and slot notifications over the websocket", async () => {
    const c = net.connection;
    const payer = await net.fundedKeypair(1);
    const dest = Keypair.generate();
    const slot = await new Promise<number>((resolve) => {
      const id = c.onSlotChange((s) => {
        void c.removeSlotChangeListener(id);
        resolve(s.slot);
      });
    });
    expect(slot).to.be.greaterThan(0);

    const accountSeen = new Promise<number>((resolve) => {
      const id = c.onAccountChange(dest.publicKey, (acct) => {
        void c.removeAccountChangeListener(id);
        resolve(acct.lamports);
      });
    });
    const logsSeen = new Promise<string[]>((resolve) => {
      const id = c.onLogs(dest.publicKey, (l) => {
        void c.removeOnLogsListener(id);
        resolve(l.logs);
      });
    });
    // Give the subscriptions a moment to be registered server-side.
    await new Promise((r) => setTimeout(r, 200));
    const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: dest.publicKey, lamports: 5_000_000 }));
    tx.recentBlockhash = (await c.getLatestBlockhash()).blockhash;
    tx.feePayer = payer.publicKey;
    tx.sign(payer);
    const sig = await c.sendRawTransaction(tx.serialize(), { skipPreflight: true });
    const sigErr = await new Promise<unknown>((resolve) => c.onSignature(sig, (r) => resolve(r.err), "confirmed"));
    expect(sigErr).to.equal(null);
    expect(await accountSeen).to.equal(5_000_000);
    expect((await logsSeen).join("\n")).to.contain("Program 11111111111111111111111111111111 success");
  });

  it("creates a mint, an associated token account, mints and transfers SPL tokens", async () => {
    const c = net.connection;
    const payer = await net.fundedKeypair(5);
    const alice = Keypair.generate();
    const bob = Keypair.generate();
    const mint = await createMint(c, payer, payer.publicKey, null, 6);
    const aliceAta = await getOrCreateAssociatedTokenAccount(c, payer, mint, alice.publicKey);
    const bobAta = await getOrCreateAssociatedTokenAccount(c, payer, mint, bob.publicKey);
    await mintTo(c, payer, mint, aliceAta.address, payer, 5_000_000n);
    await transfer(c, payer, aliceAta.address, bobAta.address, alice, 1_250_000n);
    expect((await getAccount(c, aliceAta.address)).amount).to.equal(3_750_000n);
    expect((await getAccount(c, bobAta.address)).amount).to.equal(1_250_000n);
    const bal = await c.getTokenAccountBalance(bobAta.address);
    expect(bal.value).to.include({ amount: "1250000", decimals: 6, uiAmountString: "1.25" });
    expect((await c.getTokenSupply(mint)).value.amount).to.equal("5000000");
    const owned = await c.getTokenAccountsByOwner(alice.publicKey, { mint });
    expect(owned.value.map((a) => a.pubkey.toBase58())).to.deep.equal([aliceAta.address.toBase58()]);
    const parsed = await c.getParsedTokenAccountsByOwner(bob.publicKey, { mint });
    expect(parsed.value[0]?.account.data.parsed.info.tokenAmount.uiAmount).to.equal(1.25);
  });
});
