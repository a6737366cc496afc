import { expect } from "chai";
import { AnchorError, type Program } from "@coral-xyz/anchor";
import { Keypair, PublicKey } from "@solana/web3.js";
import {
  CAPABILITIES_ALL,
  Capability,
  IDLS,
  MAX_METADATA_CID_LEN,
  SEEDS,
  nodeKey,
  registry,
  registryConfigKey,
  registryProgram,
  type Registry,
} from "../../sdk/src/index.js";
import { startLocalnet, type Localnet } from "../helpers/localnet.js";

const CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

async function expectAnchorError(p: Promise<unknown>, code: string, number: number): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(AnchorError);
    const err = e as AnchorError;
    expect(err.error.errorCode.code).to.equal(code);
    expect(err.error.errorCode.number).to.equal(number);
    return;
  }
  expect.fail(`expected ${code}`);
}

describe("localnet: registry program through the Anchor client", function () {
  let net: Localnet;
  let admin: Keypair;
  let operator: Keypair;
  let program: Program<Registry>;

  before(async () => {
    net = await startLocalnet();
    admin = await net.fundedKeypair();
    operator = await net.fundedKeypair();
    await registry.initializeRegistry(registryProgram(net.provider(admin)), { payer: admin.publicKey, admin: admin.publicKey }).rpc();
    program = registryProgram(net.provider(operator));
  });
  after(async () => {
    await net?.stop();
  });

  it("derives the same seeds and capability bits as the program's constants (IDL)", () => {
    const constants = new Map(IDLS.registry.constants.map((c) => [c.name, c.value]));
    const seed = (name: string): string => Buffer.from(JSON.parse(constants.get(name)!) as number[]).toString("utf8");
    expect(seed("CONFIG_SEED")).to.equal(SEEDS.registryConfig);
    expect(seed("NODE_SEED")).to.equal(SEEDS.node);
    expect(constants.get("CAP_ALL")).to.equal(String(CAPABILITIES_ALL));
  });

  it("initialize: the config PDA holds the admin", async () => {
    const config = await program.account.registryConfigV0.fetch(registryConfigKey()[0]);
    expect(config.admin.toBase58()).to.equal(admin.publicKey.toBase58());
  });

  it("register_node: stores the node at its PDA, lists it by operator and emits NodeRegistered", async () => {
    const identity = Keypair.generate();
    const events: Array<{ node: PublicKey; identity: PublicKey; region: string }> = [];
    const listener = program.addEventListener("nodeRegistered", (e) => events.push(e));
    try {
      await registry
        .registerNode(program, {
          operator: operator.publicKey,
          identity: identity.publicKey,
          metadataCid: CID,
          region: "eu-west",
          capabilities: Capability.Cache | Capability.Waf,
        })
        .signers([identity])
        .rpc();
      const [address] = nodeKey(identity.publicKey);
      const node = await program.account.nodeV0.fetch(address);
      expect(node.operator.toBase58()).to.equal(operator.publicKey.toBase58());
      expect(node.identity.toBase58()).to.equal(identity.publicKey.toBase58());
      expect(node.metadataCid).to.equal(CID);
      expect(node.region).to.equal("eu-west");
      expect(node.capabilities).to.equal(3);
      expect(node.status).to.deep.equal({ registered: {} });

      const mine = await program.account.nodeV0.all([
        { memcmp: { offset: registry.NODE_OPERATOR_OFFSET, bytes: operator.publicKey.toBase58() } },
      ]);
      expect(mine.map((n) => n.publicKey.toBase58())).to.include(address.toBase58());
      const others = await program.account.nodeV0.all([
        { memcmp: { offset: registry.NODE_OPERATOR_OFFSET, bytes: Keypair.generate().publicKey.toBase58() } },
      ]);
      expect(others).to.have.length(0);

      const deadline = Date.now() + 5000;
      while (events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(events).to.have.length(1);
      expect(events[0]!.node.toBase58()).to.equal(address.toBase58());
      expect(events[0]!.identity.toBase58()).to.equal(identity.publicKey.toBase58());
      expect(events[0]!.region).to.equal("eu-west");
    } finally {
      await program.removeEventListener(listener);
    }
  });

  it("update_node and deactivate_node change the node for its operator", async () => {
    const identity = Keypair.generate();
    await registry
      .registerNode(program, { operator: operator.publicKey, identity: identity.publicKey, metadataCid: CID, region: "us-east", capabilities: 1 })
      .signers([identity])
      .rpc();
    const [node] = nodeKey(identity.publicKey);
    await registry.updateNode(program, { operator: operator.publicKey, node, region: "ap-south", capabilities: CAPABILITIES_ALL }).rpc();
    let got = await program.account.nodeV0.fetch(node);
    expect(got.region).to.equal("ap-south");
    expect(got.capabilities).to.equal(CAPABILITIES_ALL);
    expect(got.metadataCid).to.equal(CID);
    await registry.deactivateNode(program, { operator: operator.publicKey, node }).rpc();
    got = await program.account.nodeV0.fetch(node);
    expect(got.status).to.deep.equal({ exited: {} });
    // The same transaction again within one blockhash would be refused as already processed.
    await net.nextBlockhash();
    await expectAnchorError(registry.deactivateNode(program, { operator: operator.publicKey, node }).rpc(), "NodeDeactivated", 6006);
  });

  it("rejects a wrong signer with Unauthorized", async () => {
    const identity = Keypair.generate();
    await registry
      .registerNode(program, { operator: operator.publicKey, identity: identity.publicKey, metadataCid: CID, region: "eu", capabilities: 1 })
      .signers([identity])
      .rpc();
    const mallory = await net.fundedKeypair(1);
    const malloryProgram = registryProgram(net.provider(mallory));
    const [node] = nodeKey(identity.publicKey);
    await expectAnchorError(
      registry.updateNode(malloryProgram, { operator: mallory.publicKey, node, region: "evil" }).rpc(),
      "Unauthorized",
      6000,
    );
    await expectAnchorError(registry.deactivateNode(malloryProgram, { operator: mallory.publicKey, node }).rpc(), "Unauthorized", 6000);
  });

  it("rejects a metadata CID over the limit with MetadataCidTooLong", async () => {
    const identity = Keypair.generate();
    await expectAnchorError(
      registry
        .registerNode(program, {
          operator: operator.publicKey,
          identity: identity.publicKey,
          metadataCid: "b".repeat(MAX_METADATA_CID_LEN + 1),
          region: "eu",
          capabilities: 1,
        })
        .signers([identity])
        .rpc(),
      "MetadataCidTooLong",
      6001,
    );
    expect(await net.connection.getAccountInfo(nodeKey(identity.publicKey)[0])).to.equal(null);
  });

  it("rejects a duplicate registration with NodeAlreadyRegistered", async () => {
    const identity = Keypair.generate();
    const args = { operator: operator.publicKey, identity: identity.publicKey, metadataCid: CID, region: "eu", capabilities: 1 };
    await registry.registerNode(program, args).signers([identity]).rpc();
    await net.nextBlockhash();
    await expectAnchorError(registry.registerNode(program, args).signers([identity]).rpc(), "NodeAlreadyRegistered", 6005);
  });
});
