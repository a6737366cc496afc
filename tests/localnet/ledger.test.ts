import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keypair } from "@solana/web3.js";
import { nodeKey, registry, registryProgram } from "../../sdk/src/index.js";
import { startLocalnet } from "../helpers/localnet.js";

describe("localnet: --ledger keeps state across a restart", function () {
  const dir = mkdtempSync(join(tmpdir(), "aegis-ledger-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("a registered node, balances and transaction history survive a restart", async () => {
    const first = await startLocalnet({ ledger: dir });
    const identity = Keypair.generate();
    let operator: Keypair;
    let genesis: string;
    let slot: number;
    let sig: string;
    try {
      genesis = await first.connection.getGenesisHash();
      const admin = await first.fundedKeypair();
      operator = await first.fundedKeypair(3);
      await registry.initializeRegistry(registryProgram(first.provider(admin)), { payer: admin.publicKey, admin: admin.publicKey }).rpc();
      sig = await registry
        .registerNode(registryProgram(first.provider(operator)), {
          operator: operator.publicKey, identity: identity.publicKey, metadataCid: "bafy-test", region: "eu", capabilities: 1,
        })
        .signers([identity])
        .rpc();
      slot = await first.connection.getSlot();
    } finally {
      expect(await first.stop("SIGINT")).to.equal(0);
    }
    expect(first.output()).to.match(/Ledger saved at slot \d+/);

    const second = await startLocalnet({ ledger: dir });
    try {
      expect(await second.connection.getGenesisHash()).to.equal(genesis);
      expect(await second.connection.getSlot()).to.be.at.least(slot);
      const node = await registryProgram(second.provider(operator)).account.nodeV0.fetch(nodeKey(identity.publicKey)[0]);
      expect(node.operator.toBase58()).to.equal(operator.publicKey.toBase58());
      expect(node.metadataCid).to.equal("bafy-test");
      const tx = await second.connection.getTransaction(sig, { maxSupportedTransactionVersion: 0 });
      expect(tx?.meta?.err).to.equal(null);
      // The chain goes on: the operator can still transact.
      await registry.updateNode(registryProgram(second.provider(operator)), { operator: operator.publicKey, node: nodeKey(identity.publicKey)[0], region: "us" }).rpc();
    } finally {
      await second.stop();
    }
  });
});
