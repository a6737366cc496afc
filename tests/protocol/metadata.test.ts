/**
 * $AEGIS Metaplex metadata: the token program's CPI encoding equals umi's serializer, the
 * metadata address is the one umi derives, and on localnet (no Metaplex program) both the
 * umi-based bootstrap and the instruction say so clearly.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { none } from "@metaplex-foundation/umi";
import { getCreateMetadataAccountV3InstructionDataSerializer } from "@metaplex-foundation/mpl-token-metadata";
import { mintKey, token, tokenProgram } from "../../sdk/src/index.js";
import { AEGIS_METADATA, ensureTokenMetadata, umiMetadataAddress } from "../../migrations/metadata.js";
import { startLocalnet, type Localnet } from "../helpers/localnet.js";
import { bootstrapProtocol, expectError, type Protocol } from "./setup.js";

describe("protocol: $AEGIS token metadata (Metaplex through umi)", function () {
  this.timeout(60_000);
  let net: Localnet;
  let proto: Protocol;
  before(async () => {
    net = await startLocalnet();
    proto = await bootstrapProtocol(net);
  });
  after(async () => {
    await net?.stop();
  });

  it("the program's CreateMetadataAccountV3 bytes are umi's (the Rust test pins the same hex)", () => {
    const umiBytes = getCreateMetadataAccountV3InstructionDataSerializer().serialize({
      data: { ...AEGIS_METADATA, sellerFeeBasisPoints: 0, creators: none(), collection: none(), uses: none() },
      isMutable: true,
      collectionDetails: none(),
    });
    const rust = readFileSync(new URL("../../programs/token/src/metadata.rs", import.meta.url), "utf8");
    const pinned = /const UMI_HEX: &str = "([0-9a-f]+)";/.exec(rust)?.[1];
    expect(pinned, "UMI_HEX in programs/token/src/metadata.rs").to.be.a("string");
    expect(Buffer.from(umiBytes).toString("hex")).to.equal(pinned);
    expect(rust).to.include(`create_metadata_v3_data("${AEGIS_METADATA.name}", "${AEGIS_METADATA.symbol}", "${AEGIS_METADATA.uri}", true)`);
  });

  it("derives the metadata address umi derives", () => {
    expect(token.metadataKey().toBase58()).to.equal(umiMetadataAddress(net.rpcUrl, mintKey()[0]));
  });

  it("on localnet: the umi bootstrap reports Metaplex missing; the instruction fails with MetadataProgramMissing, a wrong signer with Unauthorized", async () => {
    const result = await ensureTokenMetadata(net.connection, proto.admin);
    expect(result.status).to.equal("unsupported");
    expect(result.status === "unsupported" && result.reason).to.include("is not deployed");

    const p = tokenProgram(net.provider(proto.admin));
    await expectError(
      token.createMetadata(p, { payer: proto.admin.publicKey, authority: proto.admin.publicKey, ...AEGIS_METADATA }).rpc(),
      "token",
      "MetadataProgramMissing",
    );
    const mallory = await net.fundedKeypair(1);
    await expectError(
      token.createMetadata(tokenProgram(net.provider(mallory)), { payer: mallory.publicKey, authority: mallory.publicKey, ...AEGIS_METADATA }).rpc(),
      "token",
      "Unauthorized",
    );
    expect(await net.connection.getAccountInfo(token.metadataKey())).to.equal(null);
  });
});
